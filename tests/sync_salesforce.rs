//! Salesforce syncs end to end: the real app (API trigger, background worker), fake Nango
//! handing out the fake Salesforce's session with its `instance_url`, and the stateful fake
//! Salesforce paging `queryAll` in small batches. The tables are compared with the fake's
//! records field by field, links included; then an increment with updates and deletes, and the
//! same org connected with a connected app's client credentials instead of Nango.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::TestApp;
use common::accounts::admin_with_org;
use common::fake_nango::FakeNango;
use common::fake_salesforce::{Dataset, FakeSalesforce, Fault};
use serde_json::{Value, json};
use uuid::Uuid;

const DATA: Dataset = Dataset {
    users: 6,
    accounts: 60,
    contacts: 150,
    opportunities: 120,
    tasks: 90,
    events: 45,
    multi_currency: true,
};

/// (sobject, table, activity type).
const OBJECTS: [(&str, &str, Option<&str>); 6] = [
    ("User", "users", None),
    ("Account", "accounts", None),
    ("Contact", "contacts", None),
    ("Opportunity", "deals", None),
    ("Task", "activities", None),
    ("Event", "activities", Some("meeting")),
];

struct World {
    sf: Arc<FakeSalesforce>,
    _nango: Option<FakeNango>,
    app: TestApp,
    token: String,
    org: Uuid,
}

async fn start(sf: Arc<FakeSalesforce>, extra: &[(&str, &str)]) -> (TestApp, String, Uuid) {
    let mut vars = vec![("SYNC_WORKERS", "1"), ("SYNC_RETRY_BASE_MS", "20")];
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_with(&vars).await;
    let (token, _, org) = admin_with_org(&app, "ana@acme.com").await;
    sf.set_batch_size(40);
    (app, token, org)
}

/// Connected through Nango.
async fn world() -> World {
    let sf = Arc::new(FakeSalesforce::start(DATA).await);
    let nango = FakeNango::start().await;
    let source = sf.clone();
    nango.issue_tokens_from(move || source.current_token());
    let (app, token, org) = start(
        sf.clone(),
        &[
            ("NANGO_HOST", nango.url.as_str()),
            ("NANGO_SECRET_KEY", nango.secret.as_str()),
        ],
    )
    .await;
    nango.add_connection(
        "salesforce",
        "conn-sf-1",
        json!({"organization_id": org.to_string()}),
    );
    nango.set_connection_config(
        "salesforce",
        "conn-sf-1",
        json!({"instance_url": sf.base_url()}),
    );
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO integrations (organization_id, provider, nango_connection_id)
             VALUES ($1, 'salesforce', 'conn-sf-1')",
            &[&org],
        )
        .await
        .unwrap();
    World {
        sf,
        _nango: Some(nango),
        app,
        token,
        org,
    }
}

impl World {
    async fn sync(&self) -> Value {
        common::runs::sync(&self.app, &self.token, self.org, "salesforce", false).await
    }

    /// The newest run once finished.
    async fn newest(&self) -> Value {
        common::runs::finished(&self.app, &self.token, "salesforce", None).await
    }

    async fn rows(&self, sql: &str) -> Vec<tokio_postgres::Row> {
        self.app
            .db
            .client()
            .await
            .query(sql, &[&self.org])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }

    /// Every table against the fake: the same live ids, deleted ones soft-deleted, and deals,
    /// contacts and activities field by field with their links.
    async fn assert_matches_truth(&self) {
        for (sobject, table, kind) in OBJECTS {
            let records = self.sf.records(sobject);
            let truth = |deleted: bool| -> BTreeSet<String> {
                records
                    .iter()
                    .filter(|r| (r["IsDeleted"] == json!(true)) == deleted)
                    .map(|r| r["Id"].as_str().unwrap().to_owned())
                    .collect()
            };
            let filter = match kind {
                Some(k) => format!("AND type = '{k}'"),
                None if table == "activities" => "AND type <> 'meeting'".into(),
                None => String::new(),
            };
            let ids = |live: bool| {
                let sql = format!(
                    "SELECT source_id FROM {table} WHERE organization_id = $1
                        AND source_system = 'salesforce' {filter}
                        AND (deleted_at IS NULL) = {live}"
                );
                async move {
                    self.rows(&sql)
                        .await
                        .iter()
                        .map(|r| r.get::<_, String>(0))
                        .collect::<BTreeSet<_>>()
                }
            };
            assert_eq!(ids(true).await, truth(false), "{sobject}: live ids");
            assert!(
                truth(true).is_subset(&ids(false).await),
                "{sobject}: deleted ones soft-deleted"
            );
        }
        let by_id = |sobject: &str| -> BTreeMap<String, Value> {
            self.sf
                .records(sobject)
                .into_iter()
                .map(|r| (r["Id"].as_str().unwrap().to_owned(), r))
                .collect()
        };
        // A link holds while the record it names exists, deleted upstream or not (the row stays,
        // soft-deleted, and the history it explains stays readable).
        let known = |sobject: &str, id: Option<&str>| {
            id.and_then(|id| self.sf.record(sobject, id))
                .map(|r| r["Id"].as_str().unwrap().to_owned())
        };
        let opportunities = by_id("Opportunity");
        let deals = self
            .rows(
                "SELECT d.source_id, d.name, d.amount::float8, d.stage_id, a.source_id, o.source_id,
                        d.close_date::text, d.currency, d.is_closed, d.is_won, d.custom_fields
                   FROM deals d
                   LEFT JOIN accounts a ON a.id = d.account_id
                   LEFT JOIN users o ON o.id = d.owner_id
                  WHERE d.organization_id = $1 AND d.deleted_at IS NULL",
            )
            .await;
        assert!(!deals.is_empty());
        for d in deals {
            let id: String = d.get(0);
            let want = &opportunities[&id];
            assert_eq!(
                d.get::<_, String>(1),
                want["Name"].as_str().unwrap(),
                "{id}"
            );
            assert_eq!(
                d.get::<_, Option<f64>>(2),
                want["Amount"].as_f64(),
                "{id} amount"
            );
            assert_eq!(
                d.get::<_, Option<String>>(3).as_deref(),
                want["StageName"].as_str(),
                "{id} stage"
            );
            assert_eq!(
                d.get::<_, Option<String>>(4),
                known("Account", want["AccountId"].as_str()),
                "{id} account"
            );
            assert_eq!(
                d.get::<_, Option<String>>(5).as_deref(),
                want["OwnerId"].as_str()
            );
            assert_eq!(
                d.get::<_, Option<String>>(6).as_deref(),
                want["CloseDate"].as_str()
            );
            assert_eq!(
                d.get::<_, Option<String>>(7).as_deref(),
                want["CurrencyIsoCode"].as_str(),
                "{id} currency"
            );
            assert_eq!(
                (d.get::<_, bool>(8), d.get::<_, bool>(9)),
                (
                    want["IsClosed"] == json!(true),
                    want["IsWon"] == json!(true)
                ),
                "{id} closed/won"
            );
            assert_eq!(
                d.get::<_, Value>(10)["Deal_Score__c"],
                want["Deal_Score__c"]
            );
        }
        let contacts = by_id("Contact");
        for c in self
            .rows(
                "SELECT c.source_id, c.email, a.source_id FROM contacts c
                   LEFT JOIN accounts a ON a.id = c.account_id
                  WHERE c.organization_id = $1 AND c.deleted_at IS NULL",
            )
            .await
        {
            let id: String = c.get(0);
            let want = &contacts[&id];
            assert_eq!(
                c.get::<_, Option<String>>(1).as_deref(),
                want["Email"].as_str().map(str::to_lowercase).as_deref()
            );
            assert_eq!(
                c.get::<_, Option<String>>(2),
                known("Account", want["AccountId"].as_str()),
                "contact {id} account"
            );
        }
        // Tasks and events link through WhoId (contacts, not leads) and WhatId (deals or
        // accounts; the record's AccountId otherwise).
        let mut activities = by_id("Task");
        activities.extend(by_id("Event"));
        let mut linked = 0;
        for a in self
            .rows(
                "SELECT x.source_id, c.source_id, d.source_id, acc.source_id, x.is_private
                   FROM activities x
                   LEFT JOIN contacts c ON c.id = x.contact_id
                   LEFT JOIN deals d ON d.id = x.deal_id
                   LEFT JOIN accounts acc ON acc.id = x.account_id
                  WHERE x.organization_id = $1 AND x.source_system = 'salesforce'
                    AND x.deleted_at IS NULL",
            )
            .await
        {
            let id: String = a.get(0);
            let want = &activities[&id];
            let who = want["WhoId"].as_str().filter(|w| w.starts_with("003"));
            let what = want["WhatId"].as_str();
            assert_eq!(
                a.get::<_, Option<String>>(1),
                known("Contact", who),
                "{id} contact"
            );
            let deal = what.filter(|w| w.starts_with("006"));
            assert_eq!(
                a.get::<_, Option<String>>(2),
                known("Opportunity", deal),
                "{id} deal"
            );
            let account = what
                .filter(|w| w.starts_with("001"))
                .or(want["AccountId"].as_str());
            assert_eq!(
                a.get::<_, Option<String>>(3),
                known("Account", account),
                "{id} account"
            );
            assert_eq!(a.get::<_, bool>(4), want["IsPrivate"] == json!(true));
            linked += usize::from(a.get::<_, Option<String>>(1).is_some());
        }
        assert!(linked > 0, "some activities link to contacts");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_and_an_increment_equal_salesforce() {
    let w = world().await;
    // Limits and outages on the way: a concurrent-request limit and a 500 are waited out, an
    // expired session is refreshed through Nango once.
    w.sf.inject(&[Fault::ConcurrentRequests, Fault::Status500]);
    let run = w.sync().await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    assert_eq!(run["error_count"], json!(0), "{run}");
    assert!(
        run["counts"]["deals"]["pages"].as_u64().unwrap() >= 3,
        "{run}"
    );
    w.assert_matches_truth().await;
    let stages: i64 = w
        .rows("SELECT count(*) FROM pipeline_stages WHERE organization_id = $1")
        .await[0]
        .get(0);
    assert_eq!(stages as usize, w.sf.records("OpportunityStage").len());

    // Upstream changes: a deal won, one deleted, an account and a contact deleted, the session
    // expired.
    let opp = |n: usize| {
        w.sf.records("Opportunity")[n]["Id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (won, gone) = (opp(3), opp(7));
    w.sf.update(
        "Opportunity",
        &won,
        json!({"StageName": "Closed Won", "IsClosed": true, "IsWon": true, "Amount": 99000.0}),
    );
    w.sf.delete("Opportunity", &gone);
    let account = w.sf.records("Account")[5]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.sf.delete("Account", &account);
    let contact = w.sf.records("Contact")[9]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.sf.delete("Contact", &contact);
    w.sf.expire_token();
    let run = w.sync().await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    let total: u64 = run["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["records"].as_u64().unwrap_or(0))
        .sum();
    assert!(total < 60, "an increment re-reads only the overlap: {run}");
    w.assert_matches_truth().await;
    let row = &w
        .rows(&format!(
            "SELECT amount::float8, is_won FROM deals WHERE organization_id = $1 AND source_id = '{won}'"
        ))
        .await[0];
    assert_eq!(
        (row.get::<_, f64>(0), row.get::<_, bool>(1)),
        (99000.0, true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_request_limit_fails_the_run_clearly() {
    let w = world().await;
    w.sf.inject(&[Fault::TotalRequests]);
    let run = w.sync().await;
    assert_eq!(run["status"], json!("failed"), "{run}");
    let error = run["error"].as_str().unwrap();
    assert!(error.contains("TotalRequests"), "{error}");
}

/// Self-hosting without Nango: a connected app's client credentials, entered by an admin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connected_app_entered_directly_syncs() {
    let sf = Arc::new(FakeSalesforce::start(DATA).await);
    sf.enable_client_credentials("3MVG9-key", "s3cret-consumer");
    let host = url::Url::parse(sf.base_url()).unwrap();
    let host = format!("{}:{}", host.host_str().unwrap(), host.port().unwrap());
    let (app, token, org) = start(
        sf.clone(),
        &[
            (
                "CREDENTIALS_KEY",
                "0101010101010101010101010101010101010101010101010101010101010101",
            ),
            (
                "SALESFORCE_INSTANCE_HOSTS",
                &format!(".salesforce.com,{host}"),
            ),
        ],
    )
    .await;
    let w = World {
        sf: sf.clone(),
        _nango: None,
        app,
        token,
        org,
    };
    let put = |body: Value| {
        let client = w.app.client();
        let token = w.token.clone();
        async move {
            client
                .call(
                    "PUT",
                    "/api/auth/integrations/salesforce/token",
                    Some(&token),
                    Some(&body),
                )
                .await
        }
    };
    // Only Salesforce's domains (and hosts the operator listed) may be called.
    for url in [
        "https://evil.example.com",
        "http://acme.my.salesforce.com",
        "acme.my.salesforce.com",
    ] {
        let r = put(json!({"instance_url": url, "client_id": "k", "client_secret": "s"})).await;
        assert_eq!(r.status, 422, "{url}: {}", r.text());
        assert!(r.text().contains("My Domain URL"), "{}", r.text());
    }
    let r = put(json!({"instance_url": sf.base_url(), "client_id": "3MVG9-key"})).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("client_secret is required"));

    // A wrong secret: the run says what Salesforce refused.
    let r = put(
        json!({"instance_url": sf.base_url(), "client_id": "3MVG9-key",
                       "client_secret": "wrong"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let run = w.newest().await;
    assert_eq!(run["status"], json!("failed"), "{run}");
    assert!(
        run["error"].as_str().unwrap().contains("invalid_client"),
        "{run}"
    );

    let r = put(json!({"instance_url": format!("{}/", sf.base_url()),
                       "client_id": "3MVG9-key", "client_secret": "s3cret-consumer"}))
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!r.text().contains("s3cret-consumer"));
    // The save queued a full sync: wait for that run, not the one that failed.
    let run = common::runs::finished_after(&w.app, &w.token, "salesforce", &run).await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    w.assert_matches_truth().await;
    assert!(sf.requests("oauth2") >= 2);
}
