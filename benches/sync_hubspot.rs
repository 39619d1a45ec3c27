//! End-to-end HubSpot sync: `revtops sync --provider hubspot --full` (the release binary, as its
//! own process) against a zero-latency fake HubSpot serving N records, for several N. Reports
//! records/s, the sync process's peak RSS (it must stay flat as N grows: pages stream through)
//! and, as the physical baseline measured in the same run, the time PostgreSQL's `COPY` takes
//! to load the very same rows into tables with the same indexes — and the ratio.
//!
//!     cargo bench --bench sync_hubspot                      # 10k, 100k and 1M records
//!     BENCH_SIZES=10000,100000 cargo bench --bench sync_hubspot
//!
//! Needs PostgreSQL on 127.0.0.1:5432 as a superuser (the baseline uses server-side COPY files
//! in /tmp). Each size gets a scratch database, dropped at the end.

#[path = "../tests/common/fake_hubspot.rs"]
mod fake_hubspot;
#[path = "../tests/common/fake_nango.rs"]
#[allow(dead_code)]
mod fake_nango;
#[path = "../tests/common/serve.rs"]
mod serve;

use std::time::{Duration, Instant};

use fake_hubspot::{Dataset, FakeHubSpot};
use fake_nango::FakeNango;

const TABLES: [&str; 6] = [
    "users",
    "pipeline_stages",
    "accounts",
    "contacts",
    "deals",
    "activities",
];

/// The record mix of a HubSpot portal of `total` records: 10 % companies, 30 % contacts,
/// 20 % deals, 40 % engagements (five types).
fn dataset(total: u64) -> Dataset {
    Dataset {
        owners: 50,
        companies: total / 10,
        contacts: total * 3 / 10,
        deals: total / 5,
        per_engagement_type: total * 2 / 25,
    }
}

fn sizes() -> Vec<u64> {
    std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Peak resident set (VmHWM) of a live process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    println!(
        "{:>9} {:>9} {:>9} {:>11} {:>10} {:>9} {:>7}",
        "records", "synced", "sync s", "records/s", "peak RSS", "COPY s", "ratio"
    );
    for total in sizes() {
        let row = bench_one(total).await?;
        println!(
            "{:>9} {:>9} {:>9.2} {:>11.0} {:>7.1} MiB {:>9.2} {:>6.1}x",
            total,
            row.synced,
            row.sync.as_secs_f64(),
            row.synced as f64 / row.sync.as_secs_f64(),
            row.peak_rss_kib as f64 / 1024.0,
            row.copy.as_secs_f64(),
            row.sync.as_secs_f64() / row.copy.as_secs_f64()
        );
    }
    Ok(())
}

struct Row {
    synced: u64,
    sync: Duration,
    peak_rss_kib: u64,
    copy: Duration,
}

async fn bench_one(total: u64) -> anyhow::Result<Row> {
    let fake = std::sync::Arc::new(FakeHubSpot::start(dataset(total)).await);
    let nango = FakeNango::start().await;
    let source = std::sync::Arc::clone(&fake);
    nango.issue_tokens_from(move || source.current_token());
    nango.add_connection("hubspot", "bench-conn", serde_json::json!({}));
    let db = format!("revtops_bench_sync_{total}_{}", std::process::id());
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let bin = env!("CARGO_BIN_EXE_revtops");
    let status = std::process::Command::new(bin)
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .status()?;
    anyhow::ensure!(status.success(), "revtops migrate failed");
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    let org: uuid::Uuid = client
        .query_one(
            "INSERT INTO organizations (name) VALUES ('Bench') RETURNING id",
            &[],
        )
        .await?
        .get(0);
    client
        .execute(
            "INSERT INTO integrations (organization_id, provider, nango_connection_id)
             VALUES ($1, 'hubspot', 'bench-conn')",
            &[&org],
        )
        .await?;

    let started = Instant::now();
    let mut child = std::process::Command::new(bin)
        .args(["sync", "--provider", "hubspot", "--full"])
        .env("DATABASE_URL", &url)
        .env("NANGO_HOST", &nango.url)
        .env("NANGO_SECRET_KEY", &nango.secret)
        .env("HUBSPOT_BASE_URL", fake.base_url())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let pid = child.id();
    let mut peak = 0;
    let exit = loop {
        if let Some(kib) = peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(exit) = child.try_wait()? {
            break exit;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let sync = started.elapsed();
    anyhow::ensure!(exit.success(), "revtops sync failed: {exit}");

    let mut synced = 0u64;
    let mut copy = Duration::ZERO;
    for table in TABLES {
        let n: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE organization_id = $1"),
                &[&org],
            )
            .await?
            .get(0);
        synced += n as u64;
        copy += copy_baseline(&client, table, org).await?;
    }
    drop(client);
    fake.stop();
    let admin_url = "postgres://postgres@127.0.0.1:5432/postgres";
    let (admin, conn) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .await?;
    Ok(Row {
        synced,
        sync,
        peak_rss_kib: peak,
        copy,
    })
}

/// Loads the organization's rows of `table` with COPY into a copy of the table that has the same
/// columns, defaults and indexes (no foreign keys or triggers): the physical floor.
async fn copy_baseline(
    client: &tokio_postgres::Client,
    table: &str,
    org: uuid::Uuid,
) -> anyhow::Result<Duration> {
    let file = format!("/tmp/revtops_bench_{table}_{}.copy", std::process::id());
    client
        .batch_execute(&format!(
            "CREATE TABLE bench_copy_{table} (LIKE {table} INCLUDING ALL);
             COPY (SELECT * FROM {table} WHERE organization_id = '{org}') TO '{file}' (FORMAT binary)"
        ))
        .await?;
    let started = Instant::now();
    client
        .batch_execute(&format!(
            "COPY bench_copy_{table} FROM '{file}' (FORMAT binary)"
        ))
        .await?;
    let took = started.elapsed();
    let _ = std::fs::remove_file(&file);
    Ok(took)
}
