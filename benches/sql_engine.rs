//! Analytics engine overhead on the large demo dataset: each typical query through the engine
//! (gate + analytics role + RLS + read-only transaction + JSON) against the same SQL run directly
//! by the owner on a database that holds only that organization (so both return the same rows).
//!
//!     cargo bench --bench sql_engine               # large demo dataset (~1M rows; loads once)
//!     BENCH_SIZE=small cargo bench --bench sql_engine
//!
//! Needs PostgreSQL on 127.0.0.1:5432 (BENCH_DATABASE_URL to override).

use std::time::{Duration, Instant};

use revtops::config::{Config, DatabaseUrl};
use revtops::demo::{self, DemoSize};
use revtops::sql::gate;

const QUERIES: &[(&str, &str)] = &[
    (
        "pipeline by stage",
        "SELECT stage, count(*), sum(amount) FROM deals WHERE NOT is_closed GROUP BY stage ORDER BY 3 DESC",
    ),
    (
        "win rate by quarter",
        "SELECT date_trunc('quarter', close_date) q, round(100.0 * count(*) FILTER (WHERE is_won) / count(*), 1) \
         FROM deals WHERE is_closed GROUP BY 1 ORDER BY 1",
    ),
    (
        "slipped this quarter",
        "SELECT name, close_date FROM deals WHERE NOT is_closed AND (custom_fields->>'original_close_date')::date \
         >= date_trunc('quarter', current_date) AND close_date > (custom_fields->>'original_close_date')::date LIMIT 200",
    ),
    (
        "stale accounts",
        "SELECT a.name FROM accounts a WHERE EXISTS (SELECT 1 FROM deals d WHERE d.account_id = a.id AND NOT d.is_closed) \
         AND NOT EXISTS (SELECT 1 FROM activities x WHERE x.account_id = a.id AND x.type = 'meeting' \
         AND x.activity_date > now() - interval '30 days') LIMIT 200",
    ),
    (
        "rep leaderboard",
        "SELECT r.name, count(*), sum(d.amount) FROM deals d JOIN reps r ON r.id = d.owner_id WHERE d.is_won \
         GROUP BY r.name ORDER BY 3 DESC LIMIT 20",
    ),
    (
        "deal lookup",
        "SELECT * FROM deals WHERE name ILIKE 'A%' ORDER BY amount DESC LIMIT 50",
    ),
    (
        "activity count",
        "SELECT type, count(*) FROM activities GROUP BY type",
    ),
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let size = match std::env::var("BENCH_SIZE").as_deref() {
        Ok("small") => DemoSize::Small,
        Ok("medium") => DemoSize::Medium,
        _ => DemoSize::Large,
    };
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!("postgres://postgres@127.0.0.1:5432/revtops_bench_sql_{size:?}").to_lowercase()
    });
    let url = DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?;
    revtops::db::admin::ensure_database(&url).await?;
    let vars = std::collections::HashMap::from([
        ("DATABASE_URL".to_owned(), url.expose().to_owned()),
        ("SQL_MAX_ROWS".to_owned(), "1000".to_owned()),
        ("SQL_STATEMENT_TIMEOUT_MS".to_owned(), "60000".to_owned()),
    ]);
    let config = Config::from_lookup(|k| vars.get(k).cloned())?;
    let state = revtops::startup::prepare(config, true, Default::default()).await?;
    let owner = revtops::db::admin::connect_raw(&url).await?;
    let org = match owner
        .query_opt("SELECT id FROM organizations WHERE name = 'Bench Org'", &[])
        .await?
    {
        Some(row) => row.get(0),
        None => {
            let id: uuid::Uuid = owner
                .query_one(
                    "INSERT INTO organizations (name) VALUES ('Bench Org') RETURNING id",
                    &[],
                )
                .await?
                .get(0);
            let started = Instant::now();
            let summary = demo::load(&owner, id, size, chrono::Utc::now().date_naive()).await?;
            println!(
                "loaded {size:?} demo data in {:.1}s: {summary:?}",
                started.elapsed().as_secs_f64()
            );
            owner.batch_execute("ANALYZE").await?;
            id
        }
    };
    let total: i64 = owner
        .query_one(
            "SELECT (SELECT count(*) FROM deals) + (SELECT count(*) FROM accounts) + (SELECT count(*) FROM contacts) \
             + (SELECT count(*) FROM activities)",
            &[],
        )
        .await?
        .get(0);
    println!("dataset: {size:?}, {total} rows in deals+accounts+contacts+activities\n");
    println!(
        "{:<22} {:>6} {:>11} {:>11} {:>7} {:>10}",
        "query", "rows", "direct ms", "engine ms", "ratio", "gate µs"
    );
    for (name, sql) in QUERIES {
        let gate_runs = 2000;
        let started = Instant::now();
        for _ in 0..gate_runs {
            gate::admit(sql).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        }
        let gate_us = started.elapsed().as_secs_f64() * 1e6 / f64::from(gate_runs);
        let (mut direct, mut engine) = (Vec::new(), Vec::new());
        let mut rows = 0;
        for i in 0..12 {
            let t = Instant::now();
            let r = owner.query(*sql, &[]).await?;
            let d = t.elapsed();
            let t = Instant::now();
            let out = state
                .sql
                .query(org, sql, None)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let e = t.elapsed();
            if i >= 2 {
                direct.push(d);
                engine.push(e);
            }
            rows = out.row_count;
            anyhow::ensure!(
                r.len() == out.row_count,
                "{name}: direct {} rows, engine {}",
                r.len(),
                out.row_count
            );
        }
        let (d, e) = (median(direct), median(engine));
        println!(
            "{:<22} {:>6} {:>11.2} {:>11.2} {:>7.2} {:>10.1}",
            name,
            rows,
            d.as_secs_f64() * 1e3,
            e.as_secs_f64() * 1e3,
            e.as_secs_f64() / d.as_secs_f64(),
            gate_us
        );
    }
    Ok(())
}
