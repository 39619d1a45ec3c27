//! Embedded diesel migrations, applied over diesel-async (no libpq at build or run time).

use diesel_async::AsyncMigrationHarness;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbError, DbPool};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Applies pending migrations and returns the versions it applied (empty when up to date).
/// Needs the multi-threaded runtime: the harness blocks in place while diesel runs synchronously.
pub async fn run_pending(pool: &DbPool) -> Result<Vec<String>, DbError> {
    let conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let applied = harness
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}
