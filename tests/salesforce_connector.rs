//! The Salesforce connector against the stateful fake Salesforce: backfill of every object
//! compared field by field with the fake's records, incremental runs with updates and deletes,
//! resuming from a mid-run cursor, expired query locators, session refresh, request limits,
//! 5xx retries and malformed records. No database: `fetch_page` is driven in a loop like the
//! sync engine does.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use common::fake_salesforce::{Dataset, FakeSalesforce, Fault};
use revtops::connectors::rows::{
    AccountRow, ActivityRow, ActivityType, ContactRow, DealRow, Rows, StageRow, UserRow, decimal,
};
use revtops::connectors::salesforce::SalesforceConnector;
use revtops::connectors::salesforce::mapping::parse_datetime;
use revtops::connectors::{
    Connector, ConnectorError, ConnectorOptions, Credentials, ObjectSpec, SkippedRecord,
};
use serde_json::{Value, json};

const OVERLAP: Duration = Duration::from_secs(60);

/// Hands out the fake's token and instance; a forced refresh fetches the current token.
struct FakeCredentials {
    fake: Arc<FakeSalesforce>,
    token: Mutex<String>,
    refreshes: AtomicUsize,
    instance: Option<String>,
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

    fn instance_url(&self) -> Result<Option<String>, ConnectorError> {
        Ok(self.instance.clone())
    }
}

struct Harness {
    fake: Arc<FakeSalesforce>,
    credentials: Arc<FakeCredentials>,
    connector: Arc<SalesforceConnector>,
}

#[derive(Debug, Default)]
struct Drained {
    rows: Vec<Rows>,
    skipped: Vec<SkippedRecord>,
    cursor: Value,
    pages: usize,
    done: bool,
}

macro_rules! rows_of {
    ($name:ident, $variant:ident, $row:ty) => {
        fn $name(&self) -> Vec<$row> {
            self.rows
                .iter()
                .flat_map(|r| match r {
                    Rows::$variant(v) => v.clone(),
                    _ => vec![],
                })
                .collect()
        }
    };
}

impl Drained {
    rows_of!(users, Users, UserRow);
    rows_of!(stages, PipelineStages, StageRow);
    rows_of!(accounts, Accounts, AccountRow);
    rows_of!(contacts, Contacts, ContactRow);
    rows_of!(deals, Deals, DealRow);
    rows_of!(activities, Activities, ActivityRow);

    fn len(&self) -> usize {
        self.rows.iter().map(Rows::len).sum()
    }

    fn since(&self) -> DateTime<Utc> {
        serde_json::from_value(self.cursor["since"].clone()).expect("a since cursor")
    }
}

impl Harness {
    async fn start(data: Dataset) -> Self {
        Self::with_instance(data, true).await
    }

    async fn with_instance(data: Dataset, instance: bool) -> Self {
        let fake = Arc::new(FakeSalesforce::start(data).await);
        let credentials = Arc::new(FakeCredentials {
            token: Mutex::new(fake.current_token()),
            instance: instance.then(|| format!("{}/", fake.base_url())),
            fake: fake.clone(),
            refreshes: AtomicUsize::new(0),
        });
        let connector = Arc::new(Self::connector(&credentials));
        Self {
            fake,
            credentials,
            connector,
        }
    }

    fn connector(credentials: &Arc<FakeCredentials>) -> SalesforceConnector {
        let options = ConnectorOptions {
            retry_base: Duration::from_millis(5),
            max_attempts: 4,
            overlap: OVERLAP,
            ..ConnectorOptions::default()
        };
        SalesforceConnector::new("v62.0".into(), credentials.clone(), options)
    }

    /// Fetches pages of `name` until done (or `max_pages`), on a blocking thread.
    async fn drain_with(
        connector: Arc<SalesforceConnector>,
        name: &str,
        cursor: Value,
        max_pages: usize,
    ) -> Result<Drained, ConnectorError> {
        let spec: ObjectSpec = *connector.objects().iter().find(|o| o.name == name).unwrap();
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

    async fn drain(&self, name: &str, cursor: Value) -> Result<Drained, ConnectorError> {
        Self::drain_with(self.connector.clone(), name, cursor, 10_000).await
    }

    fn refreshes(&self) -> usize {
        self.credentials.refreshes.load(Ordering::SeqCst)
    }

    /// The fake's records of `sobject` by Id.
    fn truth(&self, sobject: &str) -> HashMap<String, Value> {
        self.fake
            .records(sobject)
            .into_iter()
            .map(|r| (r["Id"].as_str().unwrap().to_owned(), r))
            .collect()
    }
}

fn data() -> Dataset {
    Dataset {
        users: 5,
        accounts: 40,
        contacts: 60,
        opportunities: 75,
        tasks: 50,
        events: 30,
        multi_currency: true,
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn dt(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().and_then(parse_datetime)
}

fn prefixed(v: &Value, prefix: &str) -> Option<String> {
    text(v).filter(|s| s.starts_with(prefix))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_of_every_object_matches_the_fake_field_by_field() {
    let h = Harness::start(data()).await;
    h.fake.set_batch_size(17);

    let users = h.drain("users", Value::Null).await.unwrap();
    let truth = h.truth("User");
    assert!(users.done && users.skipped.is_empty());
    assert_eq!(users.users().len(), truth.len());
    for u in users.users() {
        let t = &truth[&u.source_id];
        assert_eq!(u.email, text(&t["Email"]).map(|e| e.to_lowercase()));
        assert_eq!(u.name, text(&t["Name"]));
        assert!(!u.deleted);
        assert_eq!(u.custom_fields["IsActive"], t["IsActive"]);
    }

    let stages = h.drain("stages", Value::Null).await.unwrap().stages();
    let truth = h.truth("OpportunityStage");
    assert_eq!(stages.len(), truth.len());
    for s in &stages {
        let t = truth
            .values()
            .find(|t| t["ApiName"] == json!(s.source_id))
            .expect("stage source id is the ApiName");
        assert_eq!(s.label, t["MasterLabel"].as_str().unwrap());
        assert_eq!(s.display_order as i64, t["SortOrder"].as_i64().unwrap());
        let p = t["DefaultProbability"].as_f64().unwrap() / 100.0;
        assert_eq!(s.probability, Some(p));
        assert_eq!(s.is_closed, t["IsClosed"].as_bool().unwrap());
        assert_eq!(s.is_won, t["IsWon"].as_bool().unwrap());
    }
    let stage_ids: BTreeSet<String> = stages.iter().map(|s| s.source_id.clone()).collect();

    let accounts = h.drain("accounts", Value::Null).await.unwrap();
    assert!(accounts.pages > 1, "40 accounts in batches of 17");
    let truth = h.truth("Account");
    assert_eq!(accounts.accounts().len(), truth.len());
    for a in accounts.accounts() {
        let t = &truth[&a.source_id];
        assert_eq!(a.name, t["Name"].as_str().unwrap());
        let n = a.source_id[3..15].parse::<u64>().unwrap();
        assert_eq!(a.domain, Some(format!("account{n}.test")));
        assert_eq!(a.industry, text(&t["Industry"]));
        assert_eq!(
            a.employee_count.map(i64::from),
            t["NumberOfEmployees"].as_i64()
        );
        assert_eq!(a.annual_revenue, decimal(&t["AnnualRevenue"].to_string()));
        assert_eq!(a.owner_source_id, text(&t["OwnerId"]));
        assert_eq!(a.source_created_at, dt(&t["CreatedDate"]));
        assert_eq!(a.source_updated_at, dt(&t["SystemModstamp"]));
        assert_eq!(
            a.custom_fields.get("Region__c"),
            t.get("Region__c").filter(|v| !v.is_null())
        );
        assert!(!a.deleted);
    }

    let contacts = h.drain("contacts", Value::Null).await.unwrap();
    let truth = h.truth("Contact");
    assert_eq!(contacts.contacts().len(), truth.len());
    let mut linked = 0;
    for c in contacts.contacts() {
        let t = &truth[&c.source_id];
        assert_eq!(c.first_name, text(&t["FirstName"]));
        assert_eq!(c.last_name, text(&t["LastName"]));
        assert_eq!(c.name, text(&t["Name"]));
        assert_eq!(c.email, text(&t["Email"]).map(|e| e.to_lowercase()));
        assert_eq!(c.title, text(&t["Title"]));
        assert_eq!(c.phone, text(&t["Phone"]));
        assert_eq!(c.account_source_id, text(&t["AccountId"]));
        assert_eq!(c.owner_source_id, text(&t["OwnerId"]));
        linked += c.account_source_id.is_some() as usize;
    }
    assert!(linked > 40 && linked < 60, "most contacts have an account");

    let deals = h.drain("deals", Value::Null).await.unwrap();
    let truth = h.truth("Opportunity");
    assert_eq!(deals.deals().len(), truth.len());
    for d in deals.deals() {
        let t = &truth[&d.source_id];
        assert_eq!(d.name, t["Name"].as_str().unwrap());
        assert_eq!(d.amount, decimal(&t["Amount"].to_string()));
        assert_eq!(d.currency, text(&t["CurrencyIsoCode"]));
        assert_eq!(d.stage_source_id, text(&t["StageName"]));
        assert!(stage_ids.contains(d.stage_source_id.as_ref().unwrap()));
        assert_eq!(d.probability, t["Probability"].as_f64().map(|p| p / 100.0));
        assert_eq!(
            d.close_date,
            NaiveDate::parse_from_str(t["CloseDate"].as_str().unwrap(), "%Y-%m-%d").ok()
        );
        assert_eq!(d.owner_source_id, text(&t["OwnerId"]));
        assert_eq!(d.account_source_id, text(&t["AccountId"]));
        assert_eq!(d.custom_fields["Deal_Score__c"], t["Deal_Score__c"]);
        assert_eq!(d.source_updated_at, dt(&t["SystemModstamp"]));
    }

    for (name, sobject) in [("tasks", "Task"), ("events", "Event")] {
        let drained = h.drain(name, Value::Null).await.unwrap();
        let truth = h.truth(sobject);
        let rows = drained.activities();
        assert_eq!(rows.len(), truth.len(), "{name}");
        let (mut contacts, mut accounts, mut deals) = (0, 0, 0);
        for a in &rows {
            let t = &truth[&a.source_id];
            assert_eq!(a.subject, text(&t["Subject"]));
            assert_eq!(a.description, text(&t["Description"]));
            assert_eq!(a.owner_source_id, text(&t["OwnerId"]));
            assert_eq!(a.contact_source_id, prefixed(&t["WhoId"], "003"));
            assert_eq!(a.deal_source_id, prefixed(&t["WhatId"], "006"));
            let account =
                prefixed(&t["WhatId"], "001").or_else(|| prefixed(&t["AccountId"], "001"));
            assert_eq!(a.account_source_id, account);
            assert!(!a.deleted);
            contacts += a.contact_source_id.is_some() as usize;
            accounts += a.account_source_id.is_some() as usize;
            deals += a.deal_source_id.is_some() as usize;
            if sobject == "Task" {
                let kind = match t["TaskSubtype"].as_str().unwrap() {
                    "Call" => ActivityType::Call,
                    "Email" => ActivityType::Email,
                    _ => ActivityType::Task,
                };
                assert_eq!(a.kind, kind);
                assert_eq!(
                    a.duration_seconds.map(i64::from),
                    t["CallDurationInSeconds"].as_i64()
                );
                assert_eq!(a.activity_date, dt(&t["ActivityDate"]));
            } else {
                assert_eq!(a.kind, ActivityType::Meeting);
                assert_eq!(a.activity_date, dt(&t["StartDateTime"]));
                assert_eq!(a.duration_seconds, Some(1800));
                assert_eq!(a.is_private, t["IsPrivate"].as_bool().unwrap());
                assert_eq!(a.custom_fields["Location"], "Zoom");
            }
        }
        assert!(contacts > 0 && accounts > 0 && deals > 0, "{name} links");
    }
    assert_eq!(h.refreshes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_run_reads_changes_and_deletions_since_the_high_water_mark() {
    let h = Harness::start(Dataset {
        multi_currency: false,
        ..data()
    })
    .await;
    h.fake.set_batch_size(20);
    let backfill = h.drain("deals", Value::Null).await.unwrap();
    assert_eq!(backfill.len(), 75);
    assert!(
        h.fake.soql().iter().all(|q| !q.contains("CurrencyIsoCode")),
        "no CurrencyIsoCode without multi-currency"
    );
    assert!(backfill.deals().iter().all(|d| d.currency.is_none()));
    let since = backfill.since();
    let newest = h.fake.records("Opportunity").last().cloned().unwrap();
    assert_eq!(since, dt(&newest["SystemModstamp"]).unwrap() - OVERLAP);

    let (a, b, gone) = (
        "006000000000003AAA",
        "006000000000040AAA",
        "006000000000011AAA",
    );
    h.fake.update(
        "Opportunity",
        a,
        json!({"Amount": 999.99, "StageName": "Closed Won"}),
    );
    h.fake.update("Opportunity", b, json!({"Name": "Renamed"}));
    h.fake.delete("Opportunity", gone);

    let incremental = h.drain("deals", backfill.cursor.clone()).await.unwrap();
    assert!(incremental.done);
    let got: BTreeSet<String> = incremental
        .deals()
        .iter()
        .map(|d| d.source_id.clone())
        .collect();
    let floor = since.timestamp() * 1000; // SOQL literals are whole seconds
    let expected: BTreeSet<String> = h.fake.ids_since("Opportunity", floor).into_iter().collect();
    assert_eq!(
        got, expected,
        "exactly what changed since the high-water mark − overlap"
    );
    assert!(got.contains(a) && got.contains(b) && got.contains(gone));
    assert!(
        got.len() <= 3 + 3,
        "changed rows plus the overlap's last tie group"
    );
    let by_id: HashMap<_, _> = incremental
        .deals()
        .into_iter()
        .map(|d| (d.source_id.clone(), d))
        .collect();
    assert!(by_id[gone].deleted);
    assert!(!by_id[a].deleted && !by_id[b].deleted);
    assert_eq!(by_id[a].amount.as_deref(), Some("999.99"));
    assert_eq!(by_id[a].stage_source_id.as_deref(), Some("Closed Won"));
    assert_eq!(by_id[b].name, "Renamed");
    let last = h.fake.soql().last().cloned().unwrap();
    assert!(
        last.contains(&format!(
            "WHERE SystemModstamp >= {}",
            since.format("%Y-%m-%dT%H:%M:%SZ")
        )),
        "{last}"
    );

    // Caught up: the next run starts an overlap before the deletion and reads only that.
    let next_since = incremental.since();
    assert!(next_since > since);
    let again = h.drain("deals", incremental.cursor.clone()).await.unwrap();
    let overlap = h
        .fake
        .ids_since("Opportunity", next_since.timestamp() * 1000);
    assert_eq!(again.len(), overlap.len());
    assert!(
        again.len() <= 4,
        "the 3 changes and the newest record, all within a minute"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persisted_mid_run_cursor_resumes_with_the_next_batch() {
    let h = Harness::start(data()).await;
    h.fake.set_batch_size(10);
    let first = Harness::drain_with(h.connector.clone(), "contacts", Value::Null, 2)
        .await
        .unwrap();
    assert!(!first.done && first.len() == 20);
    assert!(
        first.cursor["next"]
            .as_str()
            .unwrap()
            .contains("/query/01g")
    );
    // A new process (fresh connector) picks up the cursor the engine persisted.
    let persisted: Value = serde_json::from_str(&first.cursor.to_string()).unwrap();
    let restarted = Arc::new(Harness::connector(&h.credentials));
    let rest = Harness::drain_with(restarted, "contacts", persisted, 100)
        .await
        .unwrap();
    assert!(rest.done);
    assert_eq!(h.fake.requests("queryAll"), 1, "the query was not re-run");
    let ids: BTreeSet<String> = first
        .contacts()
        .into_iter()
        .chain(rest.contacts())
        .map(|c| c.source_id)
        .collect();
    assert_eq!(ids.len(), 60);
    assert_eq!(first.len() + rest.len(), 60, "nothing read twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_locator_re_runs_the_query_from_the_high_water_mark() {
    let h = Harness::start(data()).await;
    h.fake.set_batch_size(10);
    let first = Harness::drain_with(h.connector.clone(), "deals", Value::Null, 3)
        .await
        .unwrap();
    assert!(!first.done);
    let high: DateTime<Utc> = serde_json::from_value(first.cursor["high"]["at"].clone()).unwrap();
    h.fake.expire_locators();
    let rest = h.drain("deals", first.cursor.clone()).await.unwrap();
    assert!(rest.done);
    assert_eq!(h.fake.requests("queryAll"), 2);
    let last = h.fake.soql().last().cloned().unwrap();
    assert!(
        last.contains(&format!(
            "WHERE SystemModstamp >= {}",
            high.format("%Y-%m-%dT%H:%M:%SZ")
        )),
        "{last}"
    );
    let ids: BTreeSet<String> = first
        .deals()
        .into_iter()
        .chain(rest.deals())
        .map(|d| d.source_id)
        .collect();
    assert_eq!(ids.len(), 75, "every deal read despite the expired locator");
    // Only the high-water mark's tie group is read again.
    assert!(first.len() + rest.len() <= 75 + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_session_is_refreshed_once_then_fails_as_auth() {
    let h = Harness::start(data()).await;
    h.fake.expire_token();
    let users = h.drain("users", Value::Null).await.unwrap();
    assert_eq!(users.len(), 5);
    assert_eq!(h.refreshes(), 1);
    assert_eq!(h.fake.requests("unauthorized"), 1);

    h.fake.reject_all(true);
    let err = h.drain("users", Value::Null).await.unwrap_err();
    match err {
        ConnectorError::Auth(m) => {
            assert!(
                m.contains("reconnect") && m.contains("INVALID_SESSION_ID"),
                "{m}"
            );
            assert!(!m.contains("token-"), "no token in errors: {m}");
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    assert_eq!(h.refreshes(), 2, "one refresh per call, no loop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_limits_end_the_run_or_are_waited_out() {
    let h = Harness::start(data()).await;
    h.fake.inject(&[Fault::TotalRequests]);
    let err = h.drain("users", Value::Null).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::RateLimited(m) if m.contains("TotalRequests")),
        "{err:?}"
    );

    h.fake.inject(&[
        Fault::ConcurrentRequests,
        Fault::ConcurrentRequests,
        Fault::Status500,
    ]);
    let users = h.drain("users", Value::Null).await.unwrap();
    assert_eq!(users.len(), 5);
    assert_eq!(h.fake.requests("faults"), 4);

    // More failures than attempts: the run fails with the last error, retries exhausted.
    h.fake.inject(&[Fault::Status500; 4]);
    let err = h.drain("users", Value::Null).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Api(m) if m.contains("gave up after 4 attempts")),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_record_is_skipped_and_the_rest_syncs() {
    let h = Harness::start(data()).await;
    h.fake.set_batch_size(25);
    h.fake.insert_raw(
        "Contact",
        "003zzzzzzzzzzzzAAA",
        json!({"LastName": "Ghost", "IsDeleted": false}),
    );
    h.fake.update(
        "Contact",
        "003000000000007AAA",
        json!({"CreatedDate": "yesterday"}),
    );
    let contacts = h.drain("contacts", Value::Null).await.unwrap();
    assert!(contacts.done);
    assert_eq!(contacts.len(), 60);
    assert_eq!(contacts.skipped.len(), 1);
    assert_eq!(contacts.skipped[0].source_id, None);
    assert!(contacts.skipped[0].reason.contains("Id"));
    let odd = contacts
        .contacts()
        .into_iter()
        .find(|c| c.source_id == "003000000000007AAA")
        .unwrap();
    assert_eq!(odd.source_created_at, None);
    assert_eq!(odd.custom_fields["CreatedDate"], "yesterday");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_problems_are_clear_errors() {
    let h = Harness::with_instance(data(), false).await;
    let err = h.drain("accounts", Value::Null).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Auth(m) if m.contains("no instance_url; reconnect")),
        "{err:?}"
    );

    let h = Harness::start(data()).await;
    h.fake.break_field("Opportunity", "Probability");
    let err = h.drain("deals", Value::Null).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Api(m) if m.contains("INVALID_FIELD") && m.contains("No such column 'Probability'")),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_hidden_from_the_user_are_left_out_of_the_query() {
    let h = Harness::start(data()).await;
    h.fake.hide_field("Opportunity", "Probability");
    h.fake.hide_field("OpportunityStage", "ApiName");
    let deals = h.drain("deals", Value::Null).await.unwrap();
    assert_eq!(deals.len(), 75);
    assert!(deals.deals().iter().all(|d| d.probability.is_none()));
    assert!(h.fake.soql().iter().all(|q| !q.contains("Probability")));
    // Without ApiName (older API versions) stages are keyed by MasterLabel.
    let stages = h.drain("stages", Value::Null).await.unwrap().stages();
    assert!(stages.iter().any(|s| s.source_id == "Negotiation/Review"));
    assert_eq!(h.fake.requests("describe"), 2, "one describe per object");
    let _ = h.drain("deals", Value::Null).await.unwrap();
    assert_eq!(h.fake.requests("describe"), 2, "the describe is cached");
}
