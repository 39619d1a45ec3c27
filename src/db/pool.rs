//! The application's connection pool (diesel-async over tokio-postgres: no libpq).

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::{Object, Pool};

use super::DbError;
use crate::config::DatabaseUrl;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Builds the pool and proves the server answers, so a bad URL fails at startup, not on the first request.
pub async fn connect(url: &DatabaseUrl, max_size: usize) -> Result<DbPool, DbError> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url.expose());
    let pool = Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))?;
    let _probe = pool.get().await.map_err(|e| DbError::Unreachable {
        url: url.redacted(),
        reason: super::admin::error_reason(&e),
    })?;
    Ok(pool)
}
