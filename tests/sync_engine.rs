//! The sync engine below the connectors: per-page upserts (references resolved by source id,
//! idempotent replays, soft deletes, owners linked to members), the run queue (one active run
//! per integration under concurrent triggers, SKIP LOCKED claims, takeover of runs whose worker
//! died) and the `/api/sync` endpoints' tenancy.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::TestApp;
use common::accounts::admin_with_org;
use revtops::connectors::rows::*;
use revtops::sync::queue::{self, NewRun, Trigger};
use revtops::sync::upsert;
use serde_json::{Map, Value, json};
use uuid::Uuid;

fn owner(id: &str, email: Option<&str>, deleted: bool) -> UserRow {
    UserRow {
        source_id: id.into(),
        email: email.map(Into::into),
        name: Some(format!("Owner {id}")),
        deleted,
        custom_fields: Map::new(),
    }
}

fn stage(id: &str, label: &str, closed: bool, won: bool) -> StageRow {
    StageRow {
        source_id: id.into(),
        pipeline_id: Some("default".into()),
        pipeline_label: Some("Sales Pipeline".into()),
        label: label.into(),
        display_order: 1,
        probability: Some(if won { 1.0 } else { 0.4 }),
        is_closed: closed,
        is_won: won,
        deleted: false,
        custom_fields: Map::new(),
    }
}

fn account(id: &str, owner: Option<&str>, deleted: bool) -> AccountRow {
    AccountRow {
        source_id: id.into(),
        name: format!("Company {id}"),
        domain: Some(format!("C{id}.example.COM")),
        industry: Some("Software".into()),
        employee_count: Some(120),
        annual_revenue: Some("1250000.50".into()),
        owner_source_id: owner.map(Into::into),
        source_created_at: Some(Utc.with_ymd_and_hms(2025, 1, 2, 9, 0, 0).unwrap()),
        source_updated_at: Some(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()),
        deleted,
        custom_fields: Map::from_iter([("tier".to_string(), json!("gold"))]),
    }
}

fn deal(
    id: &str,
    stage: &str,
    account: Option<&str>,
    owner: Option<&str>,
    amount: &str,
) -> DealRow {
    DealRow {
        source_id: id.into(),
        name: format!("Deal {id}"),
        amount: Some(amount.into()),
        currency: Some("usd".into()),
        stage_source_id: Some(stage.into()),
        pipeline: Some("default".into()),
        probability: None,
        close_date: NaiveDate::from_ymd_opt(2025, 6, 30),
        owner_source_id: owner.map(Into::into),
        account_source_id: account.map(Into::into),
        source_created_at: None,
        source_updated_at: None,
        deleted: false,
        custom_fields: Map::new(),
    }
}

fn activity(id: &str, deal: Option<&str>, contact: Option<&str>) -> ActivityRow {
    ActivityRow {
        source_id: id.into(),
        kind: ActivityType::Call,
        subject: Some("Call".into()),
        description: None,
        activity_date: Some(Utc.with_ymd_and_hms(2025, 5, 1, 10, 0, 0).unwrap()),
        duration_seconds: Some(-5),
        participants: json!({"not": "an array"}),
        deal_source_id: deal.map(Into::into),
        account_source_id: None,
        contact_source_id: contact.map(Into::into),
        owner_source_id: Some("o1".into()),
        link_emails: Vec::new(),
        link_domains: Vec::new(),
        owner_email: None,
        is_private: false,
        source_created_at: None,
        source_updated_at: None,
        deleted: false,
        custom_fields: Map::new(),
    }
}

fn contact(id: &str, account: &str) -> ContactRow {
    ContactRow {
        source_id: id.into(),
        first_name: Some("Bo".into()),
        last_name: Some("Li".into()),
        name: Some("Bo Li".into()),
        email: Some("BO@Example.com".into()),
        title: None,
        phone: None,
        account_source_id: Some(account.into()),
        owner_source_id: None,
        source_created_at: None,
        source_updated_at: None,
        deleted: false,
        custom_fields: Map::new(),
    }
}

async fn apply(app: &TestApp, org: Uuid, rows: Rows) -> usize {
    let mut client = app.db.client().await;
    revtops::sync::staging::prepare(&client).await.unwrap();
    let tx = client.transaction().await.unwrap();
    let statement = tx.prepare(upsert::statement(&rows)).await.unwrap();
    let n = upsert::apply(&tx, &statement, org, "hubspot", &rows, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    n
}

async fn scalar(app: &TestApp, sql: &str) -> Value {
    let client = app.db.client().await;
    let row = client
        .query_one(&format!("SELECT to_jsonb(x) FROM ({sql}) x"), &[])
        .await
        .unwrap();
    row.get::<_, Value>(0)
}

async fn seed_world(app: &TestApp, org: Uuid) {
    apply(
        app,
        org,
        Rows::Users(vec![owner("o1", Some("rep@acme.com"), false)]),
    )
    .await;
    apply(
        app,
        org,
        Rows::PipelineStages(vec![
            stage("s_open", "Proposal", false, false),
            stage("s_won", "Closed Won", true, true),
        ]),
    )
    .await;
    apply(
        app,
        org,
        Rows::Accounts(vec![account("a1", Some("o1"), false)]),
    )
    .await;
    apply(app, org, Rows::Contacts(vec![contact("c1", "a1")])).await;
    apply(
        app,
        org,
        Rows::Deals(vec![
            deal("d1", "s_won", Some("a1"), Some("o1"), "50000"),
            deal("d2", "s_open", Some("a1"), None, "1200.5"),
        ]),
    )
    .await;
    apply(
        app,
        org,
        Rows::Activities(vec![activity("e1", Some("d1"), Some("c1"))]),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_resolve_references_and_replay_without_changes() {
    let app = TestApp::spawn().await;
    let (_, _, org) = admin_with_org(&app, "ana@acme.com").await;
    seed_world(&app, org).await;
    let d1 = scalar(
        &app,
        &format!(
            "SELECT d.stage, d.stage_id, d.is_closed, d.is_won, d.amount::text AS amount, d.currency,
                    d.pipeline, d.probability::text AS probability, a.source_id AS account, u.email AS owner,
                    u.status AS owner_status
               FROM deals d JOIN accounts a ON a.id = d.account_id JOIN users u ON u.id = d.owner_id
              WHERE d.organization_id = '{org}' AND d.source_id = 'd1'"
        ),
    )
    .await;
    assert_eq!(
        d1,
        json!({"stage": "Closed Won", "stage_id": "s_won", "is_closed": true, "is_won": true,
               "amount": "50000.00", "currency": "USD", "pipeline": "Sales Pipeline",
               "probability": "1.0000", "account": "a1", "owner": "rep@acme.com",
               "owner_status": "crm_only"})
    );
    let e1 = scalar(
        &app,
        &format!(
            "SELECT (deal_id IS NOT NULL) AS deal, (contact_id IS NOT NULL) AS contact,
                    (owner_id IS NOT NULL) AS owner, duration_seconds, participants
               FROM activities WHERE organization_id = '{org}' AND source_id = 'e1'"
        ),
    )
    .await;
    assert_eq!(
        e1,
        json!({"deal": true, "contact": true, "owner": true, "duration_seconds": null, "participants": []})
    );
    let contact = scalar(
        &app,
        &format!("SELECT email, account_id IS NOT NULL AS linked FROM contacts WHERE organization_id = '{org}'"),
    )
    .await;
    assert_eq!(contact, json!({"email": "bo@example.com", "linked": true}));

    let fingerprint = format!(
        "SELECT (SELECT count(*) FROM deals WHERE organization_id = '{org}') AS deals,
                (SELECT count(*) FROM accounts WHERE organization_id = '{org}') AS accounts,
                (SELECT count(*) FROM activities WHERE organization_id = '{org}') AS activities,
                (SELECT count(*) FROM users WHERE organization_id = '{org}') AS users,
                (SELECT md5(string_agg(id::text || name || coalesce(amount::text, ''), ',' ORDER BY id))
                   FROM deals WHERE organization_id = '{org}') AS deal_sum"
    );
    let before = scalar(&app, &fingerprint).await;
    seed_world(&app, org).await;
    assert_eq!(
        scalar(&app, &fingerprint).await,
        before,
        "a replayed page changed data"
    );
    assert_eq!(before["deals"], json!(2));
    assert_eq!(before["users"], json!(2), "the admin and one CRM owner");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_are_soft_duplicates_keep_the_last_and_other_orgs_are_untouched() {
    let app = TestApp::spawn().await;
    let (_, _, org) = admin_with_org(&app, "ana@acme.com").await;
    let (_, _, other) = admin_with_org(&app, "bo@globex.com").await;
    seed_world(&app, org).await;
    seed_world(&app, other).await;
    // Deleted upstream, then the same id twice in one page: the last occurrence wins.
    apply(&app, org, Rows::Accounts(vec![account("a1", None, true)])).await;
    let deleted = scalar(
        &app,
        &format!(
            "SELECT deleted_at IS NOT NULL AS gone FROM accounts WHERE organization_id = '{org}'"
        ),
    )
    .await;
    assert_eq!(deleted["gone"], json!(true));
    let n = apply(
        &app,
        org,
        Rows::Accounts(vec![
            account("a1", None, true),
            account("a1", Some("o1"), false),
        ]),
    )
    .await;
    assert_eq!(n, 1);
    let revived = scalar(
        &app,
        &format!(
            "SELECT deleted_at IS NULL AS live, owner_id IS NOT NULL AS owned FROM accounts
              WHERE organization_id = '{org}'"
        ),
    )
    .await;
    assert_eq!(revived, json!({"live": true, "owned": true}));
    let untouched = scalar(
        &app,
        &format!(
            "SELECT count(*) AS n, bool_and(deleted_at IS NULL) AS live FROM accounts
              WHERE organization_id = '{other}'"
        ),
    )
    .await;
    assert_eq!(untouched, json!({"n": 1, "live": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_link_to_members_by_email_and_never_clash() {
    let app = TestApp::spawn().await;
    let (_, admin, org) = admin_with_org(&app, "ana@acme.com").await;
    apply(
        &app,
        org,
        Rows::Users(vec![
            // The signed-in admin's CRM owner record (email case differs).
            owner("o-ana", Some("Ana@Acme.com"), false),
            owner("o2", Some("rep@acme.com"), false),
        ]),
    )
    .await;
    // A second owner reusing an email another user has: kept, without the email.
    apply(
        &app,
        org,
        Rows::Users(vec![owner("o3", Some("rep@acme.com"), false)]),
    )
    .await;
    // The admin's owner record archived upstream: the admin stays a live member.
    apply(
        &app,
        org,
        Rows::Users(vec![owner("o-ana", Some("ana@acme.com"), true)]),
    )
    .await;
    let users = scalar(
        &app,
        &format!(
            "SELECT jsonb_agg(jsonb_build_object('src', source_id, 'email', email, 'status', status,
                                                 'live', deleted_at IS NULL, 'admin', id = '{admin}')
                              ORDER BY source_id) AS all
               FROM users WHERE organization_id = '{org}'"
        ),
    )
    .await;
    assert_eq!(
        users["all"],
        json!([
            {"src": "o-ana", "email": "ana@acme.com", "status": "active", "live": true, "admin": true},
            {"src": "o2", "email": "rep@acme.com", "status": "crm_only", "live": true, "admin": false},
            {"src": "o3", "email": null, "status": "crm_only", "live": true, "admin": false},
        ])
    );
}

async fn integration(app: &TestApp, org: Uuid, provider: &str) -> Uuid {
    let client = app.db.client().await;
    client
        .query_one(
            "INSERT INTO integrations (organization_id, provider, nango_connection_id)
             VALUES ($1, $2, 'conn-1') RETURNING id",
            &[&org, &provider],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_triggers_make_one_run_and_claims_never_collide() {
    let app = TestApp::spawn().await;
    let (token, _, org) = admin_with_org(&app, "ana@acme.com").await;
    integration(&app, org, "hubspot").await;
    let path = format!("/api/sync/{org}/hubspot");
    let replies = futures_util::future::join_all((0..8).map(|_| {
        let client = app.client();
        let (path, token) = (path.clone(), token.clone());
        async move { client.call("POST", &path, Some(&token), None).await }
    }))
    .await;
    let mut ids = std::collections::BTreeSet::new();
    let mut created = 0;
    for r in &replies {
        assert_eq!(r.status, 202, "{}", r.text());
        ids.insert(r.json()["run"]["id"].as_str().unwrap().to_owned());
        created += usize::from(r.json()["created"] == json!(true));
    }
    assert_eq!((ids.len(), created), (1, 1), "eight triggers, one run");

    // Two workers racing for one queued run: exactly one wins.
    let engine = &app.state.sync;
    let (a, b) = tokio::join!(
        revtops::sync::workers::claim_next(engine, "w-a", None),
        revtops::sync::workers::claim_next(engine, "w-b", None),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(usize::from(a.is_some()) + usize::from(b.is_some()), 1);
    let (run, owner) = match (a, b) {
        (Some(r), None) => (r, "w-a"),
        (None, Some(r)) => (r, "w-b"),
        _ => unreachable!(),
    };
    assert_eq!((run.status.as_str(), run.attempt), ("running", 1));
    // A fresh heartbeat keeps it; a stale one lets another worker take over and resume.
    assert!(
        revtops::sync::workers::claim_next(engine, "w-c", None)
            .await
            .unwrap()
            .is_none()
    );
    let client = app.db.client().await;
    client
        .execute(
            "UPDATE sync_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1",
            &[&run.id],
        )
        .await
        .unwrap();
    let taken = revtops::sync::workers::claim_next(engine, "w-c", None)
        .await
        .unwrap()
        .expect("stale run taken over");
    assert_eq!((taken.id, taken.attempt), (run.id, 2));
    // The old worker can no longer commit pages or heartbeat.
    let client = app.db.client().await;
    assert!(
        !queue::record_page(
            &client,
            queue::RECORD_PAGE,
            run.id,
            owner,
            "deals",
            (1, 1),
            &[]
        )
        .await
        .unwrap()
    );
    let mut conn = app.state.db.get().await.unwrap();
    assert!(!queue::heartbeat(&mut conn, run.id, owner).await.unwrap());
    assert!(queue::heartbeat(&mut conn, run.id, "w-c").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_that_keep_killing_workers_are_failed_not_retried_forever() {
    let app = TestApp::spawn().await;
    let (_, _, org) = admin_with_org(&app, "ana@acme.com").await;
    let integration_id = integration(&app, org, "hubspot").await;
    let mut conn = app.state.db.get().await.unwrap();
    let run = queue::enqueue(
        &mut conn,
        NewRun {
            organization_id: org,
            integration_id,
            provider: "hubspot".into(),
            trigger: Trigger::Schedule,
            full_sync: false,
            requested_by: None,
        },
    )
    .await
    .unwrap()
    .run;
    let client = app.db.client().await;
    client
        .execute(
            "UPDATE sync_runs SET status = 'running', attempt = $2, worker_id = 'dead',
                    heartbeat_at = now() - interval '1 hour' WHERE id = $1",
            &[&run.id, &queue::MAX_CLAIMS],
        )
        .await
        .unwrap();
    let claimed = revtops::sync::workers::claim_next(&app.state.sync, "w", None)
        .await
        .unwrap();
    assert!(claimed.is_none());
    let row = client
        .query_one(
            "SELECT status, error FROM sync_runs WHERE id = $1",
            &[&run.id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "failed");
    assert!(row.get::<_, String>(1).contains("giving up"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_endpoints_stay_inside_the_callers_organization() {
    let app = TestApp::spawn().await;
    let (token_a, _, org_a) = admin_with_org(&app, "ana@acme.com").await;
    let (token_b, user_b, org_b) = admin_with_org(&app, "bo@globex.com").await;
    integration(&app, org_a, "hubspot").await;
    let c = app.client();
    let call = |method: &'static str, path: String, token: String| {
        let c = c.clone();
        async move { c.call(method, &path, Some(&token), None).await }
    };
    // Another org's id is "not found", whatever the provider.
    for (m, p) in [
        ("POST", format!("/api/sync/{org_a}/hubspot")),
        ("GET", format!("/api/sync/{org_a}/hubspot/status")),
        ("POST", format!("/api/sync/{org_a}/all")),
    ] {
        let r = call(m, p.clone(), token_b.clone()).await;
        assert_eq!(r.status, 404, "{m} {p}: {}", r.text());
        assert_eq!(r.error_code(), "not_found");
    }
    let r = call(
        "POST",
        format!("/api/sync/{org_b}/hubspot"),
        token_b.clone(),
    )
    .await;
    assert_eq!(r.status, 409, "not connected: {}", r.text());
    assert_eq!(r.error_code(), "conflict");
    let r = call(
        "POST",
        format!("/api/sync/{org_b}/salesforce"),
        token_b.clone(),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.error_code(), "conflict");
    let r = call(
        "POST",
        format!("/api/sync/{org_b}/pipedrive"),
        token_b.clone(),
    )
    .await;
    assert_eq!(
        r.status,
        400,
        "not a provider the API declares: {}",
        r.text()
    );
    let r = call(
        "GET",
        format!("/api/sync/{}/hubspot/status", Uuid::nil()),
        token_b.clone(),
    )
    .await;
    assert_eq!(r.status, 404);

    let r = call("POST", format!("/api/sync/{org_a}/all"), token_a.clone()).await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["runs"].as_array().unwrap().len(), 1);
    let status = call(
        "GET",
        format!("/api/sync/{org_a}/hubspot/status"),
        token_a.clone(),
    )
    .await;
    assert_eq!(status.status, 200);
    assert_eq!(status.json()["connected"], json!(true));
    assert_eq!(status.json()["current"]["status"], json!("queued"));
    let runs = call("GET", "/api/sync/runs".into(), token_a.clone())
        .await
        .json();
    assert_eq!(runs.as_array().unwrap().len(), 1);
    let runs_b = call("GET", "/api/sync/runs".into(), token_b.clone())
        .await
        .json();
    assert_eq!(runs_b, json!([]));

    // A member may queue an incremental sync but not a full re-read.
    let client = app.db.client().await;
    client
        .execute("UPDATE users SET role = 'member' WHERE id = $1", &[&user_b])
        .await
        .unwrap();
    integration(&app, org_b, "hubspot").await;
    let r = call(
        "POST",
        format!("/api/sync/{org_b}/hubspot?full=true"),
        token_b.clone(),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = call(
        "POST",
        format!("/api/sync/{org_b}/hubspot"),
        token_b.clone(),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text());
}

fn event(origin: &str, org: Uuid, records: u64) -> revtops::sync::SyncEvent {
    revtops::sync::SyncEvent {
        origin: origin.into(),
        run_id: Uuid::new_v4(),
        organization_id: org,
        provider: "hubspot".into(),
        object: "deals".into(),
        records,
        skipped: 0,
        status: None,
        throttled_for_secs: None,
        done_in_secs: None,
        owner: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_reaches_the_orgs_sockets_on_every_replica_through_redis() {
    let redis = [("REDIS_URL", "redis://127.0.0.1:6379")];
    let a = TestApp::spawn_with(&redis).await;
    let b = TestApp::spawn_with(&redis).await;
    let (token, _, org) = admin_with_org(&b, "ana@acme.com").await;
    let mut socket =
        common::ws::Socket::connect(b.addr, "/ws/chat", common::ws::Auth::Header(&token))
            .await
            .unwrap();
    assert_eq!(socket.next().await.unwrap()["type"], json!("ready"));
    // The relay subscribes in the background; publish until the first event arrives.
    let mut delivered = None;
    for _ in 0..50 {
        // Another organization's progress first: it must never reach this socket.
        a.state
            .sync
            .publish(event(&a.state.sync.instance, Uuid::new_v4(), 1));
        a.state.sync.publish(event(&a.state.sync.instance, org, 42));
        if let Ok(Some(frame)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), socket.next()).await
        {
            delivered = Some(frame);
            break;
        }
    }
    let frame = delivered.expect("a sync_progress frame relayed from the other replica");
    assert_eq!(frame["type"], json!("sync_progress"));
    assert_eq!(
        (frame["records"].clone(), frame["object"].clone()),
        (json!(42), json!("deals"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_queues_each_active_integration_once_per_interval() {
    let app = TestApp::spawn_with(&[("SYNC_INTERVAL", "10m")]).await;
    let (_, _, org) = admin_with_org(&app, "ana@acme.com").await;
    let (_, _, other) = admin_with_org(&app, "bo@globex.com").await;
    let hubspot = integration(&app, org, "hubspot").await;
    let paused = integration(&app, other, "hubspot").await;
    let client = app.db.client().await;
    client
        .execute(
            "UPDATE integrations SET is_active = false WHERE id = $1",
            &[&paused],
        )
        .await
        .unwrap();
    let engine = &app.state.sync;
    use revtops::sync::workers::enqueue_due;
    assert_eq!(enqueue_due(engine).await.unwrap(), 1);
    assert_eq!(enqueue_due(engine).await.unwrap(), 0, "already queued");
    // Finished a minute ago: not due yet. Finished longer ago than the interval: due again.
    client
        .execute(
            "UPDATE sync_runs SET status = 'succeeded', queued_at = now() - interval '1 minute'
              WHERE integration_id = $1",
            &[&hubspot],
        )
        .await
        .unwrap();
    assert_eq!(enqueue_due(engine).await.unwrap(), 0);
    client
        .execute(
            "UPDATE sync_runs SET queued_at = now() - interval '11 minutes' WHERE integration_id = $1",
            &[&hubspot],
        )
        .await
        .unwrap();
    assert_eq!(enqueue_due(engine).await.unwrap(), 1);
    let row = client
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE trigger = 'schedule' AND status = 'queued')
               FROM sync_runs WHERE integration_id = $1",
            &[&hubspot],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (2, 1));
}
