//! Tokens entered directly (self-hosting without Nango): admins only, validated, sealed at rest,
//! never returned, used by the same connectors, forgotten on disconnect, and a ciphertext that
//! no longer opens fails the run with a clear error instead of syncing with garbage.

mod common;

use common::TestApp;
use common::accounts::{admin_with_org, invited_member};
use common::fake_hubspot::{Dataset, FakeHubSpot};
use common::fake_slack::{FakeChannel, FakeSlack};
use serde_json::{Value, json};
use uuid::Uuid;

const KEY: &str = "5f3c9a0e7d214b68a1c0ffee00112233445566778899aabbccddeeff00112233";

struct World {
    slack: FakeSlack,
    hub: FakeHubSpot,
    app: TestApp,
    token: String,
    org: Uuid,
}

async fn world() -> World {
    let slack = FakeSlack::start(vec![FakeChannel {
        id: "C1".into(),
        name: "deals".into(),
        member: true,
        generated: 20,
        extras: Vec::new(),
    }])
    .await;
    let hub = FakeHubSpot::start(Dataset {
        owners: 3,
        companies: 20,
        contacts: 30,
        deals: 25,
        per_engagement_type: 5,
    })
    .await;
    // No NANGO_SECRET_KEY: the tokens are the only way in.
    let app = TestApp::spawn_with(&[
        ("CREDENTIALS_KEY", KEY),
        ("SLACK_BASE_URL", slack.base_url()),
        ("HUBSPOT_BASE_URL", hub.base_url()),
        ("SYNC_WORKERS", "1"),
        ("SYNC_RETRY_BASE_MS", "20"),
    ])
    .await;
    let (token, _, org) = admin_with_org(&app, "ana@acme.com").await;
    World {
        slack,
        hub,
        app,
        token,
        org,
    }
}

impl World {
    async fn put_token(&self, token: &str, provider: &str, body: Value) -> common::http::Reply {
        self.app
            .client()
            .call(
                "PUT",
                &format!("/api/auth/integrations/{provider}/token"),
                Some(token),
                Some(&body),
            )
            .await
    }

    /// The newest run of `provider` once finished.
    async fn finished(&self, provider: &str) -> Value {
        common::runs::finished(&self.app, &self.token, provider, None).await
    }

    async fn count(&self, sql: &str) -> i64 {
        self.app
            .db
            .client()
            .await
            .query_one(sql, &[&self.org])
            .await
            .unwrap()
            .get(0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entered_slack_token_syncs_and_never_comes_back() {
    let w = world().await;
    let secret = w.slack.token();

    // Members cannot; bad shapes are refused with the reason.
    let (member, _) = invited_member(&w.app, &w.token, "bob@acme.com", "member").await;
    let r = w
        .put_token(&member, "slack", json!({"token": secret}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    for (body, says) in [
        (json!({}), "token is required"),
        (json!({"token": "xoxp-user-token"}), "starts with xoxb-"),
        (json!({"token": "xoxb-has space"}), "without spaces"),
    ] {
        let r = w.put_token(&w.token, "slack", body).await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(says), "{}", r.text());
    }
    let r = w
        .put_token(&w.token, "google_calendar", json!({"token": "ya29.x"}))
        .await;
    assert_eq!(
        r.status,
        400,
        "members connect calendars themselves: {}",
        r.text()
    );

    let r = w
        .put_token(&w.token, "slack", json!({"token": secret}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["credential"], json!("token"));
    assert_eq!(r.json()["is_active"], json!(true));
    assert!(!r.text().contains(&secret));

    // The initial sync runs on the entered token.
    let run = w.finished("slack").await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    assert_eq!(
        w.slack.requests("conversations.history"),
        1,
        "an entered bot token is the workspace's own app: 20 messages in one read of up to 200"
    );
    let want = w.slack.expected_ids().len() as i64;
    let have = w
        .count("SELECT count(*) FROM activities WHERE organization_id = $1 AND source_system = 'slack'")
        .await;
    assert_eq!(have, want);

    // Sealed at rest, absent from every answer.
    let sealed: Vec<u8> = w
        .app
        .db
        .client()
        .await
        .query_one(
            "SELECT credential_ciphertext FROM integrations WHERE organization_id = $1 AND provider = 'slack'",
            &[&w.org],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!sealed.windows(secret.len()).any(|s| s == secret.as_bytes()));
    for path in ["/api/auth/integrations", "/api/auth/available-integrations"] {
        let r = w.app.client().call("GET", path, Some(&w.token), None).await;
        assert_eq!(r.status, 200);
        assert!(!r.text().contains(&secret), "{path} leaks the token");
    }
    let available = w
        .app
        .client()
        .call(
            "GET",
            "/api/auth/available-integrations",
            Some(&w.token),
            None,
        )
        .await
        .json();
    let direct = |p: &str| {
        available
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["provider"] == json!(p))
            .unwrap()["direct_tokens"]
            .clone()
    };
    assert_eq!(
        (direct("slack"), direct("google_calendar")),
        (json!(true), json!(false))
    );

    // A ciphertext that no longer opens (tampered, or CREDENTIALS_KEY changed) fails clearly.
    w.app
        .db
        .client()
        .await
        .execute(
            "UPDATE integrations SET credential_ciphertext =
                    set_byte(credential_ciphertext, 20, get_byte(credential_ciphertext, 20) # 1)
              WHERE organization_id = $1 AND provider = 'slack'",
            &[&w.org],
        )
        .await
        .unwrap();
    let r = w
        .app
        .client()
        .call(
            "POST",
            &format!("/api/sync/{}/slack", w.org),
            Some(&w.token),
            None,
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let run = w.finished("slack").await;
    assert_eq!(run["status"], json!("failed"), "{run}");
    assert!(
        run["error"]
            .as_str()
            .unwrap()
            .contains("cannot be opened with the configured CREDENTIALS_KEY"),
        "{run}"
    );

    // Disconnecting forgets the token (no Nango involved).
    let r = w
        .app
        .client()
        .call(
            "DELETE",
            "/api/auth/integrations/slack",
            Some(&w.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let left = w
        .count(
            "SELECT count(*) FROM integrations WHERE organization_id = $1
                AND (credential_ciphertext IS NOT NULL OR credential_kind IS NOT NULL)",
        )
        .await;
    assert_eq!(left, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hubspot_private_app_token_syncs_and_a_refused_one_says_so() {
    let w = world().await;
    let r = w
        .put_token(&w.token, "hubspot", json!({"token": "pat-na1-wrong"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let run = w.finished("hubspot").await;
    assert_eq!(run["status"], json!("failed"), "{run}");
    assert!(
        run["error"].as_str().unwrap().contains("enter a valid one"),
        "{run}"
    );

    let r = w
        .put_token(&w.token, "hubspot", json!({"token": w.hub.current_token()}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let run = w.finished("hubspot").await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    let deals = w
        .count("SELECT count(*) FROM deals WHERE organization_id = $1 AND deleted_at IS NULL")
        .await;
    assert_eq!(deals as usize, w.hub.live_ids("deals").len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_credentials_key_tokens_cannot_be_entered() {
    let app = TestApp::spawn().await;
    let (token, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let r = app
        .client()
        .call(
            "PUT",
            "/api/auth/integrations/slack/token",
            Some(&token),
            Some(&json!({"token": "xoxb-1"})),
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("CREDENTIALS_KEY"), "{}", r.text());
}
