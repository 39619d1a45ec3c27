//! Server secrets generated once and shared by every replica through the `app_secrets` table.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::app_secrets;
use super::{DbError, DbPool};

/// Returns the secret called `name`, creating 64 random bytes for it on first use. Concurrent
/// first calls from several replicas converge on whichever insert won.
pub async fn load_or_create(pool: &DbPool, name: &str) -> Result<Vec<u8>, DbError> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    let mut fresh = vec![0u8; 64];
    getrandom::getrandom(&mut fresh).map_err(|e| DbError::Pool(format!("no randomness: {e}")))?;
    diesel::insert_into(app_secrets::table)
        .values((app_secrets::name.eq(name), app_secrets::value.eq(&fresh)))
        .on_conflict_do_nothing()
        .execute(&mut conn)
        .await?;
    Ok(app_secrets::table
        .filter(app_secrets::name.eq(name))
        .select(app_secrets::value)
        .first(&mut conn)
        .await?)
}

/// Reads a secret that migrations created (None if it does not exist).
pub async fn load(pool: &DbPool, name: &str) -> Result<Option<Vec<u8>>, DbError> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    Ok(app_secrets::table
        .filter(app_secrets::name.eq(name))
        .select(app_secrets::value)
        .first(&mut conn)
        .await
        .optional()?)
}
