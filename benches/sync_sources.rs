//! End-to-end syncs of each source: `revtops sync --provider <p> --full` (the release binary, as
//! its own process) against a zero-latency fake of the provider serving N records. Reports
//! records/s, the sync process's peak RSS (it must stay flat as N grows: pages stream through)
//! and, as the baselines measured in the same run, the time PostgreSQL's `COPY` takes to load
//! the very same rows into the same tables of a freshly migrated database (foreign keys
//! checked, as the sync's are) and into copies of the tables with the same indexes but no
//! foreign keys (the physical floor) — and the ratios.
//!
//!     cargo bench --bench sync_sources        # HubSpot 100k, Salesforce 100k opportunities, Slack 100k messages
//!     BENCH_SOURCES=hubspot:10000,hubspot:1000000 cargo bench --bench sync_sources
//!
//! Needs PostgreSQL on 127.0.0.1:5432 as a superuser (the baseline uses server-side COPY files
//! in /tmp). Each run gets a scratch database, dropped at the end.

#[path = "../tests/common/fake_hubspot.rs"]
mod fake_hubspot;
#[path = "../tests/common/fake_nango.rs"]
#[allow(dead_code)]
mod fake_nango;
#[path = "../tests/common/fake_salesforce.rs"]
mod fake_salesforce;
#[path = "../tests/common/fake_slack.rs"]
mod fake_slack;
#[path = "support/loads.rs"]
mod loads;
#[path = "../tests/common/serve.rs"]
mod serve;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_hubspot::{Dataset, FakeHubSpot};
use fake_nango::FakeNango;
use fake_salesforce::FakeSalesforce;
use fake_slack::{FakeChannel, FakeSlack};
use loads::{
    TABLES, copy_floor, copy_into_migrated, drop_database, wait_for_quiet, wait_sampling_peak_rss,
};

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

/// A fake provider serving one benchmark's records.
enum Source {
    HubSpot(Arc<FakeHubSpot>),
    Salesforce(Arc<FakeSalesforce>),
    Slack(Arc<FakeSlack>),
}

impl Source {
    async fn start(provider: &str, total: u64) -> anyhow::Result<Self> {
        Ok(match provider {
            "hubspot" => Self::HubSpot(Arc::new(FakeHubSpot::start(dataset(total)).await)),
            // `total` opportunities with their accounts (one per 5) and contacts (one per 2).
            "salesforce" => Self::Salesforce(Arc::new(
                FakeSalesforce::start(fake_salesforce::Dataset {
                    users: 200,
                    accounts: total / 5,
                    contacts: total / 2,
                    opportunities: total,
                    ..Default::default()
                })
                .await,
            )),
            // Every 5th message has a thread of 2 replies: 5/7 of the records are top-level.
            "slack" => Self::Slack(Arc::new(
                FakeSlack::start(vec![FakeChannel {
                    id: "C1".into(),
                    name: "deals".into(),
                    member: true,
                    generated: total * 5 / 7,
                    extras: Vec::new(),
                }])
                .await,
            )),
            other => anyhow::bail!("no benchmark for {other}"),
        })
    }

    fn provider(&self) -> &'static str {
        match self {
            Self::HubSpot(_) => "hubspot",
            Self::Salesforce(_) => "salesforce",
            Self::Slack(_) => "slack",
        }
    }

    fn stop(&self) {
        match self {
            Self::HubSpot(fake) => fake.stop(),
            // These stop when dropped.
            Self::Salesforce(_) | Self::Slack(_) => {}
        }
    }

    /// Gives Nango a connection handing out the fake's token, and names the fake's URL for
    /// the binary.
    fn wire(&self, nango: &FakeNango) -> (&'static str, String) {
        nango.add_connection(self.provider(), "bench-conn", serde_json::json!({}));
        match self {
            Self::HubSpot(fake) => {
                let source = Arc::clone(fake);
                nango.issue_tokens_from(move || source.current_token());
                ("HUBSPOT_BASE_URL", fake.base_url().to_owned())
            }
            Self::Salesforce(fake) => {
                let source = Arc::clone(fake);
                nango.issue_tokens_from(move || source.current_token());
                let instance = serde_json::json!({"instance_url": fake.base_url()});
                nango.set_connection_config("salesforce", "bench-conn", instance);
                // Salesforce's host is the connection's; this only keeps the pair uniform.
                ("SALESFORCE_API_VERSION", "v62.0".to_owned())
            }
            Self::Slack(fake) => {
                let source = Arc::clone(fake);
                nango.issue_tokens_from(move || source.token());
                ("SLACK_BASE_URL", fake.base_url().to_owned())
            }
        }
    }
}

/// `provider:records` pairs.
fn runs() -> Vec<(String, u64)> {
    std::env::var("BENCH_SOURCES")
        .unwrap_or_else(|_| "hubspot:100000,salesforce:100000,slack:100000".into())
        .split(',')
        .filter_map(|s| {
            let (p, n) = s.trim().split_once(':')?;
            Some((p.to_owned(), n.parse().ok()?))
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    loads::block_on(run())
}

async fn run() -> anyhow::Result<()> {
    println!(
        "COPY+FK: the same rows into the same tables, freshly migrated (foreign keys checked)"
    );
    println!("COPY: into copies of the tables with the same indexes, no foreign keys (the floor)");
    println!(
        "{:>10} {:>9} {:>9} {:>9} {:>12} {:>11} {:>10} {:>10} {:>8} {:>9} {:>7}",
        "source",
        "records",
        "synced",
        "sync s",
        "after exit s",
        "records/s",
        "peak RSS",
        "COPY+FK s",
        "ratio",
        "COPY s",
        "ratio"
    );
    for (provider, total) in runs() {
        let row = bench_one(&provider, total).await?;
        println!(
            "{:>10} {:>9} {:>9} {:>9.2} {:>12.2} {:>11.0} {:>6.1} MiB {:>10.2} {:>7.2}x {:>9.2} {:>6.2}x",
            provider,
            total,
            row.synced,
            row.sync.as_secs_f64(),
            row.lingered.as_secs_f64(),
            row.synced as f64 / row.sync.as_secs_f64(),
            row.peak_rss_kib as f64 / 1024.0,
            row.copy_fk.as_secs_f64(),
            row.sync.as_secs_f64() / row.copy_fk.as_secs_f64(),
            row.copy.as_secs_f64(),
            row.sync.as_secs_f64() / row.copy.as_secs_f64()
        );
    }
    Ok(())
}

struct Row {
    synced: u64,
    sync: Duration,
    /// How long the sync's last statement (a statistics refresh) ran on after it exited.
    lingered: Duration,
    peak_rss_kib: u64,
    copy_fk: Duration,
    copy: Duration,
}

async fn bench_one(provider: &str, total: u64) -> anyhow::Result<Row> {
    let source = Source::start(provider, total).await?;
    let provider = source.provider();
    let nango = FakeNango::start().await;
    let (url_var, base_url) = source.wire(&nango);
    let db = format!(
        "revtops_bench_sync_{provider}_{total}_{}",
        std::process::id()
    );
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let bin = env!("CARGO_BIN_EXE_revtops");
    migrate(&url)?;
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
             VALUES ($1, $2, 'bench-conn')",
            &[&org, &provider],
        )
        .await?;

    let started = Instant::now();
    let mut child = std::process::Command::new(bin)
        .args(["sync", "--provider", provider, "--full"])
        .env("DATABASE_URL", &url)
        .env("NANGO_HOST", &nango.url)
        .env("NANGO_SECRET_KEY", &nango.secret)
        .env(url_var, &base_url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let (exit, peak) = wait_sampling_peak_rss(&mut child).await?;
    let sync = started.elapsed();
    anyhow::ensure!(exit.success(), "revtops sync failed: {exit}");
    let lingered = wait_for_quiet(&client).await?;

    let (synced, copy) = copy_floor(&client, &TABLES, org).await?;
    let floor_db = format!("{db}_fk");
    let floor_url = format!("postgres://postgres@127.0.0.1:5432/{floor_db}");
    let copy_fk = match migrate(&floor_url) {
        Ok(()) => copy_into_migrated(&client, &floor_url, &TABLES, org).await,
        Err(e) => Err(e),
    };
    drop(client);
    source.stop();
    drop_database(&floor_db).await?;
    drop_database(&db).await?;
    Ok(Row {
        synced,
        sync,
        lingered,
        peak_rss_kib: peak,
        copy_fk: copy_fk?,
        copy,
    })
}

/// `revtops migrate` of the database at `url`, creating it.
fn migrate(url: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_revtops"))
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .status()?;
    anyhow::ensure!(status.success(), "revtops migrate failed");
    Ok(())
}
