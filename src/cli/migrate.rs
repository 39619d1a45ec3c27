//! `revtops migrate`: create the database if missing, apply pending migrations, say what changed.

use crate::config::Config;
use crate::db;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    if db::admin::ensure_database(&config.database_url).await? {
        println!("created database {}", config.database_url.database_name());
    }
    let pool = db::pool::connect(&config.database_url, 1).await?;
    let applied = db::migrate::run_pending(&pool).await?;
    if applied.is_empty() {
        println!(
            "no pending migrations; {} is up to date",
            config.database_url.redacted()
        );
    } else {
        for version in &applied {
            println!("applied {version}");
        }
        println!(
            "{} migration(s) applied to {}",
            applied.len(),
            config.database_url.redacted()
        );
    }
    Ok(())
}
