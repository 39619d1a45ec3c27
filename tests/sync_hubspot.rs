//! HubSpot syncs end to end: the real app (API trigger, background worker) or the real binary
//! (`revtops sync`), a stateful fake HubSpot with thousands of records and real paging, and the
//! fake Nango handing out the fake HubSpot's token. Every scenario ends by comparing the tables
//! with the fake's truth: same live ids, archived ones soft-deleted, deals field by field.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TestApp;
use common::accounts::admin_with_org;
use common::fake_hubspot::{Dataset, FakeHubSpot, Fault};
use common::fake_nango::FakeNango;
use serde_json::{Value, json};
use uuid::Uuid;

/// HubSpot object → (table, activity type).
const OBJECTS: [(&str, &str, Option<&str>); 9] = [
    ("owners", "users", None),
    ("companies", "accounts", None),
    ("contacts", "contacts", None),
    ("deals", "deals", None),
    ("calls", "activities", Some("call")),
    ("emails", "activities", Some("email")),
    ("meetings", "activities", Some("meeting")),
    ("notes", "activities", Some("note")),
    ("tasks", "activities", Some("task")),
];

const SMALL: Dataset = Dataset {
    owners: 12,
    companies: 400,
    contacts: 900,
    deals: 700,
    per_engagement_type: 250,
};

struct World {
    hub: Arc<FakeHubSpot>,
    nango: FakeNango,
    app: TestApp,
    token: String,
    org: Uuid,
}

async fn world(data: Dataset, extra: &[(&str, &str)]) -> World {
    let hub = Arc::new(FakeHubSpot::start(data).await);
    let nango = FakeNango::start().await;
    let source = Arc::clone(&hub);
    nango.issue_tokens_from(move || source.current_token());
    let mut vars = vec![
        ("NANGO_HOST", nango.url.as_str()),
        ("NANGO_SECRET_KEY", nango.secret.as_str()),
        ("HUBSPOT_BASE_URL", hub.base_url()),
        ("SYNC_WORKERS", "1"),
        ("SYNC_RETRY_BASE_MS", "20"),
    ];
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_with(&vars).await;
    let (token, user, org) = admin_with_org(&app, "ana@acme.com").await;
    let tags = json!({"organization_id": org.to_string(), "end_user_id": user.to_string()});
    nango.add_connection("hubspot", "conn-hs-1", tags);
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO integrations (organization_id, provider, nango_connection_id)
             VALUES ($1, 'hubspot', 'conn-hs-1')",
            &[&org],
        )
        .await
        .unwrap();
    World {
        hub,
        nango,
        app,
        token,
        org,
    }
}

impl World {
    /// Triggers a sync through the API and waits for the background worker to finish it.
    async fn sync(&self, full: bool) -> Value {
        common::runs::sync(&self.app, &self.token, self.org, "hubspot", full).await
    }

    async fn wait(&self, run_id: &str) -> Value {
        common::runs::finished(&self.app, &self.token, "hubspot", Some(&json!(run_id))).await
    }

    async fn ids(&self, table: &str, kind: Option<&str>, live: bool) -> BTreeSet<String> {
        let client = self.app.db.client().await;
        let rows = client
            .query(
                &format!(
                    "SELECT source_id FROM {table}
                      WHERE organization_id = $1 AND source_system = 'hubspot'
                        AND ($2::text IS NULL OR {}) AND (deleted_at IS NULL) = $3",
                    if table == "activities" {
                        "type = $2"
                    } else {
                        "true"
                    }
                ),
                &[&self.org, &kind, &live],
            )
            .await
            .unwrap();
        rows.iter().map(|r| r.get::<_, String>(0)).collect()
    }

    /// The tables hold exactly the fake's live records, archived ones soft-deleted, and every
    /// deal's fields as HubSpot has them.
    async fn assert_matches_truth(&self) {
        for (object, table, kind) in OBJECTS {
            // Activities are stored as `<object>/<id>`.
            let qualify = |id: String| match kind {
                Some(_) => format!("{object}/{id}"),
                None => id,
            };
            let truth: BTreeSet<String> =
                self.hub.live_ids(object).into_iter().map(qualify).collect();
            let live = self.ids(table, kind, true).await;
            assert_eq!(live.len(), truth.len(), "{object}: live count");
            assert!(live == truth, "{object}: live ids differ from HubSpot");
            let archived: BTreeSet<String> = self
                .hub
                .archived_ids(object)
                .into_iter()
                .map(qualify)
                .collect();
            let deleted = self.ids(table, kind, false).await;
            assert!(
                archived.is_subset(&deleted),
                "{object}: archived not deleted"
            );
        }
        let client = self.app.db.client().await;
        let rows = client
            .query(
                "SELECT d.source_id, d.name, d.amount::text, d.stage_id, a.source_id, o.source_id,
                        d.stage IS DISTINCT FROM d.stage_id AS labelled
                   FROM deals d
                   LEFT JOIN accounts a ON a.id = d.account_id
                   LEFT JOIN users o ON o.id = d.owner_id
                  WHERE d.organization_id = $1 AND d.deleted_at IS NULL",
                &[&self.org],
            )
            .await
            .unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            let id: String = row.get(0);
            let want = self.hub.expected_deal(id.parse().unwrap());
            assert_eq!(row.get::<_, String>(1), want.name, "deal {id} name");
            let amount: Option<String> = row.get(2);
            let want_amount = want.amount.trim().parse::<f64>().ok();
            assert_eq!(
                amount.map(|a| a.parse::<f64>().unwrap()),
                want_amount,
                "deal {id} amount (raw {:?})",
                want.amount
            );
            assert_eq!(
                row.get::<_, Option<String>>(3).as_deref(),
                Some(want.stage.as_str())
            );
            assert_eq!(
                row.get::<_, Option<String>>(4),
                want.account_id,
                "deal {id} account"
            );
            assert_eq!(
                row.get::<_, Option<String>>(5),
                want.owner_id,
                "deal {id} owner"
            );
            assert!(row.get::<_, bool>(6), "deal {id} stores the stage label");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_equals_hubspot_through_rate_limits_outages_and_token_expiry() {
    let w = world(SMALL, &[]).await;
    w.hub.fail_next(
        "/crm/v3/objects/contacts",
        1,
        Fault::RateLimit {
            policy: "TEN_SECONDLY_ROLLING",
            retry_after: Some(1),
        },
    );
    w.hub
        .fail_next("/crm/v3/objects/deals", 2, Fault::Status(502));
    w.hub
        .fail_next("/crm/v3/objects/companies", 1, Fault::Status(503));
    // The token expires mid-run: the next call gets 401 and the connector asks Nango once.
    w.hub
        .fail_next("/crm/v3/objects/deals", 1, Fault::Unauthorized);
    let mut events = w.app.state.sync.events.subscribe();
    let run = w.sync(false).await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    // While HubSpot's rate limit held it back, the run said so (the data sources page shows it
    // as throttled, not stuck); outages and token refreshes are not throttling.
    let mut throttled = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Some(secs) = event.throttled_for_secs {
            throttled.push((event.object, secs));
        }
    }
    assert_eq!(throttled, vec![("contacts".to_owned(), 1)]);
    assert_eq!(run["error_count"], json!(0));
    assert_eq!(w.nango.refreshes(), 1, "one refresh after the 401");
    // The token Nango handed out is reused across pages (within a minute), not fetched again
    // before every HubSpot request: one fetch at the start and the forced one after the 401.
    let hubspot_requests = w.hub.requests("/");
    let nango_fetches = w.nango.state(|s| s.gets.len());
    assert!(
        nango_fetches <= 3 && hubspot_requests > 20,
        "{nango_fetches} Nango fetches for {hubspot_requests} HubSpot requests"
    );
    assert!(
        run["counts"]["deals"]["pages"].as_u64().unwrap() >= 7,
        "{run}"
    );
    w.assert_matches_truth().await;
    let stages: i64 = w
        .app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pipeline_stages WHERE organization_id = $1",
            &[&w.org],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stages as usize, w.hub.stage_count());
    // Once the last of the five engagement objects is done, activities is analyzed whole, off
    // the run's path (columns no page joins on have statistics only after a whole ANALYZE).
    let db = w.app.db.client().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let analyzed = |table: &'static str, column: &'static str| {
        let db = &db;
        async move {
            db.query_one(
                "SELECT count(*) FROM pg_stats WHERE tablename = $1 AND attname = $2",
                &[&table, &column],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
                == 1
        }
    };
    while !(analyzed("activities", "type").await && analyzed("deals", "stage").await) {
        assert!(
            Instant::now() < deadline,
            "activities and deals were never analyzed whole"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_limit_fails_the_run_with_a_clear_error() {
    let w = world(SMALL, &[]).await;
    w.hub.fail_next(
        "/crm/v3/objects/companies",
        1,
        Fault::RateLimit {
            policy: "DAILY",
            retry_after: None,
        },
    );
    let run = w.sync(false).await;
    assert_eq!(run["status"], json!("failed"));
    let error = run["error"].as_str().unwrap().to_lowercase();
    assert!(
        error.contains("daily") || error.contains("rate limit"),
        "{error}"
    );
    let status = w
        .app
        .client()
        .call(
            "GET",
            &format!("/api/sync/{}/hubspot/status", w.org),
            Some(&w.token),
            None,
        )
        .await
        .json();
    assert_eq!(status["last"]["status"], json!("failed"));
    assert!(status["last_error"].as_str().is_some());
    // The next run continues where the failed one stopped and completes the picture.
    let run = w.sync(false).await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    w.assert_matches_truth().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_records_are_counted_and_skipped_and_increments_catch_up() {
    let w = world(SMALL, &[]).await;
    w.hub
        .insert_malformed("deals", json!({"properties": {"dealname": "no id"}}));
    let run = w.sync(false).await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    assert_eq!(run["error_count"], json!(1), "{run}");
    assert_eq!(run["counts"]["deals"]["skipped"], json!(1));
    assert_eq!(
        run["progress"]["skipped_samples"][0]["object"],
        json!("deals"),
        "{run}"
    );
    w.assert_matches_truth().await;

    // Changes upstream: modified deals and contacts, archived companies and deals.
    for id in (1..=700).step_by(7) {
        w.hub.modify("deals", id);
    }
    // A bulk update: 61 contacts share one modification timestamp.
    w.hub.bulk_modify("contacts", 100..=160);
    w.hub.archive("companies", 3);
    w.hub.archive("deals", 10);
    w.hub.archive("calls", 5);
    let before = w.hub.requests("/crm/v3/objects/deals");
    let run = w.sync(false).await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    let requests = w.hub.requests("/crm/v3/objects/deals") - before;
    assert!(
        requests < 10,
        "an incremental run reads changes, not the whole table ({requests} deal requests)"
    );
    assert!(
        run["counts"]["deals"]["records"].as_u64().unwrap() >= 100,
        "{run}"
    );
    w.assert_matches_truth().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_modified_during_a_sync_are_picked_up_by_the_next_run() {
    let w = world(SMALL, &[]).await;
    let path = format!("/api/sync/{}/hubspot", w.org);
    let reply = w
        .app
        .client()
        .call("POST", &path, Some(&w.token), None)
        .await;
    let run_id = reply.json()["run"]["id"].as_str().unwrap().to_owned();
    // Once the deals are behind the run, change some of them upstream.
    let client = w.app.db.client().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let object: Option<String> = client
            .query_one(
                "SELECT progress->>'object' FROM sync_runs WHERE organization_id = $1",
                &[&w.org],
            )
            .await
            .unwrap()
            .get(0);
        if matches!(
            object.as_deref(),
            Some("calls" | "emails" | "meetings" | "notes" | "tasks")
        ) {
            break;
        }
        assert!(Instant::now() < deadline, "the run never got past deals");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for id in 1..=40 {
        w.hub.modify("deals", id);
    }
    w.hub.archive("deals", 41);
    let first = w.wait(&run_id).await;
    assert_eq!(first["status"], json!("succeeded"), "{first}");
    let stale: i64 = client
        .query_one(
            "SELECT count(*) FROM deals WHERE organization_id = $1 AND deleted_at IS NULL
               AND source_id = ANY($2)",
            &[
                &w.org,
                &(1..=41).map(|i: i32| i.to_string()).collect::<Vec<_>>(),
            ],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stale, 41, "the changes came after the deals were read");
    let second = w.sync(false).await;
    assert_eq!(second["status"], json!("succeeded"), "{second}");
    assert!(
        second["counts"]["deals"]["records"].as_u64().unwrap() >= 40,
        "{second}"
    );
    w.assert_matches_truth().await;
}

fn cli(w: &World, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_revtops"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .env("DATABASE_URL", w.app.db.url.expose())
        .env("NANGO_HOST", &w.nango.url)
        .env("NANGO_SECRET_KEY", &w.nango.secret)
        .env("HUBSPOT_BASE_URL", w.hub.base_url())
        .env("SYNC_STALE_AFTER_SECS", "5")
        .env("SYNC_RETRY_BASE_MS", "20")
        .env("RUST_LOG", "warn");
    cmd
}

/// `revtops sync` for the world's organization: it must succeed by resuming the open run.
async fn resume_with_cli(w: &World) {
    let mut cmd = cli(
        w,
        &["sync", "--provider", "hubspot", "--org", &w.org.to_string()],
    );
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("resuming run"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sync_resumes_from_its_last_page_without_duplicates_or_gaps() {
    let data = Dataset {
        owners: 20,
        companies: 1_500,
        contacts: 6_000,
        deals: 3_000,
        per_engagement_type: 600,
    };
    let w = world(data, &[("SYNC_WORKERS", "0")]).await;
    let org = w.org.to_string();
    let mut child = cli(
        &w,
        &["sync", "--provider", "hubspot", "--org", &org, "--full"],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    // Abort the process (SIGKILL: no cleanup) once it has committed part of the contacts.
    let client = w.app.db.client().await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let row = client
            .query_opt(
                "SELECT progress->>'object', (progress->>'records')::bigint FROM sync_runs
                  WHERE organization_id = $1",
                &[&w.org],
            )
            .await
            .unwrap();
        if let Some(row) = row
            && row.get::<_, Option<String>>(0).as_deref() == Some("contacts")
            && row.get::<_, Option<i64>>(1).unwrap_or(0) > 3_000
        {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "sync ended before it could be killed"
        );
        assert!(Instant::now() < deadline, "the sync made no progress");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (status, committed): (String, i64) = {
        let row = client
            .query_one(
                "SELECT status, (progress->>'records')::bigint FROM sync_runs WHERE organization_id = $1",
                &[&w.org],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(status, "running", "a killed worker leaves its run claimed");
    let contacts_before = w.ids("contacts", None, true).await.len();
    assert!(
        contacts_before > 0 && contacts_before < 6_000,
        "{contacts_before}"
    );

    // A second CLI waits for the dead worker's heartbeat to go stale, takes the run over and
    // continues from the last committed page.
    resume_with_cli(&w).await;
    let row = client
        .query_one(
            "SELECT status, attempt, full_sync, (progress->>'records')::bigint,
                    (counts->'contacts'->>'records')::bigint FROM sync_runs WHERE organization_id = $1",
            &[&w.org],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "succeeded");
    assert_eq!(row.get::<_, i32>(1), 2, "claimed twice: once per process");
    assert!(row.get::<_, bool>(2), "still the full run that was queued");
    assert!(row.get::<_, i64>(3) > committed);
    // Resumed, not restarted: contacts were fetched about once in total, not twice.
    let contacts_written = row.get::<_, i64>(4);
    assert!(
        (6_000..6_000 + 200).contains(&contacts_written),
        "contacts written across both processes: {contacts_written}"
    );
    w.assert_matches_truth().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_requeues_a_running_sync_and_the_next_process_resumes_it() {
    let data = Dataset {
        owners: 20,
        companies: 1_000,
        contacts: 6_000,
        deals: 1_000,
        per_engagement_type: 200,
    };
    let w = world(data, &[]).await;
    let path = format!("/api/sync/{}/hubspot", w.org);
    let reply = w
        .app
        .client()
        .call("POST", &path, Some(&w.token), None)
        .await;
    assert_eq!(reply.status, 202);
    let client = w.app.db.client().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while client
        .query_one(
            "SELECT coalesce((progress->>'records')::bigint, 0) FROM sync_runs WHERE organization_id = $1",
            &[&w.org],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
        < 2_000
    {
        assert!(Instant::now() < deadline, "the sync made no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGTERM, as far as the app is concerned; the test database outlives it.
    w.app.state.shutdown.cancel();
    let (org, keep_db) = (w.org, client);
    let row = {
        let start = Instant::now();
        loop {
            let row = keep_db
                .query_one(
                    "SELECT status, attempt, worker_id, (progress->>'records')::bigint
                       FROM sync_runs WHERE organization_id = $1",
                    &[&org],
                )
                .await
                .unwrap();
            if row.get::<_, String>(0) != "running" || start.elapsed() > Duration::from_secs(20) {
                break row;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert_eq!(
        row.get::<_, String>(0),
        "queued",
        "interrupted runs go back to the queue"
    );
    assert_eq!(
        row.get::<_, i32>(1),
        0,
        "an interruption is not counted as a failed claim"
    );
    assert_eq!(row.get::<_, Option<String>>(2), None);
    let committed: i64 = row.get(3);
    assert!(committed >= 2_000);

    resume_with_cli(&w).await;
    let contacts: i64 = keep_db
        .query_one(
            "SELECT (counts->'contacts'->>'records')::bigint FROM sync_runs WHERE organization_id = $1",
            &[&org],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        (6_000..6_200).contains(&contacts),
        "contacts fetched about once: {contacts}"
    );
    w.assert_matches_truth().await;
}

/// Pages are written two at a time (`sync::pipeline`), yet a page the database refuses must
/// leave the run exactly as if they were written one by one: the pages before it committed,
/// the page written beside it rolled back, the cursor right after the last committed page,
/// and the next run fills the gap without counting anything twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_page_rolls_back_the_page_beside_it_and_the_next_run_fills_the_gap() {
    let w = world(SMALL, &[]).await;
    let db = w.app.db.client().await;
    // Contacts come 100 to a page in id order: contact 501 opens the sixth page.
    db.batch_execute(
        "CREATE FUNCTION refuse_contact() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'contact % refused', NEW.source_id; END $$;
         CREATE TRIGGER refuse_contact BEFORE INSERT ON contacts FOR EACH ROW
         WHEN (NEW.source_id = '501') EXECUTE FUNCTION refuse_contact();",
    )
    .await
    .unwrap();
    let run = w.sync(true).await;
    assert_eq!(run["status"], json!("failed"), "{run}");
    assert!(
        run["error"]
            .as_str()
            .unwrap_or("")
            .contains("contact 501 refused"),
        "the run names the page's own error, not a later page's: {run}"
    );
    let contacts = w.ids("contacts", None, true).await;
    let first_five: BTreeSet<String> = (1..=500).map(|id| id.to_string()).collect();
    assert!(
        contacts == first_five,
        "exactly the five pages before the refused one committed ({} contacts)",
        contacts.len()
    );
    assert_eq!(run["counts"]["contacts"]["records"], json!(500), "{run}");
    assert!(w.ids("deals", None, true).await.is_empty(), "{run}");

    db.batch_execute("DROP TRIGGER refuse_contact ON contacts")
        .await
        .unwrap();
    let run = w.sync(false).await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    assert_eq!(
        run["counts"]["contacts"]["records"],
        json!(SMALL.contacts - 500),
        "the next run starts right after the last committed page: {run}"
    );
    w.assert_matches_truth().await;
}
