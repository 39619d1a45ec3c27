//! What the load benches share. Above all the two floors a load is compared with, measured in
//! the same run: PostgreSQL's `COPY` of the very same rows
//! - into copies of the tables that have the same columns, defaults and indexes but no foreign
//!   keys or triggers ([`copy_floor`]: the physical floor), and
//! - into the same tables of a freshly migrated database, foreign keys, policies and triggers
//!   included ([`copy_into_migrated`]: the issue's baseline, "COPY of the same rows into the
//!   same tables").

use std::time::{Duration, Instant};

/// The tables every source and the demo write, parents first.
pub const TABLES: [&str; 6] = [
    "users",
    "pipeline_stages",
    "accounts",
    "contacts",
    "deals",
    "activities",
];

/// The organization's rows in `tables` and the time `COPY` takes to load them, table by table.
/// Needs a superuser (server-side COPY files in /tmp).
pub async fn copy_floor(
    client: &tokio_postgres::Client,
    tables: &[&str],
    org: uuid::Uuid,
) -> anyhow::Result<(u64, Duration)> {
    let mut rows = 0u64;
    let mut took = Duration::ZERO;
    for table in tables {
        let n: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE organization_id = $1"),
                &[&org],
            )
            .await?
            .get(0);
        rows += n as u64;
        took += copy_table(client, table, org).await?;
    }
    Ok((rows, took))
}

async fn copy_table(
    client: &tokio_postgres::Client,
    table: &str,
    org: uuid::Uuid,
) -> anyhow::Result<Duration> {
    client
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS bench_copy_{table};
             CREATE TABLE bench_copy_{table} (LIKE {table} INCLUDING ALL)"
        ))
        .await?;
    let rows = format!("SELECT * FROM {table} WHERE organization_id = '{org}'");
    let took = timed_copy(client, &rows, client, &format!("bench_copy_{table}")).await?;
    client
        .batch_execute(&format!("DROP TABLE bench_copy_{table}"))
        .await?;
    Ok(took)
}

/// The time `COPY` takes to load the organization's rows in `tables` (parents first) into the
/// same tables of the database at `floor_url`, migrated by the caller and holding nothing of the
/// organization: each `COPY` checks its foreign keys and fires its triggers, as a load into the
/// real schema must. The organization's own row is copied first, untimed.
pub async fn copy_into_migrated(
    source: &tokio_postgres::Client,
    floor_url: &str,
    tables: &[&str],
    org: uuid::Uuid,
) -> anyhow::Result<Duration> {
    let (floor, conn) = tokio_postgres::connect(floor_url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    let parent = format!("SELECT * FROM organizations WHERE id = '{org}'");
    timed_copy(source, &parent, &floor, "organizations").await?;
    let mut took = Duration::ZERO;
    for table in tables {
        let rows = format!("SELECT * FROM {table} WHERE organization_id = '{org}'");
        took += timed_copy(source, &rows, &floor, table).await?;
    }
    Ok(took)
}

/// Writes the rows of `select` (on `from`) to a server-side binary file, then times `COPY` of
/// that file into `into` (on `to`, a database of the same server).
async fn timed_copy(
    from: &tokio_postgres::Client,
    select: &str,
    to: &tokio_postgres::Client,
    into: &str,
) -> anyhow::Result<Duration> {
    let file = format!("/tmp/revtops_bench_{into}_{}.copy", std::process::id());
    from.batch_execute(&format!("COPY ({select}) TO '{file}' (FORMAT binary)"))
        .await?;
    let started = Instant::now();
    let copied = to
        .batch_execute(&format!("COPY {into} FROM '{file}' (FORMAT binary)"))
        .await;
    let took = started.elapsed();
    let _ = std::fs::remove_file(&file);
    copied?;
    Ok(took)
}

/// Waits for `child` to exit, sampling its peak resident set meanwhile: its exit status and the
/// peak in KiB.
pub async fn wait_sampling_peak_rss(
    child: &mut std::process::Child,
) -> anyhow::Result<(std::process::ExitStatus, u64)> {
    let pid = child.id();
    let mut peak = 0;
    loop {
        if let Some(kib) = peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(exit) = child.try_wait()? {
            return Ok((exit, peak));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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

/// Waits until no other client session is working in `client`'s database and says how long
/// that took: work a process left running on the server when it exited (a statistics refresh)
/// must not overlap, and so slow down, the floors timed next. Autovacuum is not waited for.
pub async fn wait_for_quiet(client: &tokio_postgres::Client) -> anyhow::Result<Duration> {
    let started = Instant::now();
    loop {
        let busy: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND backend_type = 'client backend' \
                 AND state IS DISTINCT FROM 'idle'",
                &[],
            )
            .await?
            .get(0);
        if busy == 0 {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "the database never went quiet"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Drops a scratch database, closing its connections.
pub async fn drop_database(db: &str) -> anyhow::Result<()> {
    let admin_url = "postgres://postgres@127.0.0.1:5432/postgres";
    let (admin, conn) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .await?;
    Ok(())
}

/// Runs a bench's async body on a multi-threaded runtime.
pub fn block_on(
    bench: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(bench)
}
