//! Analytics engine overhead, measured where tenancy costs something: the engine's database
//! holds BENCH_ORGS organizations (10 by default) of the same demo dataset, and the asker owns
//! one of them, a tenth of the rows. Each typical query goes through the engine (gate +
//! analytics role + RLS + read-only transaction + JSON) there, against the same SQL run directly
//! by the owner on a second database holding only the asker's organization (so both return the
//! same rows). Then, per query, `EXPLAIN ANALYZE` of the direct plan and of the engine's plan
//! (run inside the engine's boundary) one after the other, to show where any difference goes.
//!
//!     cargo bench --bench sql_engine               # 10 × the medium demo dataset (~1.2M rows; loads once)
//!     BENCH_SIZE=small BENCH_ORGS=3 cargo bench --bench sql_engine
//!     BENCH_EXPLAIN=0 cargo bench --bench sql_engine   # timings only
//!
//! Needs PostgreSQL on 127.0.0.1:5432 (superuser postgres, trust). The databases are kept
//! between runs (`revtops_bench_sql_<size>_x<orgs>` and `…_x1`) and vacuumed once after loading;
//! drop them to reload.

use std::time::{Duration, Instant};

use revtops::config::{Config, DatabaseUrl};
use revtops::demo::{self, DemoSize};
use revtops::sql::gate;

const QUERIES: &[(&str, &str)] = &[
    // What the boundary costs a query that reads nothing: the fixed part of every ratio below.
    ("fixed cost", "SELECT 1"),
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

/// "Execution Time: 1.234 ms" of an EXPLAIN ANALYZE.
fn execution_ms(plan: &[String]) -> f64 {
    plan.iter()
        .find_map(|line| {
            line.strip_prefix("Execution Time: ")?
                .strip_suffix(" ms")?
                .parse()
                .ok()
        })
        .unwrap_or(f64::NAN)
}

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
        Ok("large") => DemoSize::Large,
        _ => DemoSize::Medium,
    };
    let orgs: usize = std::env::var("BENCH_ORGS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
        .max(1);
    let explain = std::env::var("BENCH_EXPLAIN").map_or(true, |v| v != "0");
    let today = chrono::Utc::now().date_naive();
    let base =
        format!("postgres://postgres@127.0.0.1:5432/revtops_bench_sql_{size:?}").to_lowercase();
    let (shared, shared_state) = dataset(&format!("{base}_x{orgs}"), orgs, size, today).await?;
    let asker = shared.orgs[0];
    // The asker's organization alone, with the same id: the same rows, nobody else's.
    let (alone, _) = dataset(&format!("{base}_x1"), 1, size, today).await?;
    anyhow::ensure!(
        alone.orgs[0] == asker,
        "the single-organization database was loaded for another organization; drop it"
    );
    println!(
        "engine: {orgs} organizations, {} rows in deals+accounts+contacts+activities, the asker's {} ({:.0} %)",
        shared.rows,
        alone.rows,
        100.0 * alone.rows as f64 / shared.rows as f64
    );
    println!(
        "direct: the asker's organization alone, {} rows\n",
        alone.rows
    );
    println!(
        "{:<22} {:>6} {:>11} {:>11} {:>7} {:>10}",
        "query", "rows", "direct ms", "engine ms", "ratio", "gate µs"
    );
    let direct = &alone.owner;
    let engine = &shared_state.sql;
    for (name, sql) in QUERIES {
        let gate_runs = 2000;
        let started = Instant::now();
        for _ in 0..gate_runs {
            gate::admit(sql).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        }
        let gate_us = started.elapsed().as_secs_f64() * 1e6 / f64::from(gate_runs);
        let (mut direct_times, mut engine_times) = (Vec::new(), Vec::new());
        let mut rows = 0;
        for i in 0..32 {
            let t = Instant::now();
            // The cheapest way to run a statement: parsed, bound and executed in one round trip.
            let r = direct.query_typed(sql, &[]).await?;
            let d = t.elapsed();
            let t = Instant::now();
            let out = engine
                .query(asker, sql, None)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let e = t.elapsed();
            if i >= 2 {
                direct_times.push(d);
                engine_times.push(e);
            }
            rows = out.row_count;
            anyhow::ensure!(
                r.len() == out.row_count,
                "{name}: direct {} rows, engine {}",
                r.len(),
                out.row_count
            );
        }
        let (d, e) = (median(direct_times), median(engine_times));
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
    if explain {
        let mut executions = Vec::new();
        for (name, sql) in QUERIES {
            let plan = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
            // The engine runs an admitted query under a LIMIT of its row cap: explain that.
            let capped = revtops::sql::boundary::capped(sql, engine.max_rows());
            let engine_plan = format!("EXPLAIN (ANALYZE, BUFFERS) {capped}");
            let direct_plan: Vec<String> = direct
                .query(&plan, &[])
                .await?
                .iter()
                .map(|row| row.get(0))
                .collect();
            let engine_plan = engine
                .query_trusted(asker, &engine_plan, &[], 10_000)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let engine_plan: Vec<String> = engine_plan
                .rows
                .into_iter()
                .filter_map(|row| match row.into_iter().next() {
                    Some(serde_json::Value::String(line)) => Some(line),
                    _ => None,
                })
                .collect();
            println!("\n=== {name}\n--- direct (the asker's organization alone, as the owner)");
            for line in &direct_plan {
                println!("{line}");
            }
            println!("--- engine ({orgs} organizations, analytics role, RLS)");
            for line in &engine_plan {
                println!("{line}");
            }
            executions.push((name, execution_ms(&direct_plan), execution_ms(&engine_plan)));
        }
        // The plans' own execution times: what tenancy costs inside the database, without the
        // round trips and the session setup that the wall-clock ratios above also carry.
        println!(
            "\n{:<22} {:>16} {:>16} {:>7}",
            "query", "direct plan ms", "engine plan ms", "ratio"
        );
        for (name, direct, engine) in executions {
            println!(
                "{:<22} {:>16.2} {:>16.2} {:>7.2}",
                name,
                direct,
                engine,
                engine / direct
            );
        }
    }
    Ok(())
}

struct Dataset {
    owner: tokio_postgres::Client,
    /// The organizations, the asker's first.
    orgs: Vec<uuid::Uuid>,
    rows: i64,
}

/// A database holding `orgs` organizations of the `size` demo dataset (loaded the first time),
/// and the application state on it.
async fn dataset(
    url: &str,
    orgs: usize,
    size: DemoSize,
    today: chrono::NaiveDate,
) -> anyhow::Result<(Dataset, revtops::http::AppState)> {
    let url = DatabaseUrl::parse(url).map_err(anyhow::Error::msg)?;
    revtops::db::admin::ensure_database(&url).await?;
    let vars = std::collections::HashMap::from([
        ("DATABASE_URL".to_owned(), url.expose().to_owned()),
        ("SQL_MAX_ROWS".to_owned(), "1000".to_owned()),
        ("SQL_STATEMENT_TIMEOUT_MS".to_owned(), "60000".to_owned()),
    ]);
    let config = Config::from_lookup(|k| vars.get(k).cloned())?;
    let state = revtops::startup::prepare(config, true, Default::default()).await?;
    let owner = revtops::db::admin::connect_raw(&url).await?;
    let mut ids = Vec::with_capacity(orgs);
    let mut loaded = false;
    for n in 1..=orgs {
        // Fixed ids: the single-organization database holds the very same organization 1.
        let id = uuid::Uuid::from_u128(0x00be_4c40_0000_4000_8000_0000_0000_0000 + n as u128);
        let exists = owner
            .query_opt("SELECT 1 FROM organizations WHERE id = $1", &[&id])
            .await?
            .is_some();
        if !exists {
            owner
                .execute(
                    "INSERT INTO organizations (id, name) VALUES ($1, $2)",
                    &[&id, &format!("Bench Org {n}")],
                )
                .await?;
            let started = Instant::now();
            let summary = demo::load(&owner, id, size, today).await?;
            println!(
                "loaded {size:?} demo data for organization {n} in {:.1}s: {summary:?}",
                started.elapsed().as_secs_f64()
            );
            loaded = true;
        }
        ids.push(id);
    }
    if loaded {
        // The steady state of a live database, which autovacuum reaches some time after a load:
        // statistics, hint bits and the visibility map (index-only scans need it) on both sides.
        owner.batch_execute("VACUUM (ANALYZE)").await?;
    }
    let rows: i64 = owner
        .query_one(
            "SELECT (SELECT count(*) FROM deals) + (SELECT count(*) FROM accounts) + (SELECT count(*) FROM contacts) \
             + (SELECT count(*) FROM activities)",
            &[],
        )
        .await?
        .get(0);
    Ok((
        Dataset {
            owner,
            orgs: ids,
            rows,
        },
        state,
    ))
}
