//! The Google Calendar connector against the fake: window backfill with paging, all-day,
//! recurring and cancelled events, syncToken increments, 410 recovery, 401 refresh, rate limits
//! and a malformed event skipped. No database: `fetch_page` is driven like the engine does.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::fake_google_calendar::{FakeGoogleCalendar, Fault};
use revtops::connectors::google_calendar::{GoogleCalendarConnector, Window};
use revtops::connectors::rows::{ActivityRow, Rows};
use revtops::connectors::{Connector, ConnectorError, ConnectorOptions, Credentials};
use serde_json::{Value, json};

const TOKEN: &str = "ya29.ana";

/// The first call hands out a stale token when `stale`; a forced refresh the real one.
struct FakeCredentials {
    stale: std::sync::atomic::AtomicBool,
    refreshes: AtomicUsize,
}

impl Credentials for FakeCredentials {
    fn access_token(&self, force_refresh: bool) -> Result<String, ConnectorError> {
        if force_refresh {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            self.stale.store(false, Ordering::SeqCst);
            return Ok(TOKEN.into());
        }
        Ok(if self.stale.load(Ordering::SeqCst) {
            "ya29.expired"
        } else {
            TOKEN
        }
        .into())
    }
}

fn at(days: i64, hour: u32) -> String {
    let d = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    format!("{}T{hour:02}:00:00+02:00", d)
}

fn events(fake: &FakeGoogleCalendar) {
    fake.add_calendar(TOKEN, "ana@acme.com");
    for i in 0..5 {
        fake.put(
            TOKEN,
            json!({
            "id": format!("t{i}"), "status": "confirmed", "summary": format!("Call {i}"),
            "start": {"dateTime": at(-i, 10)}, "end": {"dateTime": at(-i, 11)},
            "updated": "2025-05-01T08:00:00.000Z",
            "attendees": [{"email": "bob@customer.com", "responseStatus": "accepted"},
                          {"email": "ana@acme.com", "self": true}]}),
        );
    }
    let day = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
    let next = (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    fake.put(
        TOKEN,
        json!({"id": "allday", "status": "confirmed", "summary": "Offsite",
        "start": {"date": day}, "end": {"date": next}, "visibility": "private"}),
    );
    fake.put(
        TOKEN,
        json!({"id": "series_1", "recurringEventId": "series", "status": "confirmed",
        "start": {"dateTime": at(1, 9)}, "end": {"dateTime": at(1, 9)},
        "hangoutLink": "https://meet.google.com/abc"}),
    );
    fake.put(
        TOKEN,
        json!({"id": "old", "status": "confirmed",
        "start": {"dateTime": at(-200, 9)}, "end": {"dateTime": at(-200, 10)}}),
    );
    fake.put(
        TOKEN,
        json!({"id": "broken", "status": "confirmed", "start": {"dateTime": "later"}}),
    );
}

fn connector(
    fake: &FakeGoogleCalendar,
    stale: bool,
) -> (GoogleCalendarConnector, Arc<FakeCredentials>) {
    let credentials = Arc::new(FakeCredentials {
        stale: stale.into(),
        refreshes: AtomicUsize::new(0),
    });
    let options = ConnectorOptions {
        retry_base: Duration::from_millis(5),
        max_attempts: 4,
        ..ConnectorOptions::default()
    };
    let c = GoogleCalendarConnector::new(
        fake.base_url().parse().unwrap(),
        credentials.clone(),
        options,
        Window {
            past: Duration::from_secs(90 * 86_400),
            future: Duration::from_secs(30 * 86_400),
        },
    )
    .with_page_size(3);
    (c, credentials)
}

/// Runs the object to done from `cursor`: rows, skipped ids, pages, final cursor.
fn run(
    c: &GoogleCalendarConnector,
    mut cursor: Value,
) -> Result<(Vec<ActivityRow>, Vec<String>, usize, Value), ConnectorError> {
    let spec = c.objects()[0];
    let (mut rows, mut skipped, mut pages) = (Vec::new(), Vec::new(), 0);
    loop {
        let page = c.fetch_page(&spec, &cursor)?;
        pages += 1;
        let Rows::Activities(r) = page.rows else {
            panic!("activities")
        };
        rows.extend(r);
        skipped.extend(page.skipped.into_iter().filter_map(|s| s.source_id));
        cursor = page.cursor;
        if page.done {
            return Ok((rows, skipped, pages, cursor));
        }
    }
}

fn ids(rows: &[ActivityRow]) -> Vec<&str> {
    let mut v: Vec<&str> = rows.iter().map(|r| r.source_id.as_str()).collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_pages_the_window_then_syncs_increments_and_recovers_from_410() {
    let fake = FakeGoogleCalendar::start().await;
    events(&fake);
    let (c, _) = connector(&fake, false);
    let (rows, skipped, pages, cursor) =
        tokio::task::block_in_place(|| run(&c, Value::Null)).unwrap();
    assert_eq!(
        ids(&rows),
        ["allday", "series_1", "t0", "t1", "t2", "t3", "t4"]
    );
    assert_eq!(skipped, ["broken"]);
    assert_eq!(pages, 3);
    let first = &fake.requests()[0];
    assert_eq!(first["singleEvents"], "true");
    assert!(first.contains_key("timeMin") && first.contains_key("timeMax"));
    assert!(cursor["sync_token"].is_string());
    let allday = rows.iter().find(|r| r.source_id == "allday").unwrap();
    assert_eq!(allday.duration_seconds, Some(86_400));
    assert!(allday.is_private && allday.custom_fields["all_day"] == true);
    assert_eq!(allday.activity_date.unwrap().time(), chrono::NaiveTime::MIN);
    let series = rows.iter().find(|r| r.source_id == "series_1").unwrap();
    assert_eq!(series.custom_fields["recurring"], true);
    assert_eq!(
        series.custom_fields["conference_link"],
        "https://meet.google.com/abc"
    );
    let t0 = rows.iter().find(|r| r.source_id == "t0").unwrap();
    assert_eq!(t0.link_emails, ["bob@customer.com"]);
    assert_eq!(t0.owner_email.as_deref(), Some("ana@acme.com"));

    // Incremental: only what changed, with the sync token alone.
    fake.cancel(TOKEN, "t1");
    let mut t2 = fake.event(TOKEN, "t2").unwrap();
    t2["summary"] = json!("Renamed");
    fake.put(TOKEN, t2);
    let before = fake.requests().len();
    let (rows, _, _, cursor) = tokio::task::block_in_place(|| run(&c, cursor)).unwrap();
    assert_eq!(ids(&rows), ["t1", "t2"]);
    assert!(rows.iter().any(|r| r.source_id == "t1" && r.deleted));
    assert!(rows.iter().any(|r| r.subject.as_deref() == Some("Renamed")));
    let inc = &fake.requests()[before];
    assert!(inc.contains_key("syncToken") && !inc.contains_key("timeMin"));

    // 410: a full resync with deletions shown, so the cancelled event stays deleted.
    fake.cancel(TOKEN, "t3");
    fake.expire_sync_tokens(TOKEN);
    let (rows, _, _, cursor) = tokio::task::block_in_place(|| run(&c, cursor)).unwrap();
    assert!(rows.iter().any(|r| r.source_id == "t3" && r.deleted));
    assert!(rows.iter().any(|r| r.source_id == "t0" && !r.deleted));
    assert!(cursor["sync_token"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_once_on_401_retries_rate_limits_and_stops_on_daily_quota() {
    let fake = FakeGoogleCalendar::start().await;
    events(&fake);
    let (c, credentials) = connector(&fake, true);
    fake.fail_next(1, Fault::Forbidden("rateLimitExceeded"));
    fake.fail_next(1, Fault::Status(503));
    let (rows, _, _, _) = tokio::task::block_in_place(|| run(&c, Value::Null)).unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(credentials.refreshes.load(Ordering::SeqCst), 1);

    fake.fail_next(1, Fault::Forbidden("quotaExceeded"));
    let err = tokio::task::block_in_place(|| run(&c, Value::Null)).unwrap_err();
    assert!(
        matches!(err, ConnectorError::RateLimited(ref m) if m.contains("quotaExceeded")),
        "{err}"
    );
}
