//! Provider connections through Nango, end to end against a fake Nango: sessions are tagged with
//! the caller's organization and user, a connection is recorded only when Nango confirms it
//! carries those tags, roles and tenancy hold, disconnect deletes the Nango connection, webhooks
//! are authenticated by their HMAC, and `NangoCredentials` hands out (refreshed) tokens.

mod common;

use std::sync::Arc;

use common::TestApp;
use common::fake_nango::FakeNango;
use common::http::Reply;
use revtops::config::Secret;
use revtops::connectors::nango::{NangoClient, NangoCredentials, webhook};
use revtops::connectors::{ConnectorError, Credentials};
use serde_json::{Value, json};

const WEBHOOK_SECRET: &str = "whsec-test-signing-key";

struct User {
    token: String,
    id: String,
}

struct World {
    nango: FakeNango,
    app: TestApp,
    /// Admin of org A.
    ana: User,
    org_a: String,
}

impl World {
    async fn new() -> Self {
        let nango = FakeNango::start().await;
        let app = TestApp::spawn_with(&[
            ("NANGO_HOST", nango.url.as_str()),
            ("NANGO_SECRET_KEY", nango.secret.as_str()),
            ("NANGO_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ])
        .await;
        let ana = register(&app, "ana@acme.com", None).await;
        let org_a = create_org(&app, &ana, "Acme").await;
        Self {
            nango,
            app,
            ana,
            org_a,
        }
    }

    /// A member of org A (invited by Ana).
    async fn member(&self, email: &str) -> User {
        let r = self
            .call(
                "POST",
                "/api/auth/organizations/current/invitations",
                &self.ana,
                Some(json!({"email": email, "role": "member"})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let invite = r.json()["token"].as_str().unwrap().to_owned();
        register(&self.app, email, Some(&invite)).await
    }

    async fn call(
        &self,
        method: &'static str,
        path: &str,
        user: &User,
        body: Option<Value>,
    ) -> Reply {
        self.app
            .client()
            .call(method, path, Some(&user.token), body.as_ref())
            .await
    }

    async fn callback(&self, user: &User, provider: &str, connection_id: &str) -> Reply {
        self.call(
            "POST",
            "/api/auth/callback",
            user,
            Some(json!({"provider": provider, "connection_id": connection_id})),
        )
        .await
    }

    async fn list(&self, user: &User) -> Vec<Value> {
        let r = self.call("GET", "/api/auth/integrations", user, None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json().as_array().unwrap().clone()
    }

    async fn webhook(&self, body: &Value, signature: Option<&str>) -> Reply {
        let raw = body.to_string();
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if let Some(sig) = signature {
            headers.push(("x-nango-hmac-sha256".to_owned(), sig.to_owned()));
        }
        self.app
            .client()
            .send(common::http::Request {
                method: "POST",
                path: "/api/webhooks/nango".into(),
                headers,
                body: Some(raw.into_bytes()),
            })
            .await
    }

    async fn signed_webhook(&self, body: &Value) -> Reply {
        let sig = webhook::sign(WEBHOOK_SECRET.as_bytes(), body.to_string().as_bytes());
        self.webhook(body, Some(&sig)).await
    }
}

async fn register(app: &TestApp, email: &str, invite: Option<&str>) -> User {
    let mut body = json!({"email": email, "password": "correct horse battery", "name": "Someone"});
    if let Some(t) = invite {
        body["invite_token"] = json!(t);
    }
    let r = app
        .client()
        .call("POST", "/api/auth/register", None, Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    User {
        token: v["token"].as_str().unwrap().to_owned(),
        id: v["user"]["id"].as_str().unwrap().to_owned(),
    }
}

async fn create_org(app: &TestApp, admin: &User, name: &str) -> String {
    let r = app
        .client()
        .call(
            "POST",
            "/api/auth/organizations",
            Some(&admin.token),
            Some(&json!({"name": name})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

fn tags(org: &str, user: &str) -> Value {
    json!({"organization_id": org, "end_user_id": user, "end_user_email": "x@acme.com"})
}

async fn integration_rows(app: &TestApp) -> Vec<(String, bool, Option<String>, Option<String>)> {
    let db = app.db.client().await;
    db.query(
        "SELECT provider, is_active, nango_connection_id, last_error FROM integrations ORDER BY provider, created_at",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_sessions_are_tagged_with_the_callers_org_and_user() {
    let w = World::new().await;
    let r = w
        .call("GET", "/api/auth/connect/hubspot/session", &w.ana, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let session = w.nango.last_session();
    assert_eq!(body["token"], session.token.as_str());
    assert_eq!(body["integration_id"], "hubspot");
    assert_eq!(body["provider"], "hubspot");
    assert!(body["expires_at"].is_string());
    assert!(
        body["connect_link"]
            .as_str()
            .unwrap()
            .contains(&session.token)
    );
    assert_eq!(session.tags["organization_id"], w.org_a);
    assert_eq!(session.tags["end_user_id"], w.ana.id);
    assert_eq!(session.tags["end_user_email"], "ana@acme.com");
    assert_eq!(session.allowed_integrations, vec!["hubspot".to_owned()]);

    // The redirect shape, with Nango's spelling of the provider.
    let r = w
        .call("GET", "/api/auth/connect/google-calendar", &w.ana, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let session = w.nango.last_session();
    assert_eq!(
        r.json()["url"].as_str().unwrap(),
        format!("https://connect.nango.dev/?session_token={}", session.token)
    );
    assert_eq!(
        session.allowed_integrations,
        vec!["google-calendar".to_owned()]
    );
    let r = w
        .call(
            "GET",
            "/api/auth/connect/google_calendar/session",
            &w.ana,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["provider"], "google_calendar");

    let r = w
        .call("GET", "/api/auth/connect/pipedrive/session", &w.ana, None)
        .await;
    assert_eq!(
        r.status,
        400,
        "not a provider the API declares: {}",
        r.text()
    );
    assert_eq!(r.error_code(), "bad_request");

    // A user without an organization cannot connect anything.
    let loner = register(&w.app, "lone@solo.dev", None).await;
    let r = w
        .call(
            "GET",
            "/api/auth/connect/google_calendar/session",
            &loner,
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("organization"));
    let available = w
        .call("GET", "/api/auth/available-integrations", &loner, None)
        .await;
    assert_eq!(available.status, 200, "{}", available.text());
    let r = w.call("GET", "/api/auth/integrations", &loner, None).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(w.nango.state(|s| s.sessions.len()), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_records_only_connections_created_for_the_callers_org() {
    let w = World::new().await;
    let carl = register(&w.app, "carl@beta.io", None).await;
    let org_b = create_org(&w.app, &carl, "Beta").await;

    // A connection created for org B cannot be attached to org A (nor the reverse).
    w.nango
        .add_connection("hubspot", "conn-b", tags(&org_b, &carl.id));
    let r = w.callback(&w.ana, "hubspot", "conn-b").await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.error_code(), "forbidden");
    assert!(r.text().contains("not created for your organization"));
    // Untagged connections are refused too.
    w.nango
        .add_connection("hubspot", "conn-untagged", json!({}));
    let r = w.callback(&w.ana, "hubspot", "conn-untagged").await;
    assert_eq!(r.status, 403, "{}", r.text());
    // Unknown connection, or one of another integration.
    let r = w.callback(&w.ana, "hubspot", "no-such-conn").await;
    assert_eq!(r.status, 404, "{}", r.text());
    w.nango
        .add_connection("salesforce", "conn-sf", tags(&w.org_a, &w.ana.id));
    let r = w.callback(&w.ana, "hubspot", "conn-sf").await;
    assert_eq!(r.status, 404, "{}", r.text());
    let r = w.callback(&w.ana, "pipedrive", "conn-sf").await;
    assert_eq!(
        r.status,
        400,
        "not a provider the API declares: {}",
        r.text()
    );
    assert!(
        integration_rows(&w.app).await.is_empty(),
        "nothing recorded"
    );

    // The happy path.
    w.nango
        .add_connection("hubspot", "conn-a", tags(&w.org_a, &w.ana.id));
    let r = w.callback(&w.ana, "hubspot", "conn-a").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let dto = r.json();
    assert_eq!(dto["provider"], "hubspot");
    assert_eq!(dto["scope"], "organization");
    assert_eq!(dto["is_active"], true);
    assert!(dto["connected_at"].is_string());
    assert!(dto.get("nango_connection_id").is_none());
    let text = r.text();
    assert!(!text.contains("access-"), "no token in the DTO: {text}");
    // Idempotent.
    let again = w.callback(&w.ana, "hubspot", "conn-a").await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["id"], dto["id"]);
    // Connecting queued the first, full sync (once, however often the callback repeats).
    let runs = w.call("GET", "/api/sync/runs", &w.ana, None).await.json();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        (runs[0]["trigger"].as_str(), runs[0]["full_sync"].as_bool()),
        (Some("initial"), Some(true))
    );

    let listed = w.list(&w.ana).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], dto["id"]);
    assert_eq!(listed[0]["last_sync_at"], Value::Null);
    assert_eq!(listed[0]["last_error"], Value::Null);
    let available = w
        .call("GET", "/api/auth/available-integrations", &w.ana, None)
        .await
        .json();
    let hubspot = available
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["provider"] == "hubspot")
        .unwrap();
    assert_eq!(hubspot["connected"], true);
    assert_eq!(hubspot["nango_configured"], true);
    assert_eq!(hubspot["display_name"], "HubSpot");
    assert_eq!(available.as_array().unwrap().len(), 4);

    // Org B sees nothing of org A, and cannot disconnect it.
    assert!(w.list(&carl).await.is_empty());
    let b_available = w
        .call("GET", "/api/auth/available-integrations", &carl, None)
        .await
        .json();
    assert!(
        b_available
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["connected"] == false)
    );
    let r = w
        .call("DELETE", "/api/auth/integrations/hubspot", &carl, None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text());
    assert!(w.nango.has_connection("hubspot", "conn-a"));
    // Org B can attach its own connection; the two rows stay apart.
    let r = w.callback(&carl, "hubspot", "conn-b").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(w.list(&w.ana).await.len(), 1);
    assert_eq!(w.list(&carl).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_connect_org_providers_and_members_connect_their_own_calendar() {
    let w = World::new().await;
    let bob = w.member("bob@acme.com").await;
    w.nango
        .add_connection("hubspot", "conn-hs", tags(&w.org_a, &bob.id));

    for path in [
        "/api/auth/connect/hubspot/session",
        "/api/auth/connect/slack",
    ] {
        let r = w.call("GET", path, &bob, None).await;
        assert_eq!(r.status, 403, "{path}: {}", r.text());
        assert!(r.text().contains("admins"), "{}", r.text());
    }
    let r = w.callback(&bob, "hubspot", "conn-hs").await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(integration_rows(&w.app).await.is_empty());
    // Ana connects HubSpot; Bob still cannot disconnect it.
    let r = w.callback(&w.ana, "hubspot", "conn-hs").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = w
        .call("DELETE", "/api/auth/integrations/hubspot", &bob, None)
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(w.nango.has_connection("hubspot", "conn-hs"));

    // Bob connects his own calendar.
    let r = w
        .call(
            "GET",
            "/api/auth/connect/google_calendar/session",
            &bob,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let session = w.nango.last_session();
    assert_eq!(session.tags["end_user_id"], bob.id);
    assert_eq!(session.tags["organization_id"], w.org_a);
    w.nango
        .add_connection("google-calendar", "cal-bob", tags(&w.org_a, &bob.id));
    w.nango
        .add_connection("google-calendar", "cal-ana", tags(&w.org_a, &w.ana.id));
    // Not someone else's calendar, even in the same organization.
    let r = w.callback(&bob, "google_calendar", "cal-ana").await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("another member"));
    let r = w.callback(&bob, "google-calendar", "cal-bob").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let dto = r.json();
    assert_eq!(dto["scope"], "user");
    assert_eq!(dto["user_id"], bob.id.as_str());
    // Ana connects hers too: one row per member.
    let r = w.callback(&w.ana, "google_calendar", "cal-ana").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_ne!(r.json()["id"], dto["id"]);

    let bobs: Vec<String> = w
        .list(&bob)
        .await
        .iter()
        .map(|i| i["provider"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(bobs, vec!["google_calendar", "hubspot"]);
    // Everyone sees who in the team connected a calendar (never its events); HubSpot, an
    // organization source, names nobody. Only HubSpot syncs in this build.
    let available = w
        .call("GET", "/api/auth/available-integrations", &bob, None)
        .await
        .json();
    let by = |p: &str| {
        available
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["provider"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by("google_calendar")["connected_users"],
        json!([bob.id, w.ana.id]),
        "{available}"
    );
    assert_eq!(by("hubspot")["connected_users"], json!([]));
    assert_eq!(by("hubspot")["syncable"], true);
    assert_eq!(by("google_calendar")["syncable"], true);
    assert_eq!(by("salesforce")["syncable"], true);
    let db = w.app.db.client().await;
    let row = db
        .query_one(
            "SELECT scope, user_id::text, created_by::text FROM integrations WHERE nango_connection_id = 'cal-bob'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "user");
    assert_eq!(row.get::<_, String>(1), bob.id);
    assert_eq!(row.get::<_, String>(2), bob.id);

    // Bob disconnects his calendar only.
    let r = w
        .call(
            "DELETE",
            "/api/auth/integrations/google-calendar",
            &bob,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!w.nango.has_connection("google-calendar", "cal-bob"));
    assert!(w.nango.has_connection("google-calendar", "cal-ana"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_deletes_the_nango_connection_and_keeps_the_row_inactive() {
    let w = World::new().await;
    w.nango
        .add_connection("salesforce", "sf-1", tags(&w.org_a, &w.ana.id));
    let connected = w.callback(&w.ana, "salesforce", "sf-1").await.json();

    let r = w
        .call("DELETE", "/api/auth/integrations/salesforce", &w.ana, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["is_active"], false);
    assert_eq!(
        w.nango.state(|s| s.deleted.clone()),
        vec![("salesforce".to_owned(), "sf-1".to_owned())]
    );
    let listed = w.list(&w.ana).await;
    assert_eq!(listed.len(), 1, "the row is kept");
    assert_eq!(listed[0]["is_active"], false);
    let r = w
        .call("DELETE", "/api/auth/integrations/salesforce", &w.ana, None)
        .await;
    assert_eq!(r.status, 404, "already disconnected: {}", r.text());
    let r = w
        .call("DELETE", "/api/auth/integrations/slack", &w.ana, None)
        .await;
    assert_eq!(r.status, 404, "never connected: {}", r.text());
    let r = w
        .call("DELETE", "/api/auth/integrations/dropbox", &w.ana, None)
        .await;
    assert_eq!(
        r.status,
        400,
        "not a provider the API declares: {}",
        r.text()
    );
    assert_eq!(r.error_code(), "bad_request");

    // Reconnecting reactivates the same row with the new connection id.
    w.nango
        .add_connection("salesforce", "sf-2", tags(&w.org_a, &w.ana.id));
    let r = w.callback(&w.ana, "salesforce", "sf-2").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], connected["id"]);
    assert_eq!(r.json()["is_active"], true);
    assert_eq!(
        integration_rows(&w.app).await,
        vec![("salesforce".into(), true, Some("sf-2".into()), None)]
    );

    // Deleted in Nango behind our back: disconnecting still works.
    w.nango.remove_connection("salesforce", "sf-2");
    let r = w
        .call("DELETE", "/api/auth/integrations/salesforce", &w.ana, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["is_active"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_authenticated_by_their_signature() {
    let w = World::new().await;
    w.nango
        .add_connection("slack", "slack-1", tags(&w.org_a, &w.ana.id));
    let creation = json!({
        "from": "nango", "type": "auth", "operation": "creation", "success": true,
        "connectionId": "slack-1", "providerConfigKey": "slack", "provider": "slack",
        "authMode": "OAUTH2", "environment": "PROD",
        "tags": {"organization_id": w.org_a, "end_user_id": w.ana.id}
    });

    let r = w.webhook(&creation, None).await;
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(r.error_code(), "unauthorized");
    let wrong = webhook::sign(b"some other key", creation.to_string().as_bytes());
    let r = w.webhook(&creation, Some(&wrong)).await;
    assert_eq!(r.status, 401, "{}", r.text());
    let r = w.webhook(&creation, Some("not-hex")).await;
    assert_eq!(r.status, 401, "{}", r.text());
    // A valid signature over a different body.
    let mut forged = creation.clone();
    forged["connectionId"] = json!("slack-2");
    let sig = webhook::sign(WEBHOOK_SECRET.as_bytes(), creation.to_string().as_bytes());
    let r = w.webhook(&forged, Some(&sig)).await;
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(integration_rows(&w.app).await.is_empty());

    let r = w.signed_webhook(&creation).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"], "recorded");
    let listed = w.list(&w.ana).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["provider"], "slack");
    assert_eq!(listed[0]["is_active"], true);

    // A token refresh failure marks the integration.
    let refresh = json!({
        "from": "nango", "type": "auth", "operation": "refresh", "success": false,
        "connectionId": "slack-1", "providerConfigKey": "slack", "provider": "slack",
        "authMode": "OAUTH2", "environment": "PROD",
        "error": {"type": "refresh_token_external_error", "description": "invalid_grant: token revoked"}
    });
    let r = w.signed_webhook(&refresh).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"], "refresh_failed");
    let listed = w.list(&w.ana).await;
    assert_eq!(
        listed[0]["last_error"],
        "token refresh failed: invalid_grant: token revoked"
    );
    // Re-authorizing (override) clears it.
    let mut override_hook = creation.clone();
    override_hook["operation"] = json!("override");
    let r = w.signed_webhook(&override_hook).await;
    assert_eq!(r.json()["result"], "recorded");
    assert_eq!(w.list(&w.ana).await[0]["last_error"], Value::Null);

    // Unknown types and foreign integrations are acknowledged and ignored.
    for body in [
        json!({"from": "nango", "type": "sync", "syncName": "deals", "model": "Deal", "success": true, "connectionId": "slack-1", "providerConfigKey": "slack"}),
        json!({"from": "nango", "type": "forward", "connectionId": "x", "providerConfigKey": "github", "payload": {}}),
        json!({"from": "nango", "type": "auth", "operation": "creation", "success": true, "connectionId": "gh-1", "providerConfigKey": "github"}),
        json!({"from": "nango", "type": "auth", "operation": "creation", "success": false, "connectionId": "slack-1", "providerConfigKey": "slack"}),
    ] {
        let r = w.signed_webhook(&body).await;
        assert_eq!(r.status, 200, "{body}: {}", r.text());
        assert_eq!(r.json()["result"], "ignored", "{body}");
    }

    // A connection Nango does not know: nothing to retry, acknowledged.
    let mut unknown = creation.clone();
    unknown["connectionId"] = json!("slack-deleted");
    let r = w.signed_webhook(&unknown).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"], "ignored");

    // A connection Nango tags with another (unknown) organization records nothing, whatever the
    // webhook body claims.
    let stranger = uuid::Uuid::new_v4().to_string();
    w.nango
        .add_connection("hubspot", "hs-x", tags(&stranger, &w.ana.id));
    let mut hook = creation.clone();
    hook["connectionId"] = json!("hs-x");
    hook["providerConfigKey"] = json!("hubspot");
    let r = w.signed_webhook(&hook).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"], "ignored");
    // A member's session cannot produce an organization-wide connection.
    let bob = w.member("bob@acme.com").await;
    w.nango
        .add_connection("hubspot", "hs-bob", tags(&w.org_a, &bob.id));
    hook["connectionId"] = json!("hs-bob");
    let r = w.signed_webhook(&hook).await;
    assert_eq!(r.json()["result"], "ignored");
    assert_eq!(integration_rows(&w.app).await.len(), 1, "only slack");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_nango_settings_connecting_is_unavailable_but_lists_work() {
    let app = TestApp::spawn().await;
    let ana = register(&app, "ana@acme.com", None).await;
    create_org(&app, &ana, "Acme").await;
    let client = app.client();
    for (method, path, body) in [
        ("GET", "/api/auth/connect/hubspot/session", None),
        ("GET", "/api/auth/connect/google_calendar", None),
        (
            "POST",
            "/api/auth/callback",
            Some(json!({"provider": "hubspot", "connection_id": "c-1"})),
        ),
    ] {
        let r = client
            .call(method, path, Some(&ana.token), body.as_ref())
            .await;
        assert_eq!(r.status, 503, "{path}: {}", r.text());
        assert_eq!(r.error_code(), "integrations_unavailable");
        assert!(r.text().contains("NANGO_SECRET_KEY"), "{}", r.text());
    }
    let r = client
        .call(
            "GET",
            "/api/auth/available-integrations",
            Some(&ana.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["nango_configured"] == false && a["connected"] == false)
    );
    let r = client
        .call("GET", "/api/auth/integrations", Some(&ana.token), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!([]));
    let r = client
        .post_json(
            "/api/webhooks/nango",
            &json!({"type": "auth"}),
            &[("x-nango-hmac-sha256", "00")],
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("NANGO_WEBHOOK_SECRET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nango_credentials_fetch_fresh_tokens_and_force_refresh() {
    let nango = FakeNango::start().await;
    let first = nango.add_connection("hubspot", "conn-1", json!({"organization_id": "o"}));
    let host = url::Url::parse(&nango.url).unwrap();
    let client = Arc::new(NangoClient::new(&host, Secret::new(nango.secret.clone())));
    let creds = NangoCredentials::new(client.clone(), "conn-1".into(), "hubspot".into());
    let (a, b, refreshed, again) = tokio::task::spawn_blocking(move || {
        let a = creds.access_token(false).unwrap();
        let b = creds.access_token(false).unwrap();
        let refreshed = creds.access_token(true).unwrap();
        let again = creds.access_token(false).unwrap();
        (a, b, refreshed, again)
    })
    .await
    .unwrap();
    assert_eq!(a, first);
    assert_eq!(b, first, "no refresh unless asked");
    assert_ne!(refreshed, first, "force_refresh rotates the token");
    assert_eq!(again, refreshed);
    assert_eq!(nango.state(|s| s.refreshes), 1);
    assert_eq!(
        nango.state(|s| s.gets.len()),
        2,
        "a connection is reused for a while unless a refresh is forced"
    );
    assert_eq!(
        nango.state(|s| s.gets.iter().filter(|g| g.2).count()),
        1,
        "force_refresh=true sent exactly once"
    );

    // A token close to its expiry is never reused: each use asks Nango.
    nango.set_token_lifetime(chrono::TimeDelta::minutes(3));
    let short = NangoCredentials::new(client.clone(), "conn-1".into(), "hubspot".into());
    let before = nango.state(|s| s.gets.len());
    tokio::task::spawn_blocking(move || {
        short.access_token(false).unwrap();
        short.access_token(false).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(nango.state(|s| s.gets.len()), before + 2);

    // Unknown connection, and a wrong secret key: authentication failures without the key.
    let missing = NangoCredentials::new(client.clone(), "nope".into(), "hubspot".into());
    let wrong_key = "11111111-2222-4333-8444-555555555555";
    let bad = NangoCredentials::new(
        Arc::new(NangoClient::new(&host, Secret::new(wrong_key.into()))),
        "conn-1".into(),
        "hubspot".into(),
    );
    let (missing, bad) =
        tokio::task::spawn_blocking(move || (missing.access_token(false), bad.access_token(false)))
            .await
            .unwrap();
    assert!(
        matches!(&missing, Err(ConnectorError::Auth(m)) if m.contains("Failed to find connection")),
        "{missing:?}"
    );
    match bad {
        Err(ConnectorError::Auth(m)) => {
            assert!(!m.contains(wrong_key), "the secret leaked: {m}");
            assert!(m.contains("secret key"), "{m}");
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
    assert_eq!(nango.state(|s| s.unauthorized), 1);
}
