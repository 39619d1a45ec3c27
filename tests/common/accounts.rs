//! Signing up through the real API in local auth mode.

use serde_json::json;

use super::TestApp;

/// Registers `email` (local auth) and creates an organization it administers; returns
/// (token, user id, organization id).
pub async fn admin_with_org(app: &TestApp, email: &str) -> (String, uuid::Uuid, uuid::Uuid) {
    let client = app.client();
    let body = json!({"email": email, "password": "correct horse battery", "name": "Ana"});
    let reg = client
        .call("POST", "/api/auth/register", None, Some(&body))
        .await;
    assert_eq!(reg.status, 201, "{}", reg.text());
    let reg = reg.json();
    let token = reg["token"].as_str().unwrap().to_owned();
    let org = client
        .call(
            "POST",
            "/api/auth/organizations",
            Some(&token),
            Some(&json!({"name": "Acme"})),
        )
        .await;
    assert!(org.status < 300, "{}", org.text());
    let org_id = org.json()["id"].as_str().unwrap().parse().unwrap();
    let user_id = reg["user"]["id"].as_str().unwrap().parse().unwrap();
    (token, user_id, org_id)
}

/// A colleague invited into the admin's organization with `role`: (token, user id).
pub async fn invited_member(
    app: &TestApp,
    admin: &str,
    email: &str,
    role: &str,
) -> (String, uuid::Uuid) {
    let client = app.client();
    let invite = client
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            Some(admin),
            Some(&json!({"email": email, "role": role})),
        )
        .await
        .json();
    let reg = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(
                &json!({"email": email, "password": "correct horse battery", "name": "Bo",
                         "invite_token": invite["token"]}),
            ),
        )
        .await;
    assert_eq!(reg.status, 201, "{}", reg.text());
    let reg = reg.json();
    (
        reg["token"].as_str().unwrap().to_owned(),
        reg["user"]["id"].as_str().unwrap().parse().unwrap(),
    )
}
