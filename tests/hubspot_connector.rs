//! The HubSpot connector against the stateful fake HubSpot: backfill, incremental search past the
//! 10,000-result cap, deletes, resumption, retries, token refresh and malformed records. No
//! database: `fetch_page` is driven in a loop like the sync engine does.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::fake_hubspot::{Dataset, FakeHubSpot, Fault};
use revtops::connectors::hubspot::{HubSpotConnector, HubSpotOptions};
use revtops::connectors::rows::{ActivityRow, DealRow, Rows, UserRow};
use revtops::connectors::{Connector, ConnectorError, Credentials, ObjectSpec, SkippedRecord};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Hands out the fake's token; a forced refresh fetches the current one and is counted.
struct FakeCredentials {
    fake: Arc<FakeHubSpot>,
    token: Mutex<String>,
    refreshes: AtomicUsize,
}

impl Credentials for FakeCredentials {
    fn access_token(&self, force_refresh: bool) -> Result<String, ConnectorError> {
        let mut token = self.token.lock().unwrap();
        if force_refresh {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            *token = self.fake.current_token();
        }
        Ok(token.clone())
    }
}

struct Harness {
    fake: Arc<FakeHubSpot>,
    credentials: Arc<FakeCredentials>,
    connector: Arc<HubSpotConnector>,
    cancel: CancellationToken,
}

impl Harness {
    async fn start(data: Dataset) -> Self {
        let fake = Arc::new(FakeHubSpot::start(data).await);
        let credentials = Arc::new(FakeCredentials {
            token: Mutex::new(fake.current_token()),
            fake: fake.clone(),
            refreshes: AtomicUsize::new(0),
        });
        let cancel = CancellationToken::new();
        let options = HubSpotOptions {
            retry_base: Duration::from_millis(5),
            max_attempts: 4,
            overlap: Duration::from_secs(300),
            cancel: cancel.clone(),
            on_throttle: None,
        };
        let base = url::Url::parse(fake.base_url()).unwrap();
        let connector = Arc::new(HubSpotConnector::new(base, credentials.clone(), options));
        Self {
            fake,
            credentials,
            connector,
            cancel,
        }
    }

    fn spec(&self, name: &str) -> ObjectSpec {
        *self
            .connector
            .objects()
            .iter()
            .find(|o| o.name == name)
            .unwrap()
    }

    /// Fetches pages until the object is done (or `max_pages`), on a blocking thread.
    async fn drain(
        &self,
        name: &str,
        cursor: Value,
        max_pages: usize,
    ) -> Result<Drained, ConnectorError> {
        let connector = self.connector.clone();
        let spec = self.spec(name);
        tokio::task::spawn_blocking(move || {
            let mut out = Drained {
                cursor,
                ..Default::default()
            };
            while out.pages < max_pages {
                let page = connector.fetch_page(&spec, &out.cursor)?;
                out.pages += 1;
                out.rows.push(page.rows);
                out.skipped.extend(page.skipped);
                out.cursor = page.cursor;
                if page.done {
                    out.done = true;
                    break;
                }
            }
            Ok(out)
        })
        .await
        .unwrap()
    }

    async fn page(&self, name: &str) -> Result<(), ConnectorError> {
        self.drain(name, Value::Null, 1).await.map(|_| ())
    }

    fn refreshes(&self) -> usize {
        self.credentials.refreshes.load(Ordering::SeqCst)
    }
}

#[derive(Default)]
struct Drained {
    rows: Vec<Rows>,
    skipped: Vec<SkippedRecord>,
    cursor: Value,
    pages: usize,
    done: bool,
}

impl Drained {
    fn deals(&self) -> Vec<DealRow> {
        self.rows
            .iter()
            .flat_map(|r| match r {
                Rows::Deals(v) => v.clone(),
                _ => vec![],
            })
            .collect()
    }

    fn users(&self) -> Vec<UserRow> {
        self.rows
            .iter()
            .flat_map(|r| match r {
                Rows::Users(v) => v.clone(),
                _ => vec![],
            })
            .collect()
    }

    fn activities(&self) -> Vec<ActivityRow> {
        self.rows
            .iter()
            .flat_map(|r| match r {
                Rows::Activities(v) => v.clone(),
                _ => vec![],
            })
            .collect()
    }

    fn len(&self) -> usize {
        self.rows.iter().map(Rows::len).sum()
    }

    fn since(&self) -> DateTime<Utc> {
        serde_json::from_value(self.cursor["since"].clone()).expect("a since cursor")
    }
}

fn data(deals: u64) -> Dataset {
    Dataset {
        owners: 7,
        companies: 120,
        contacts: 150,
        deals,
        per_engagement_type: 130,
    }
}

fn ids(deals: &[DealRow]) -> BTreeSet<u64> {
    deals.iter().map(|d| d.source_id.parse().unwrap()).collect()
}

fn u64_ids(ids: Vec<String>) -> BTreeSet<u64> {
    ids.into_iter().map(|i| i.parse().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_pages_through_everything_and_matches_the_fake() {
    let h = Harness::start(data(2_345)).await;
    h.fake.archive("deals", 7);
    h.fake.archive("owners", 2);
    h.fake.archive("calls", 3);
    let started = Utc::now();

    let owners = h.drain("owners", Value::Null, 100).await.unwrap();
    assert!(owners.done && owners.cursor.is_null());
    let users = owners.users();
    assert_eq!(users.len(), 7);
    assert!(users.iter().find(|u| u.source_id == "2").unwrap().deleted);
    assert_eq!(users.iter().filter(|u| u.deleted).count(), 1);

    let stages = h.drain("pipelines", Value::Null, 10).await.unwrap();
    let Rows::PipelineStages(stages) = &stages.rows[0] else {
        panic!()
    };
    assert_eq!(stages.len(), h.fake.stage_count());
    let won = stages.iter().find(|s| s.source_id == "closedwon").unwrap();
    assert!(won.is_won && won.is_closed && won.probability == Some(1.0));
    assert_eq!(won.pipeline_label.as_deref(), Some("Sales Pipeline"));
    assert!(
        stages
            .iter()
            .any(|s| s.source_id == "renewal_won" && s.is_won)
    );
    assert!(stages.iter().all(|s| !s.is_won || s.is_closed));

    let deals = h.drain("deals", Value::Null, 1_000).await.unwrap();
    assert!(deals.done);
    assert!(deals.pages >= 24, "real paging: {} pages", deals.pages);
    let rows = deals.deals();
    let live: Vec<_> = rows.iter().filter(|d| !d.deleted).cloned().collect();
    assert_eq!(ids(&live), u64_ids(h.fake.live_ids("deals")));
    assert_eq!(live.len(), 2_344, "no duplicates");
    let deleted: Vec<_> = rows.iter().filter(|d| d.deleted).cloned().collect();
    assert_eq!(ids(&deleted), BTreeSet::from([7]));
    for row in &rows {
        let expected = h.fake.expected_deal(row.source_id.parse().unwrap());
        assert_eq!(row.name, expected.name);
        assert_eq!(
            row.stage_source_id.as_deref(),
            Some(expected.stage.as_str())
        );
        assert_eq!(row.pipeline.as_deref(), Some(expected.pipeline.as_str()));
        assert_eq!(row.account_source_id, expected.account_id);
        assert_eq!(row.owner_source_id, expected.owner_id);
        assert_eq!(
            row.amount,
            revtops::connectors::rows::decimal(&expected.amount)
        );
        assert!(row.close_date.is_some() && row.currency.is_some());
        if expected.amount == "n/a" {
            assert_eq!(row.custom_fields["amount"], "n/a");
        }
    }
    assert!(deals.skipped.is_empty());
    // Backfill start (our clock) minus the overlap is where the next run starts.
    let since = deals.since();
    assert!(since >= started - chrono::Duration::minutes(5) - chrono::Duration::seconds(1));
    assert!(since <= Utc::now() - chrono::Duration::minutes(5));

    let contacts = h.drain("contacts", Value::Null, 100).await.unwrap();
    let Rows::Contacts(first) = &contacts.rows[0] else {
        panic!()
    };
    assert_eq!(first[0].account_source_id.as_deref(), Some("2"));
    assert_eq!(contacts.len(), 150);

    let calls = h.drain("calls", Value::Null, 100).await.unwrap();
    let calls = calls.activities();
    assert_eq!(calls.len(), 130);
    assert!(
        calls
            .iter()
            .find(|c| c.source_id == "calls/3")
            .unwrap()
            .deleted
    );
    let call = calls.iter().find(|c| c.source_id == "calls/4").unwrap();
    assert_eq!(call.duration_seconds, Some(4));
    assert_eq!(call.deal_source_id.as_deref(), Some("5"));
    assert!(call.account_source_id.is_some() && call.contact_source_id.is_some());
    assert_eq!(
        calls
            .iter()
            .find(|c| c.source_id == "calls/5")
            .unwrap()
            .deal_source_id,
        None
    );
    for name in ["emails", "meetings", "notes", "tasks", "companies"] {
        let drained = h.drain(name, Value::Null, 100).await.unwrap();
        assert!(drained.done && drained.skipped.is_empty(), "{name}");
        assert_eq!(
            drained.len(),
            if name == "companies" { 120 } else { 130 },
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_secondly_rate_limit_is_waited_out() {
    let h = Harness::start(data(10)).await;
    let policy = "TEN_SECONDLY_ROLLING";
    h.fake.fail_next(
        "/crm/v3/objects/companies",
        1,
        Fault::RateLimit {
            policy,
            retry_after: Some(1),
        },
    );
    let began = std::time::Instant::now();
    h.page("companies").await.unwrap();
    assert!(
        began.elapsed() >= Duration::from_millis(900),
        "Retry-After honoured"
    );
    assert_eq!(h.fake.requests("/crm/v3/objects/companies"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_rate_limit_stops_at_once() {
    let h = Harness::start(data(10)).await;
    h.fake.fail_next(
        "/crm/v3/objects/deals",
        1,
        Fault::RateLimit {
            policy: "DAILY",
            retry_after: None,
        },
    );
    let err = h.page("deals").await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::RateLimited(ref m) if m.contains("daily")),
        "{err}"
    );
    assert_eq!(h.fake.requests("/crm/v3/objects/deals"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_then_give_up() {
    let h = Harness::start(data(10)).await;
    h.fake
        .fail_next("/crm/v3/objects/deals", 1, Fault::Status(502));
    h.fake
        .fail_next("/crm/v3/objects/deals", 2, Fault::Status(503));
    h.page("deals").await.unwrap();
    assert_eq!(h.fake.requests("/crm/v3/objects/deals"), 4);

    h.fake.fail_next("/crm/v3/owners", 4, Fault::Status(503));
    let err = h.page("owners").await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Api(ref m) if m.contains("503") && m.contains("4 attempts")),
        "{err}"
    );
    // Other 4xx are not retried and carry HubSpot's message and category.
    h.fake.fail_next("/crm/v3/pipelines", 1, Fault::Status(403));
    let err = h.page("pipelines").await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Api(ref m) if m.contains("403 INTERNAL_ERROR")),
        "{err}"
    );
    assert_eq!(h.fake.requests("/crm/v3/pipelines"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_is_refreshed_exactly_once() {
    let h = Harness::start(data(10)).await;
    h.fake.expire_token();
    h.page("deals").await.unwrap();
    assert_eq!(h.refreshes(), 1);
    h.page("contacts").await.unwrap();
    assert_eq!(h.refreshes(), 1, "the refreshed token is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_401_is_an_auth_error() {
    let h = Harness::start(data(10)).await;
    h.fake
        .fail_next("/crm/v3/objects/deals", 2, Fault::Unauthorized);
    let err = h.page("deals").await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Auth(ref m) if m.contains("INVALID_AUTHENTICATION")),
        "{err}"
    );
    assert!(
        !err.to_string().contains(&h.fake.current_token()),
        "no token in errors"
    );
    assert_eq!(h.refreshes(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_records_are_skipped_and_the_page_still_syncs() {
    let h = Harness::start(data(150)).await;
    h.fake.insert_malformed(
        "deals",
        json!({"id": "900001", "createdAt": "2025-01-01T00:00:00Z"}),
    );
    h.fake
        .insert_malformed("deals", json!({"properties": {"dealname": "no id"}}));
    h.fake.insert_malformed(
        "deals",
        json!({"id": "900003", "properties": {"dealname": "Odd",
        "amount": "12abc", "closedate": "someday", "hs_lastmodifieddate": "2025-01-01T00:00:00Z"}}),
    );
    let drained = h.drain("deals", Value::Null, 100).await.unwrap();
    let skipped: Vec<_> = drained
        .skipped
        .iter()
        .map(|s| s.source_id.clone())
        .collect();
    assert_eq!(skipped, vec![Some("900001".to_owned()), None]);
    let rows = drained.deals();
    assert_eq!(rows.len(), 151);
    let odd = rows.iter().find(|d| d.source_id == "900003").unwrap();
    assert_eq!((odd.amount.as_ref(), odd.close_date), (None, None));
    assert_eq!(odd.custom_fields["amount"], "12abc");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_returns_the_modified_records_and_deletes() {
    let h = Harness::start(data(800)).await;
    let backfill = h.drain("deals", Value::Null, 100).await.unwrap();
    assert_eq!(backfill.deals().len(), 800);
    for id in [5, 321, 777] {
        h.fake.modify("deals", id);
    }
    h.fake.archive("deals", 42);
    let searches = h.fake.requests("/crm/v3/objects/deals/search");
    let run = h
        .drain("deals", backfill.cursor.clone(), 100)
        .await
        .unwrap();
    assert!(run.done);
    assert_eq!(
        h.fake.requests("/crm/v3/objects/deals/search"),
        searches + 1
    );
    let rows = run.deals();
    let live: Vec<_> = rows.iter().filter(|d| !d.deleted).cloned().collect();
    assert_eq!(ids(&live), BTreeSet::from([5, 321, 777]));
    for row in &live {
        let expected = h.fake.expected_deal(row.source_id.parse().unwrap());
        assert!(row.name.ends_with(" v1"), "{}", row.name);
        assert_eq!(row.name, expected.name);
        assert_eq!(
            row.account_source_id, expected.account_id,
            "associations from the v4 batch read"
        );
    }
    let deleted: Vec<_> = rows.iter().filter(|d| d.deleted).cloned().collect();
    assert_eq!(ids(&deleted), BTreeSet::from([42]));
    // Next run starts from the newest change seen minus the overlap, never earlier than before.
    let newest = [5, 321, 777]
        .map(|id| h.fake.modified_at("deals", id))
        .into_iter()
        .max()
        .unwrap();
    assert_eq!(
        run.since().timestamp_millis(),
        (newest - 300_000).max(backfill.since().timestamp_millis())
    );
    // Nothing changed since: only the overlap window repeats (and the still-archived delete).
    let again = h.drain("deals", run.cursor.clone(), 100).await.unwrap();
    let again_live: Vec<_> = again.deals().into_iter().filter(|d| !d.deleted).collect();
    assert_eq!(ids(&again_live), BTreeSet::from([5, 321, 777]));
}

/// Counts rows per id: every expected id at least once, and re-reads (ties at a restart
/// timestamp) a bounded fraction. How many ties there are depends on how many modifications
/// land in the same millisecond, which varies with machine load (92–951 seen for 12,000).
fn assert_complete(rows: &[DealRow], expected: &BTreeSet<u64>, max_repeats: usize) {
    assert_eq!(&ids(rows), expected);
    let repeats = rows.len() - expected.len();
    assert!(repeats <= max_repeats, "{repeats} records read twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_past_the_10000_result_cap_loses_nothing() {
    let h = Harness::start(Dataset {
        owners: 3,
        companies: 50,
        contacts: 0,
        deals: 26_000,
        per_engagement_type: 0,
    })
    .await;
    // 12,000 modifications, many sharing a millisecond (the fake returns ties in no id order).
    let before = Utc::now() - chrono::Duration::seconds(1);
    for id in (1..=24_000).step_by(2) {
        h.fake.modify("deals", id);
    }
    let run = h
        .drain("deals", json!({ "since": before }), 1_000)
        .await
        .unwrap();
    assert!(run.done);
    let rows = run.deals();
    let expected: BTreeSet<u64> = (1..=24_000).step_by(2).collect();
    assert_complete(&rows, &expected, 2_500);
    assert!(
        rows.iter()
            .all(|d| d.name.ends_with(" v1") && d.account_source_id.is_some())
    );
    // A since in 2024 matches every untouched record from id 1,000 on, plus the modified ones.
    let old = json!({ "since": DateTime::from_timestamp_millis(1_704_067_200_000 + 1_000 * 60_000).unwrap() });
    let run = h.drain("deals", old, 1_000).await.unwrap();
    let expected: BTreeSet<u64> = (1_000..=26_000).chain((1..1_000).step_by(2)).collect();
    assert_complete(&run.deals(), &expected, 2_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_10000_records_sharing_one_timestamp_are_drained_by_id() {
    let h = Harness::start(Dataset {
        owners: 3,
        companies: 50,
        contacts: 0,
        deals: 14_000,
        per_engagement_type: 0,
    })
    .await;
    let before = Utc::now() - chrono::Duration::seconds(1);
    for id in 1..=300 {
        h.fake.modify("deals", id);
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    // A bulk update: 10,500 records with the very same last-modified time.
    h.fake.bulk_modify("deals", 1_001..=11_500);
    tokio::time::sleep(Duration::from_millis(5)).await;
    for id in 13_001..=13_200 {
        h.fake.modify("deals", id);
    }
    let run = h
        .drain("deals", json!({ "since": before }), 1_000)
        .await
        .unwrap();
    assert!(run.done);
    let expected: BTreeSet<u64> = (1..=300)
        .chain(1_001..=11_500)
        .chain(13_001..=13_200)
        .collect();
    assert_complete(&run.deals(), &expected, 10_000);
    // A 10,000 window, the shared timestamp by id (10,500), then the rest: ~104 pages of 200.
    assert!(h.fake.requests("/crm/v3/objects/deals/search") <= 110);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_backfill_has_no_gaps_and_keeps_its_start() {
    let h = Harness::start(data(1_050)).await;
    let first = h.drain("deals", Value::Null, 4).await.unwrap();
    assert!(!first.done);
    assert_eq!(first.deals().len(), 400);
    let started = first.cursor["started"].clone();
    // A crash: a new connector (same fake) continues from the committed cursor.
    let resumed = Harness {
        fake: h.fake.clone(),
        credentials: h.credentials.clone(),
        connector: Arc::new(HubSpotConnector::new(
            url::Url::parse(h.fake.base_url()).unwrap(),
            h.credentials.clone(),
            HubSpotOptions {
                retry_base: Duration::from_millis(5),
                ..HubSpotOptions::default()
            },
        )),
        cancel: CancellationToken::new(),
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let rest = resumed
        .drain("deals", first.cursor.clone(), 100)
        .await
        .unwrap();
    assert!(rest.done);
    let mut all = ids(&first.deals());
    let later = ids(&rest.deals());
    assert!(all.is_disjoint(&later));
    all.extend(later);
    assert_eq!(all, u64_ids(h.fake.live_ids("deals")));
    let started: DateTime<Utc> = serde_json::from_value(started).unwrap();
    assert_eq!(rest.since(), started - chrono::Duration::minutes(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_stops_between_requests() {
    let h = Harness::start(data(10)).await;
    h.fake.fail_next(
        "/crm/v3/objects/deals",
        1,
        Fault::RateLimit {
            policy: "TEN_SECONDLY_ROLLING",
            retry_after: Some(1),
        },
    );
    let cancel = h.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
    });
    let err = h.page("deals").await.unwrap_err();
    assert!(matches!(err, ConnectorError::Cancelled), "{err}");
    assert!(matches!(
        h.page("deals").await,
        Err(ConnectorError::Cancelled)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_serves_a_million_records_lazily() {
    let h = Harness::start(Dataset {
        owners: 50,
        companies: 1_000_000,
        contacts: 0,
        deals: 1_000_000,
        per_engagement_type: 0,
    })
    .await;
    h.fake.archive("deals", 999_999);
    let began = std::time::Instant::now();
    let first = h.drain("deals", Value::Null, 3).await.unwrap();
    assert_eq!(ids(&first.deals()), (1..=300).collect());
    // Incremental from early 2024: the first pages of a million matches, in modified order.
    let since = json!({ "since": DateTime::from_timestamp_millis(1_704_067_200_000).unwrap() });
    let inc = h.drain("deals", since, 3).await.unwrap();
    assert_eq!(ids(&inc.deals()), (1..=600).collect());
    assert_eq!(h.fake.live_ids("deals").len(), 999_999);
    assert!(h.fake.expected_deal(999_999).archived);
    assert!(began.elapsed() < Duration::from_secs(20));
}
