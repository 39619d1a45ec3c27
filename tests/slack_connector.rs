//! The Slack connector against the fake Slack: paging, threads, incremental `oldest`, channel
//! skips, throttled history reads, revoked tokens, malformed messages. No database.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fake_slack::{FakeChannel, FakeSlack};
use revtops::connectors::rows::{ActivityRow, Rows};
use revtops::connectors::slack::{
    DISTRIBUTED_APP_HISTORY_LIMIT, INTERNAL_APP_HISTORY_LIMIT, SlackConnector,
};
use revtops::connectors::{
    Connector, ConnectorError, ConnectorOptions, Credentials, SkippedRecord, Throttle,
};
use serde_json::{Value, json};

struct Token(String);

impl Credentials for Token {
    fn access_token(&self, _force_refresh: bool) -> Result<String, ConnectorError> {
        Ok(self.0.clone())
    }
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

fn connector(fake: &FakeSlack, notices: Arc<Mutex<Vec<Throttle>>>) -> Arc<SlackConnector> {
    connector_with_limit(fake, notices, DISTRIBUTED_APP_HISTORY_LIMIT)
}

fn connector_with_limit(
    fake: &FakeSlack,
    notices: Arc<Mutex<Vec<Throttle>>>,
    history_limit: u32,
) -> Arc<SlackConnector> {
    let options = ConnectorOptions {
        retry_base: Duration::from_millis(5),
        max_attempts: 3,
        on_throttle: Some(Arc::new(move |t| notices.lock().unwrap().push(t))),
        ..ConnectorOptions::default()
    };
    let base = url::Url::parse(fake.base_url()).unwrap();
    Arc::new(SlackConnector::new(
        base,
        Arc::new(Token(fake.token())),
        options,
        Duration::from_secs(90 * 86_400),
        history_limit,
    ))
}

type RunResult = Result<(Vec<ActivityRow>, Vec<SkippedRecord>, Value), ConnectorError>;

async fn run(connector: Arc<SlackConnector>, cursor: Value) -> RunResult {
    tokio::task::spawn_blocking(move || {
        let spec = connector.objects()[0];
        let (mut rows, mut skipped, mut cursor) = (Vec::new(), Vec::new(), cursor);
        for _ in 0..10_000 {
            let page = connector.fetch_page(&spec, &cursor)?;
            let Rows::Activities(r) = page.rows else {
                panic!("not activities")
            };
            rows.extend(r);
            skipped.extend(page.skipped);
            cursor = page.cursor;
            if page.done {
                return Ok((rows, skipped, cursor));
            }
        }
        panic!("never done")
    })
    .await
    .unwrap()
}

fn ids(rows: &[ActivityRow]) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| r.source_id.clone()).collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_pages_threads_links_and_skips_channels_not_joined() {
    let fake = FakeSlack::start(vec![
        channel("C1", "deal-acme", true, 40),
        channel("C2", "general", true, 3),
        channel("C3", "secret", false, 5),
    ])
    .await;
    let t = fake.t0() + 10;
    fake.add_message(
        "C2",
        json!({"type": "message", "user": "U1", "ts": format!("{t}.000100"),
               "text": "<@U2> see <https://www.initech.com/pricing|pricing> and globex.io"}),
    );
    fake.add_message(
        "C2",
        json!({"type": "message", "user": "U1", "ts": "garbage", "text": "bad ts"}),
    );
    fake.add_message(
        "C2",
        json!({"type": "message", "subtype": "channel_join", "user": "U3", "ts": format!("{t}.000200"), "text": "joined"}),
    );
    fake.add_message(
        "C2",
        json!({"type": "message", "subtype": "bot_message", "bot_id": "B1", "username": "deploybot", "ts": format!("{t}.000300"), "text": "deployed"}),
    );
    let (rows, skipped, _) = run(connector(&fake, Arc::default()), Value::Null)
        .await
        .unwrap();
    assert_eq!(ids(&rows), fake.expected_ids());
    // C3 is not listed as a member channel, so it is never read; the bad ts is skipped.
    assert_eq!(
        fake.requests("conversations.history"),
        4,
        "C1: 40 messages in 3 pages of 15, C2: 1 page"
    );
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].reason.contains("unreadable ts"));

    let linked = rows
        .iter()
        .find(|r| r.source_id == format!("C2/{t}.000100"))
        .unwrap();
    assert_eq!(linked.subject.as_deref(), Some("#general"));
    assert_eq!(
        linked.description.as_deref(),
        Some("@User 2 see <https://www.initech.com/pricing|pricing> and globex.io")
    );
    assert_eq!(linked.owner_email.as_deref(), Some("user1@acme1.com"));
    assert_eq!(linked.link_emails, ["user1@acme1.com", "user2@acme2.com"]);
    assert_eq!(
        linked.link_domains,
        ["acme1.com", "acme2.com", "initech.com", "globex.io"]
    );
    assert_eq!(
        linked.participants,
        json!([{"email": "user1@acme1.com", "name": "User 1"}, {"email": "user2@acme2.com", "name": "User 2"}])
    );
    let bot = rows
        .iter()
        .find(|r| r.source_id == format!("C2/{t}.000300"))
        .unwrap();
    assert_eq!(bot.custom_fields["is_bot"], json!(true));
    let reply = rows
        .iter()
        .find(|r| r.custom_fields.contains_key("thread_ts"))
        .unwrap();
    assert!(reply.description.as_deref().unwrap().starts_with("reply"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_run_reads_only_newer_messages() {
    let fake = FakeSlack::start(vec![channel("C1", "deal-acme", true, 7)]).await;
    let conn = connector(&fake, Arc::default());
    let (first, _, cursor) = run(conn.clone(), Value::Null).await.unwrap();
    assert_eq!(ids(&first), fake.expected_ids());
    fake.add_generated("C1", 3);
    let (second, _, _) = run(conn, cursor).await.unwrap();
    let t0 = fake.t0();
    let new: Vec<String> = (8..=10)
        .map(|i| format!("C1/{}.000000", t0 + i * 60))
        .collect();
    let mut expected = new.clone();
    expected.push(format!("C1/{}.000000", t0 + 10 * 60 + 1));
    expected.push(format!("C1/{}.000000", t0 + 10 * 60 + 2));
    expected.sort();
    assert_eq!(ids(&second), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_history_is_waited_and_complete() {
    let fake = FakeSlack::start(vec![
        channel("C1", "a", true, 20),
        channel("C2", "b", true, 4),
    ])
    .await;
    fake.throttle_history(Duration::from_secs(1));
    let notices = Arc::new(Mutex::new(Vec::new()));
    let (rows, _, _) = run(connector(&fake, notices.clone()), Value::Null)
        .await
        .unwrap();
    assert_eq!(ids(&rows), fake.expected_ids());
    assert!(fake.throttled() >= 1);
    let notices = notices.lock().unwrap();
    assert!(!notices.is_empty());
    assert!(
        notices
            .iter()
            .all(|n| n.wait >= Duration::from_secs(1) && n.done_in.is_some()),
        "{notices:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_tokens_are_auth_errors() {
    for code in ["invalid_auth", "token_revoked"] {
        let fake = FakeSlack::start(vec![channel("C1", "a", true, 2)]).await;
        fake.revoke(code);
        match run(connector(&fake, Arc::default()), Value::Null).await {
            Err(ConnectorError::Auth(msg)) => assert!(
                msg.contains("reconnect Slack") && msg.contains(code),
                "{msg}"
            ),
            other => panic!("{code}: {:?}", other.map(|r| r.0.len())),
        }
    }
}

/// An internal app (a bot token entered directly) reads 200 messages per request, Slack's
/// recommendation, where a distributed app is held to 15: the same rows in a thirteenth of the
/// history reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_apps_read_history_in_pages_of_200() {
    // One fake for both readings: its messages are dated from when it started, so two fakes
    // started a second apart would hold different ids.
    let fake = FakeSlack::start(vec![channel("C1", "deal-acme", true, 450)]).await;
    let mut read = Vec::new();
    for limit in [DISTRIBUTED_APP_HISTORY_LIMIT, INTERNAL_APP_HISTORY_LIMIT] {
        let before = fake.requests("conversations.history");
        let (rows, skipped, _) = run(
            connector_with_limit(&fake, Arc::default(), limit),
            Value::Null,
        )
        .await
        .unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(ids(&rows), fake.expected_ids());
        read.push((ids(&rows), fake.requests("conversations.history") - before));
    }
    assert_eq!(read[0].0, read[1].0, "the same messages either way");
    assert_eq!(read[0].1, 30, "450 messages in pages of 15");
    assert_eq!(read[1].1, 3, "450 messages in pages of 200");
}
