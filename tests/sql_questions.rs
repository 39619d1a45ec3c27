//! Ordinary RevOps questions through the engine on the demo dataset, checked against the same
//! question computed by the owner with an explicit organization filter. A second organization
//! with its own demo data proves the answers are not contaminated by it.

mod common;

use chrono::NaiveDate;
use common::TestApp;
use revtops::demo::{self, DemoSize};
use serde_json::Value;
use uuid::Uuid;

async fn world() -> (TestApp, Uuid, Uuid) {
    let app = TestApp::spawn().await;
    let db = app.db.client().await;
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for (org, name) in [(a, "Org A"), (b, "Org B")] {
        db.execute(
            "INSERT INTO organizations (id, name) VALUES ($1, $2)",
            &[&org, &name],
        )
        .await
        .unwrap();
        demo::load(&db, org, DemoSize::Small, anchor).await.unwrap();
    }
    // Make B differ so contamination would show in every aggregate.
    db.execute(
        "UPDATE deals SET amount = amount * 3 WHERE organization_id = $1",
        &[&b],
    )
    .await
    .unwrap();
    (app, a, b)
}

/// The engine's answer (as the analytics role, scoped by RLS) vs. the owner's with `$1` = org.
async fn same(app: &TestApp, org: Uuid, engine_sql: &str, owner_sql: &str) -> Vec<Vec<Value>> {
    let engine = app
        .state
        .sql
        .query(org, engine_sql, None)
        .await
        .unwrap_or_else(|e| panic!("{engine_sql}: {e}"));
    assert!(!engine.truncated);
    // Run the owner's version through a read-only transaction with the same JSON conversion by
    // wrapping it in to_jsonb, so both sides compare as JSON values.
    let db = app.db.client().await;
    let rows = db
        .query(&format!("SELECT to_jsonb(q) FROM ({owner_sql}) q"), &[&org])
        .await
        .unwrap_or_else(|e| panic!("{owner_sql}: {e}"));
    let expected: Vec<Vec<Value>> = rows
        .iter()
        .map(|r| {
            let obj: Value = r.get(0);
            engine
                .columns
                .iter()
                .map(|c| normalise(&obj[&c.name]))
                .collect()
        })
        .collect();
    let actual: Vec<Vec<Value>> = engine
        .rows
        .iter()
        .map(|r| r.iter().map(normalise).collect())
        .collect();
    assert_eq!(actual, expected, "{engine_sql}");
    assert!(
        !actual.is_empty(),
        "{engine_sql} found nothing on the demo data"
    );
    actual
}

/// Numbers compare by value: the engine renders numeric as exact strings, to_jsonb as numbers.
fn normalise(v: &Value) -> Value {
    match v {
        Value::String(s) => s
            .parse::<f64>()
            .map(|f| Value::from((f * 100.0).round() / 100.0))
            .unwrap_or(v.clone()),
        Value::Number(n) => Value::from((n.as_f64().unwrap() * 100.0).round() / 100.0),
        other => other.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revops_questions_answer_correctly_on_demo_data() {
    let (app, a, _b) = world().await;

    // Pipeline by stage.
    let pipeline = same(
        &app,
        a,
        "SELECT stage, count(*) AS deals, sum(amount) AS value FROM deals WHERE NOT is_closed GROUP BY stage ORDER BY stage",
        "SELECT stage, count(*) AS deals, sum(amount) AS value FROM deals WHERE organization_id = $1 AND deleted_at IS NULL \
         AND NOT is_closed GROUP BY stage ORDER BY stage",
    )
    .await;
    assert!(
        pipeline.len() >= 4,
        "open deals spread over stages: {pipeline:?}"
    );

    // Win rate by quarter.
    let win = same(
        &app,
        a,
        "SELECT date_trunc('quarter', close_date)::date AS quarter, count(*) FILTER (WHERE is_won) AS won, count(*) AS closed, \
         round(100.0 * count(*) FILTER (WHERE is_won) / count(*), 1) AS win_rate \
         FROM deals WHERE is_closed GROUP BY 1 ORDER BY 1",
        "SELECT date_trunc('quarter', close_date)::date AS quarter, count(*) FILTER (WHERE is_won) AS won, count(*) AS closed, \
         round(100.0 * count(*) FILTER (WHERE is_won) / count(*), 1) AS win_rate \
         FROM deals WHERE organization_id = $1 AND deleted_at IS NULL AND is_closed GROUP BY 1 ORDER BY 1",
    )
    .await;
    assert!(win.len() >= 4, "several quarters of history: {win:?}");

    // Deals that slipped out of this quarter.
    same(
        &app,
        a,
        "SELECT name, close_date, (custom_fields->>'original_close_date')::date AS original FROM deals \
         WHERE NOT is_closed AND (custom_fields->>'original_close_date')::date >= date_trunc('quarter', DATE '2026-11-15') \
         AND (custom_fields->>'original_close_date')::date < date_trunc('quarter', DATE '2026-11-15') + interval '3 months' \
         AND close_date > (custom_fields->>'original_close_date')::date ORDER BY name",
        "SELECT name, close_date, (custom_fields->>'original_close_date')::date AS original FROM deals \
         WHERE organization_id = $1 AND deleted_at IS NULL AND NOT is_closed \
         AND (custom_fields->>'original_close_date')::date >= date_trunc('quarter', DATE '2026-11-15') \
         AND (custom_fields->>'original_close_date')::date < date_trunc('quarter', DATE '2026-11-15') + interval '3 months' \
         AND close_date > (custom_fields->>'original_close_date')::date ORDER BY name",
    )
    .await;

    // Accounts with open deals but no meeting in the 30 days before the anchor.
    same(
        &app,
        a,
        "SELECT a.name FROM accounts a WHERE EXISTS (SELECT 1 FROM deals d WHERE d.account_id = a.id AND NOT d.is_closed) \
         AND NOT EXISTS (SELECT 1 FROM activities x WHERE x.account_id = a.id AND x.type = 'meeting' \
         AND x.activity_date >= TIMESTAMPTZ '2026-11-15' - interval '30 days') ORDER BY a.name",
        "SELECT a.name FROM accounts a WHERE a.organization_id = $1 AND a.deleted_at IS NULL \
         AND EXISTS (SELECT 1 FROM deals d WHERE d.account_id = a.id AND NOT d.is_closed AND d.deleted_at IS NULL) \
         AND NOT EXISTS (SELECT 1 FROM activities x WHERE x.account_id = a.id AND x.type = 'meeting' AND x.deleted_at IS NULL \
         AND x.activity_date >= TIMESTAMPTZ '2026-11-15' - interval '30 days') ORDER BY a.name",
    )
    .await;

    // Rep leaderboard: won revenue this year.
    let board = same(
        &app,
        a,
        "SELECT r.name, count(*) AS won, sum(d.amount) AS revenue FROM deals d JOIN reps r ON r.id = d.owner_id \
         WHERE d.is_won AND d.close_date >= DATE '2026-01-01' GROUP BY r.name ORDER BY revenue DESC, r.name",
        "SELECT r.name, count(*) AS won, sum(d.amount) AS revenue FROM deals d JOIN users r ON r.id = d.owner_id \
         WHERE d.organization_id = $1 AND d.deleted_at IS NULL AND d.is_won AND d.close_date >= DATE '2026-01-01' \
         GROUP BY r.name ORDER BY revenue DESC, r.name",
    )
    .await;
    assert!(board.len() >= 3, "several reps: {board:?}");
}
