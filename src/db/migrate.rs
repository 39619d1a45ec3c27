//! Embedded diesel migrations, applied over diesel-async (no libpq at build or run time).

use std::time::Duration;

use diesel_async::AsyncMigrationHarness;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbError, DbPool};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

const ATTEMPTS: u32 = 8;

/// Applies pending migrations and returns the versions it applied (empty when up to date).
/// Needs the multi-threaded runtime: the harness blocks in place while diesel runs synchronously.
///
/// The analytics role is cluster-wide, so databases migrating at the same moment (several
/// environments on one server, parallel tests) can collide on the shared role catalogs
/// ("tuple concurrently updated", a duplicate role). Each migration runs in its own
/// transaction, so the failed one left nothing behind and is simply retried.
pub async fn run_pending(pool: &DbPool) -> Result<Vec<String>, DbError> {
    let mut attempt = 0;
    loop {
        let conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
        let mut harness = AsyncMigrationHarness::new(conn);
        match harness.run_pending_migrations(MIGRATIONS) {
            Ok(applied) => return Ok(applied.iter().map(ToString::to_string).collect()),
            Err(e) if attempt + 1 < ATTEMPTS && is_shared_catalog_race(&e.to_string()) => {
                attempt += 1;
                tracing::warn!(attempt, error = %e, "migration raced another database; retrying");
                tokio::time::sleep(crate::backoff::delay(Duration::from_millis(50), attempt)).await;
            }
            Err(e) => return Err(DbError::Migration(e.to_string())),
        }
    }
}

fn is_shared_catalog_race(message: &str) -> bool {
    message.contains("tuple concurrently updated")
        || message.contains("pg_authid_rolname_index")
        || message.contains("pg_db_role_setting")
}
