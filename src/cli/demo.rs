//! `revtops demo`: load the synthetic dataset into an organization (creating a demo organization
//! and admin when none is named) so a new user can try Revtops without connecting anything.

use std::time::Instant;

use crate::config::Config;
use crate::db;
use crate::demo::{self, DemoSize};

pub async fn run(config: &Config, org: Option<&str>, size: DemoSize) -> anyhow::Result<()> {
    if db::admin::ensure_database(&config.database_url).await? {
        println!("created database {}", config.database_url.database_name());
    }
    let pool = db::pool::connect(&config.database_url, 1).await?;
    for version in db::migrate::run_pending(&pool).await? {
        println!("applied migration {version}");
    }
    drop(pool);
    let client = db::admin::connect_raw(&config.database_url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to {}: {}",
                config.database_url,
                db::admin::error_reason(&e)
            )
        })?;
    let (org_id, admin) = demo::ensure_org(&client, org).await?;
    // A second connection writes half of the activities at the same time (see
    // demo::load_scale_parallel); without one the load is just slower.
    let helpers = match db::admin::connect_raw(&config.database_url).await {
        Ok(helper) => vec![helper],
        Err(e) => {
            tracing::debug!(error = %db::admin::error_reason(&e), "demo load on one connection");
            Vec::new()
        }
    };
    let started = Instant::now();
    let summary = demo::load_scale_parallel(
        &client,
        &helpers,
        org_id,
        size.scale(),
        chrono::Utc::now().date_naive(),
    )
    .await?;
    println!(
        "loaded {size:?} demo data into organization {org_id} in {:.1}s: {} reps, {} accounts, {} contacts, \
         {} deals, {} activities, {} pipeline stages",
        started.elapsed().as_secs_f64(),
        summary.reps,
        summary.accounts,
        summary.contacts,
        summary.deals,
        summary.activities,
        summary.stages
    );
    if let Some(admin) = admin {
        println!(
            "sign in (AUTH_MODE=local) as {} with password {}",
            admin.email, admin.password
        );
    }
    Ok(())
}
