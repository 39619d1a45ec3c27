//! `revtops demo` end to end: the release binary loads the demo dataset into a fresh database
//! (creating it, migrating, creating the demo organization), then again (a rerun converges and
//! writes almost nothing). As the physical floor, measured in the same run, PostgreSQL's `COPY`
//! loads the very same rows into tables with the same indexes; the bench prints both and the
//! ratio.
//!
//!     cargo bench --bench demo_load                      # --size large (about a million rows)
//!     BENCH_DEMO_SIZE=medium cargo bench --bench demo_load
//!
//! Needs PostgreSQL on 127.0.0.1:5432 as a superuser (the demo then skips the per-row
//! foreign-key checks, and the floor uses server-side COPY files in /tmp). The scratch database
//! is dropped at the end.

#[path = "support/loads.rs"]
#[allow(dead_code)] // the foreign-key floor is the sync bench's
mod loads;

use std::time::{Duration, Instant};

use loads::{TABLES, copy_floor, drop_database, wait_sampling_peak_rss};

fn main() -> anyhow::Result<()> {
    loads::block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let size = std::env::var("BENCH_DEMO_SIZE").unwrap_or_else(|_| "large".into());
    let db = format!("revtops_bench_demo_{}", std::process::id());
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let result = bench(&size, &url).await;
    drop_database(&db).await?;
    let (fresh, rerun, rows, copy) = result?;
    println!("revtops demo --size {size}, release build, fresh database");
    println!(
        "  fresh load   {:>7.2} s wall ({:.2} s loading, {} rows, peak RSS {:.1} MiB)",
        fresh.wall.as_secs_f64(),
        fresh.load.as_secs_f64(),
        rows,
        fresh.peak_rss_kib as f64 / 1024.0
    );
    println!(
        "  rerun        {:>7.2} s wall ({:.2} s loading)",
        rerun.wall.as_secs_f64(),
        rerun.load.as_secs_f64()
    );
    println!(
        "  COPY floor   {:>7.2} s (the same rows, same indexes, no foreign keys)",
        copy.as_secs_f64()
    );
    println!(
        "  fresh / COPY {:>7.2}x",
        fresh.wall.as_secs_f64() / copy.as_secs_f64()
    );
    Ok(())
}

struct Run {
    wall: Duration,
    /// What the command itself reports as the load ("... in 12.3s"), without connecting,
    /// migrating and creating the organization.
    load: Duration,
    peak_rss_kib: u64,
}

async fn bench(size: &str, url: &str) -> anyhow::Result<(Run, Run, u64, Duration)> {
    let fresh = demo(size, url).await?;
    let rerun = demo(size, url).await?;
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    let org: uuid::Uuid = client
        .query_one(
            "SELECT organization_id FROM users WHERE email = $1",
            &[&revtops::demo::DEMO_ADMIN_EMAIL],
        )
        .await?
        .get(0);
    let (rows, copy) = copy_floor(&client, &TABLES, org).await?;
    Ok((fresh, rerun, rows, copy))
}

async fn demo(size: &str, url: &str) -> anyhow::Result<Run> {
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_revtops"))
        .args(["demo", "--size", size])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let (_, peak) = wait_sampling_peak_rss(&mut child).await?;
    let wall = started.elapsed();
    let output = child.wait_with_output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "revtops demo failed: {}\n{stdout}",
        output.status
    );
    // "loaded Large demo data into organization <id> in 12.3s: ..."
    let load = stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("loaded ")?
                .split(" in ")
                .nth(1)?
                .split_once("s:")
        })
        .and_then(|(secs, _)| secs.parse::<f64>().ok())
        .map(Duration::from_secs_f64)
        .ok_or_else(|| anyhow::anyhow!("no load time in the output:\n{stdout}"))?;
    Ok(Run {
        wall,
        load,
        peak_rss_kib: peak,
    })
}
