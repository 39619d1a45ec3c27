//! A person who is already in an organization as a CRM record owner (a demo rep, a HubSpot owner)
//! and then joins it takes over that record, keeping its id, so the deals and activities they
//! own are theirs at their first sign-in: at registration with an invitation, by accepting one
//! with an existing account, by joining their email domain, and through Supabase sign-in.

mod common;

use std::time::Duration;

use common::TestApp;
use common::accounts::admin_with_org;
use common::http::Client;
use common::supabase::{ANON_KEY, FakeSupabase};
use serde_json::{Value, json};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";

/// Loads the demo data into the admin's organization and returns one demo rep: (id, email).
async fn demo_rep(app: &TestApp, admin: &str) -> (Uuid, String) {
    let client = app.client();
    assert_eq!(
        client
            .call("POST", "/api/workspace/demo", Some(admin), None)
            .await
            .status,
        202
    );
    for _ in 0..300 {
        let w = client.get_auth("/api/workspace", admin).await.json();
        if w["demo"]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT id, email FROM users WHERE status = 'crm_only' AND source_system = 'demo' ORDER BY email LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

async fn invite(client: &Client, admin: &str, email: &str) -> String {
    let r = client
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            Some(admin),
            Some(&json!({"email": email})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_owned()
}

/// Deals the user of `token` owns, counted through the analytics engine ("my deals").
async fn my_deals(client: &Client, token: &str) -> i64 {
    let me = client.get_auth("/api/auth/me", token).await.json();
    let sql = format!(
        "SELECT count(*) FROM deals WHERE owner_id = '{}'",
        me["user"]["id"].as_str().unwrap()
    );
    let r = client
        .call(
            "POST",
            "/api/query",
            Some(token),
            Some(&json!({"sql": sql})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["rows"][0][0].as_i64().unwrap()
}

async fn owned_by(app: &TestApp, id: Uuid) -> i64 {
    app.db
        .client()
        .await
        .query_one("SELECT count(*) FROM deals WHERE owner_id = $1", &[&id])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_with_an_invitation_takes_over_the_reps_record() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let (rep, email) = demo_rep(&app, &admin).await;
    let owned = owned_by(&app, rep).await;
    assert!(owned > 0, "the demo rep owns deals");
    let token = invite(&client, &admin, &email).await;
    let reg = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(&json!({"email": email, "password": PASSWORD, "name": "Rep Signed In", "invite_token": token})),
        )
        .await;
    assert_eq!(reg.status, 201, "{}", reg.text());
    let reg = reg.json();
    assert_eq!(reg["user"]["id"], json!(rep), "the record's id is kept");
    assert_eq!(reg["user"]["status"], "active");
    assert_eq!(reg["user"]["name"], "Rep Signed In");
    let session = reg["token"].as_str().unwrap();
    assert_eq!(my_deals(&client, session).await, owned);
    // Signing in again works, and they count once among the members.
    let login = client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(login.status, 200);
    let members = client
        .get_auth("/api/auth/organizations/current/members", &admin)
        .await
        .json();
    let same: Vec<&Value> = members
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["email"] == json!(email))
        .collect();
    assert_eq!(same.len(), 1);
    assert_eq!(same[0]["status"], "active");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_an_invitation_with_an_existing_account_moves_it_onto_the_record() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let (rep, email) = demo_rep(&app, &admin).await;
    // They signed up on their own before anyone invited them.
    let reg = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(&json!({"email": email, "password": PASSWORD, "name": "Early Bird"})),
        )
        .await
        .json();
    let old = reg["token"].as_str().unwrap().to_owned();
    assert_ne!(reg["user"]["id"], json!(rep));
    let token = invite(&client, &admin, &email).await;
    let accepted = client
        .call(
            "POST",
            "/api/auth/invitations/accept",
            Some(&old),
            Some(&json!({"token": token})),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    let accepted = accepted.json();
    assert_eq!(accepted["organization"]["name"], "Acme");
    let session = accepted["session"]["token"]
        .as_str()
        .expect("a new session, since the account moved onto the record")
        .to_owned();
    assert_eq!(accepted["session"]["user"]["id"], json!(rep));
    assert_eq!(client.get_auth("/api/auth/me", &old).await.status, 401);
    assert_eq!(my_deals(&client, &session).await, owned_by(&app, rep).await);
    // Their password is the one they chose.
    let login = client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(login.json()["user"]["id"], json!(rep));

    // Someone with no CRM record keeps their own account and session.
    let plain = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(&json!({"email": "new@acme.com", "password": PASSWORD, "name": "New"})),
        )
        .await
        .json();
    let plain_token = plain["token"].as_str().unwrap();
    let token = invite(&client, &admin, "new@acme.com").await;
    let accepted = client
        .call(
            "POST",
            "/api/auth/invitations/accept",
            Some(plain_token),
            Some(&json!({"token": token})),
        )
        .await
        .json();
    assert_eq!(accepted["session"], Value::Null);
    assert_eq!(
        client.get_auth("/api/auth/me", plain_token).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supabase_users_take_over_their_record_by_domain_or_invitation() {
    let fake = FakeSupabase::start().await;
    let app = TestApp::spawn_with(&[
        ("AUTH_MODE", "supabase"),
        ("SUPABASE_URL", fake.url.as_str()),
        ("SUPABASE_ANON_KEY", ANON_KEY),
    ])
    .await;
    let client = app.client();
    let sync = |token: String| {
        let client = app.client();
        async move {
            let r = client
                .call("POST", "/api/auth/users/sync", Some(&token), None)
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()
        }
    };
    let ana = fake.token("sub-ana", "ana@acme.com");
    sync(ana.clone()).await;
    let org = client
        .call(
            "POST",
            "/api/auth/organizations",
            Some(&ana),
            Some(&json!({"name": "Acme", "email_domain": "acme.com"})),
        )
        .await
        .json();
    let org: Uuid = org["id"].as_str().unwrap().parse().unwrap();
    // Two HubSpot owners nobody has signed in as yet, each owning a deal.
    let db = app.db.client().await;
    let mut owners = Vec::new();
    for email in ["bo@acme.com", "cy@acme.com"] {
        let row = db
            .query_one(
                "INSERT INTO users (organization_id, email, name, status, source_system, source_id)
                 VALUES ($1, $2, 'Owner', 'crm_only', 'hubspot', $2) RETURNING id",
                &[&org, &email],
            )
            .await
            .unwrap();
        let id: Uuid = row.get(0);
        db.execute(
            "INSERT INTO deals (organization_id, source_system, source_id, name, owner_id) VALUES ($1, 'hubspot', $2, 'Deal', $3)",
            &[&org, &email, &id],
        )
        .await
        .unwrap();
        owners.push(id);
    }

    // Bo signs in with Google and joins by domain: the same token now acts as the record.
    let bo = fake.token("sub-bo", "bo@acme.com");
    let first = sync(bo.clone()).await;
    assert_ne!(first["user"]["id"], json!(owners[0]));
    let joined = client
        .call("POST", "/api/auth/organizations/join", Some(&bo), None)
        .await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    assert_eq!(
        joined.json()["session"],
        Value::Null,
        "the Supabase session goes on"
    );
    let me = client.get_auth("/api/auth/me", &bo).await.json();
    assert_eq!(me["user"]["id"], json!(owners[0]));
    assert_eq!(my_deals(&client, &bo).await, 1);
    assert_eq!(
        sync(bo.clone()).await["user"]["id"],
        json!(owners[0]),
        "signing in again finds the record, not a new user"
    );

    // Cy is invited instead.
    let cy = fake.token("sub-cy", "cy@acme.com");
    sync(cy.clone()).await;
    let token = invite(&client, &ana, "cy@acme.com").await;
    let accepted = client
        .call(
            "POST",
            "/api/auth/invitations/accept",
            Some(&cy),
            Some(&json!({"token": token})),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    let me = client.get_auth("/api/auth/me", &cy).await.json();
    assert_eq!(me["user"]["id"], json!(owners[1]));
    assert_eq!(me["user"]["status"], "active");
    assert_eq!(my_deals(&client, &cy).await, 1);
}
