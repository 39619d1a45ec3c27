//! What the web app's first screens rely on: `GET /api/config` before sign-in, the empty
//! workspace and its one-click demo data (`/api/workspace`), invitation links that say what they
//! offer, and closed sign-up.

mod common;

use std::time::Duration;

use common::TestApp;
use common::accounts::admin_with_org;
use common::http::Client;
use serde_json::{Value, json};

async fn wait_for_demo(client: &Client, token: &str) -> Value {
    for _ in 0..300 {
        let w = client.get_auth("/api/workspace", token).await.json();
        if w["demo"]["status"] != "running" {
            return w;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the demo load did not finish within 15 s");
}

async fn register(client: &Client, email: &str, invite: Option<&str>) -> (u16, Value) {
    let mut body = json!({"email": email, "password": "correct horse battery", "name": "Bo"});
    if let Some(token) = invite {
        body["invite_token"] = json!(token);
    }
    let r = client
        .call("POST", "/api/auth/register", None, Some(&body))
        .await;
    let status = r.status;
    (status, r.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_learns_how_this_deployment_signs_people_in() {
    let app = TestApp::spawn().await;
    let config = app.client().get("/api/config").await;
    assert_eq!(config.status, 200, "public: {}", config.text());
    assert_eq!(
        config.json(),
        json!({"auth_mode": "local", "supabase": null, "nango": null, "signup_open": true,
               "features": {"chat": false, "integrations": false, "demo_data": true, "email": false},
               "version": revtops::build_info::VERSION})
    );

    let app = TestApp::spawn_with(&[
        ("AUTH_MODE", "supabase"),
        ("SUPABASE_URL", "https://project.supabase.co/"),
        ("SUPABASE_ANON_KEY", "anon-public-key"),
        ("ANTHROPIC_API_KEY", "sk-test"),
        ("NANGO_SECRET_KEY", "nango-secret"),
        ("NANGO_HOST", "https://nango.acme.test/"),
        ("NANGO_CONNECT_URL", "https://connect.acme.test"),
    ])
    .await;
    let config = app.client().get("/api/config").await.json();
    assert_eq!(
        config["nango"],
        json!({"api_url": "https://nango.acme.test", "connect_url": "https://connect.acme.test"}),
        "self-hosted Nango: the browser opens its Connect UI, not the cloud's"
    );
    assert_eq!(config["auth_mode"], "supabase");
    assert_eq!(
        config["supabase"],
        json!({"url": "https://project.supabase.co", "anon_key": "anon-public-key"})
    );
    assert_eq!(config["features"]["chat"], true);
    assert_eq!(config["features"]["integrations"], true);
    let text = app.client().get("/api/config").await.text();
    for secret in ["sk-test", "nango-secret"] {
        assert!(!text.contains(secret), "secrets never reach the browser");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_sign_up_still_admits_invited_people() {
    let app = TestApp::spawn_with(&[("ALLOW_SIGNUP", "false")]).await;
    let client = app.client();
    assert_eq!(client.get("/api/config").await.json()["signup_open"], false);
    let (status, body) = register(&client, "stranger@acme.com", None).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invitation")
    );

    // An admin made out of band (as `revtops demo` makes one) invites a colleague.
    let hash = revtops::services::auth::passwords::hash("correct horse battery".into())
        .await
        .unwrap();
    app.db
        .client()
        .await
        .execute(
            "WITH o AS (INSERT INTO organizations (name) VALUES ('Acme') RETURNING id)
             INSERT INTO users (organization_id, email, name, role, password_hash)
             SELECT id, 'boss@acme.com', 'Boss', 'admin', $1 FROM o",
            &[&hash],
        )
        .await
        .unwrap();
    let login = client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": "boss@acme.com", "password": "correct horse battery"})),
        )
        .await
        .json();
    let invite = client
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            login["token"].as_str(),
            Some(&json!({"email": "new@acme.com"})),
        )
        .await
        .json();
    let (status, body) = register(&client, "new@acme.com", invite["token"].as_str()).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["user"]["organization_id"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_link_says_what_it_offers_until_it_is_used() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let invite = client
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            Some(&admin),
            Some(&json!({"email": "Bo@Acme.com", "role": "admin"})),
        )
        .await
        .json();
    let token = invite["token"].as_str().unwrap();
    let preview = client
        .call(
            "POST",
            "/api/auth/invitations/preview",
            None,
            Some(&json!({"token": token})),
        )
        .await;
    assert_eq!(preview.status, 200, "public: {}", preview.text());
    let preview = preview.json();
    assert_eq!(preview["organization_name"], "Acme");
    assert_eq!(preview["email"], "bo@acme.com");
    assert_eq!(preview["role"], "admin");
    assert!(preview["expires_at"].is_string());

    let (status, _) = register(&client, "bo@acme.com", Some(token)).await;
    assert_eq!(status, 201);
    for used_or_unknown in [token, "not-a-token"] {
        let r = client
            .call(
                "POST",
                "/api/auth/invitations/preview",
                None,
                Some(&json!({"token": used_or_unknown})),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.text());
        assert_eq!(r.error_code(), "not_found");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_loads_demo_data_with_one_click_and_members_see_it() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, _, org) = admin_with_org(&app, "ana@acme.com").await;
    let empty = client.get_auth("/api/workspace", &admin).await.json();
    assert_eq!(
        empty,
        json!({"organization_id": org, "counts": {"accounts": 0, "contacts": 0, "deals": 0,
               "activities": 0, "reps": 1}, "has_synced_data": false, "demo_loaded": false, "demo": null})
    );

    let started = client
        .call("POST", "/api/workspace/demo", Some(&admin), None)
        .await;
    assert_eq!(started.status, 202, "{}", started.text());
    let job = started.json();
    assert_eq!(job["status"], "running");
    assert_eq!(job["steps_total"], 6);
    let again = client
        .call("POST", "/api/workspace/demo", Some(&admin), None)
        .await;
    assert_eq!(again.status, 409, "one load at a time: {}", again.text());

    let done = wait_for_demo(&client, &admin).await;
    assert_eq!(done["demo"]["status"], "succeeded", "{done}");
    assert_eq!(done["demo"]["steps_done"], 6);
    assert!(done["demo"]["finished_at"].is_string());
    // The same small dataset as `revtops demo --size small`.
    let small = revtops::demo::DemoSize::Small.scale();
    assert_eq!(
        done["demo"]["counts"],
        json!({"accounts": small.accounts, "contacts": small.contacts, "deals": small.deals,
               "activities": small.activities, "reps": small.reps})
    );
    assert_eq!(done["counts"]["deals"], small.deals);
    assert_eq!(
        done["counts"]["reps"],
        small.reps + 1,
        "the demo reps and the admin"
    );
    assert_eq!(done["demo_loaded"], true);
    assert_eq!(done["has_synced_data"], false);
    // It is the caller's organization that holds it, and the analytics engine sees it.
    let q = client
        .call(
            "POST",
            "/api/query",
            Some(&admin),
            Some(&json!({"sql": "SELECT count(*) AS n FROM deals"})),
        )
        .await
        .json();
    assert_eq!(q["rows"][0][0], small.deals);

    // Loading again refreshes the same rows (nothing doubles).
    assert_eq!(
        client
            .call("POST", "/api/workspace/demo", Some(&admin), None)
            .await
            .status,
        202
    );
    assert_eq!(
        wait_for_demo(&client, &admin).await["counts"]["deals"],
        small.deals
    );

    // A member sees the workspace but may not load data.
    let invite = client
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            Some(&admin),
            Some(&json!({"email": "bo@acme.com"})),
        )
        .await
        .json();
    let (_, member) = register(&client, "bo@acme.com", invite["token"].as_str()).await;
    let member = member["token"].as_str().unwrap().to_owned();
    assert_eq!(
        client.get_auth("/api/workspace", &member).await.json()["counts"]["deals"],
        small.deals
    );
    let refused = client
        .call("POST", "/api/workspace/demo", Some(&member), None)
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());

    // Once real data arrived from a source, demo data would mix with it: refused.
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO deals (organization_id, source_system, source_id, name) VALUES ($1, 'hubspot', '1', 'Real')",
            &[&org],
        )
        .await
        .unwrap();
    let mixed = client
        .call("POST", "/api/workspace/demo", Some(&admin), None)
        .await;
    assert_eq!(mixed.status, 409, "{}", mixed.text());
    assert!(mixed.text().contains("connected source"));
    let w = client.get_auth("/api/workspace", &admin).await.json();
    assert_eq!(w["has_synced_data"], true);

    // Someone without an organization has no workspace yet.
    let (_, loner) = register(&client, "loner@elsewhere.io", None).await;
    let r = client
        .get_auth("/api/workspace", loner["token"].as_str().unwrap())
        .await;
    assert_eq!(r.status, 403);
}
