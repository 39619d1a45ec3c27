//! Slack syncs end to end: the real app (API trigger, background worker), fake Nango handing
//! out the fake Slack's bot token, and a fake Slack that holds history reads to one per window
//! as Slack does for unlisted apps. The tables are compared with the fake's truth: the same
//! message ids, channels the bot is not in left out, links to CRM contacts through authors and
//! mentions, increments that read only what is new, and a revoked token failing clearly.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::TestApp;
use common::accounts::admin_with_org;
use common::fake_nango::FakeNango;
use common::fake_slack::{FakeChannel, FakeSlack};
use serde_json::{Value, json};
use uuid::Uuid;

struct World {
    slack: std::sync::Arc<FakeSlack>,
    _nango: FakeNango,
    app: TestApp,
    token: String,
    org: Uuid,
}

fn channel(id: &str, name: &str, member: bool, generated: u64) -> FakeChannel {
    FakeChannel {
        id: id.into(),
        name: name.into(),
        member,
        generated,
        extras: Vec::new(),
    }
}

async fn world() -> World {
    let slack = std::sync::Arc::new(
        FakeSlack::start(vec![
            channel("C1", "deals", true, 40),
            channel("C2", "random", false, 5),
        ])
        .await,
    );
    let nango = FakeNango::start().await;
    let source = slack.clone();
    nango.issue_tokens_from(move || source.token());
    let app = TestApp::spawn_with(&[
        ("NANGO_HOST", nango.url.as_str()),
        ("NANGO_SECRET_KEY", nango.secret.as_str()),
        ("SLACK_BASE_URL", slack.base_url()),
        ("SYNC_WORKERS", "1"),
        ("SYNC_RETRY_BASE_MS", "20"),
    ])
    .await;
    let (token, user, org) = admin_with_org(&app, "ana@acme.com").await;
    let tags = json!({"organization_id": org.to_string(), "end_user_id": user.to_string()});
    nango.add_connection("slack", "conn-slack-1", tags);
    let db = app.db.client().await;
    db.execute(
        "INSERT INTO integrations (organization_id, provider, nango_connection_id)
         VALUES ($1, 'slack', 'conn-slack-1')",
        &[&org],
    )
    .await
    .unwrap();
    // Slack user U1 is a customer contact in the CRM.
    db.execute(
        "WITH a AS (INSERT INTO accounts (organization_id, source_system, source_id, name, domain)
                    VALUES ($1, 'hubspot', 'c-1', 'Acme One', 'acme1.com') RETURNING id)
         INSERT INTO contacts (organization_id, source_system, source_id, email, first_name, account_id)
         SELECT $1, 'hubspot', 'p-1', 'user1@acme1.com', 'One', a.id FROM a",
        &[&org],
    )
    .await
    .unwrap();
    World {
        slack,
        _nango: nango,
        app,
        token,
        org,
    }
}

impl World {
    async fn sync(&self) -> Value {
        common::runs::sync(&self.app, &self.token, self.org, "slack", false).await
    }

    async fn ids(&self) -> BTreeSet<String> {
        let db = self.app.db.client().await;
        db.query(
            "SELECT source_id FROM activities
              WHERE organization_id = $1 AND source_system = 'slack' AND type = 'message'
                AND deleted_at IS NULL",
            &[&self.org],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_backfill_and_an_increment_equal_slack() {
    let w = world().await;
    // One history read per second: 40 messages are three pages of 15, so the run waits twice.
    w.slack.throttle_history(Duration::from_secs(1));
    let mut events = w.app.state.sync.events.subscribe();
    // Pages this small are batched before they are written, but not across a wait: what was
    // read before the provider held the run back is in the table during the wait.
    let db = w.app.db.client().await;
    let finished = std::sync::atomic::AtomicBool::new(false);
    let watch = async {
        let mut seen = BTreeSet::new();
        while !finished.load(std::sync::atomic::Ordering::Relaxed) {
            let row = db
                .query_one(
                    "SELECT count(*) FROM activities WHERE organization_id = $1",
                    &[&w.org],
                )
                .await
                .unwrap();
            seen.insert(row.get::<_, i64>(0));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        seen
    };
    let sync = async {
        let run = w.sync().await;
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        run
    };
    let (run, seen) = tokio::join!(sync, watch);
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    assert_eq!(run["error_count"], json!(0), "{run}");
    let truth: BTreeSet<String> = w.slack.expected_ids().into_iter().collect();
    assert!(
        seen.iter().any(|&n| n > 0 && (n as usize) < truth.len()),
        "rows were written while the run waited: counts seen {seen:?}"
    );
    assert_eq!(
        truth.len(),
        40 + 8 * 2,
        "40 messages, 8 threads of 2 replies"
    );
    assert_eq!(w.ids().await, truth);
    assert!(w.slack.throttled() >= 1, "the fake held reads back");
    let mut estimates = Vec::new();
    while let Ok(event) = events.try_recv() {
        if event.throttled_for_secs.is_some() {
            estimates.push(event.done_in_secs);
        }
    }
    assert!(!estimates.is_empty(), "the run said it was throttled");
    assert!(
        estimates.iter().any(Option::is_some),
        "with an estimate: {estimates:?}"
    );

    // Links: a generated message i is by U(i%3+1) and mentions U((i+1)%3+1); U1 is the CRM
    // contact, so every message with U1 in it links to her and her company.
    let t0 = w.slack.t0();
    for i in 1..=40i64 {
        let id = format!("C1/{}.000000", t0 + i * 60);
        let row = db
            .query_one(
                "SELECT c.email, a.domain, x.participants
                   FROM activities x
                   LEFT JOIN contacts c ON c.id = x.contact_id
                   LEFT JOIN accounts a ON a.id = x.account_id
                  WHERE x.organization_id = $1 AND x.source_id = $2",
                &[&w.org, &id],
            )
            .await
            .unwrap();
        let linked = i % 3 != 1;
        assert_eq!(
            row.get::<_, Option<String>>(0).is_some(),
            linked,
            "message {i} contact"
        );
        if linked {
            assert_eq!(
                row.get::<_, Option<String>>(1).as_deref(),
                Some("acme1.com")
            );
        }
        assert!(!row.get::<_, Value>(2).as_array().unwrap().is_empty());
    }

    // Ten new messages: the increment reads only those (and their threads).
    w.slack.add_generated("C1", 10);
    let run = w.sync().await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    let new_truth: BTreeSet<String> = w.slack.expected_ids().into_iter().collect();
    assert_eq!(
        run["counts"]["messages"]["records"].as_u64(),
        Some((new_truth.len() - truth.len()) as u64),
        "{run}"
    );
    assert_eq!(w.ids().await, new_truth);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_fails_the_run_and_asks_to_reconnect() {
    let w = world().await;
    w.slack.revoke("token_revoked");
    let run = w.sync().await;
    assert_eq!(run["status"], json!("failed"), "{run}");
    let error = run["error"].as_str().unwrap();
    assert!(error.contains("reconnect Slack"), "{error}");
    let status = w
        .app
        .client()
        .call(
            "GET",
            &format!("/api/sync/{}/slack/status", w.org),
            Some(&w.token),
            None,
        )
        .await
        .json();
    assert!(
        status["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("reconnect Slack")),
        "{status}"
    );
    assert!(w.ids().await.is_empty());
}
