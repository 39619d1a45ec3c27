//! Server-level chores done with a plain tokio-postgres connection: reaching the server and
//! creating the target database when it is missing.

use std::time::Duration;

use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use super::DbError;
use crate::config::DatabaseUrl;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens one short-lived connection; the driver task is spawned and ends with the client.
pub async fn connect_raw(
    url: &DatabaseUrl,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = url.expose().parse()?;
    config.connect_timeout(CONNECT_TIMEOUT);
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Creates the database named in the URL if it does not exist. Returns whether it was created.
pub async fn ensure_database(url: &DatabaseUrl) -> Result<bool, DbError> {
    match connect_raw(url).await {
        Ok(_) => return Ok(false),
        Err(e) if e.code() == Some(&SqlState::INVALID_CATALOG_NAME) => {}
        Err(e) => return Err(unreachable(url, &e)),
    }
    let name = url.database_name();
    let maintenance = url.with_database("postgres");
    let client = connect_raw(&maintenance)
        .await
        .map_err(|e| unreachable(url, &e))?;
    let sql = format!("CREATE DATABASE {}", quote_ident(&name));
    match client.batch_execute(&sql).await {
        Ok(()) => Ok(true),
        // Another replica created it between our two connections.
        Err(e) if e.code() == Some(&SqlState::DUPLICATE_DATABASE) => Ok(false),
        Err(e) => Err(DbError::CreateDatabase {
            name,
            reason: error_reason(&e),
        }),
    }
}

pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn unreachable(url: &DatabaseUrl, e: &tokio_postgres::Error) -> DbError {
    DbError::Unreachable {
        url: url.redacted(),
        reason: error_reason(e),
    }
}

/// The most specific message in an error chain, on one line ("Connection refused (os error 111)").
/// A server error's own message wins over the driver's wrapping.
pub fn error_reason(e: &(dyn std::error::Error + 'static)) -> String {
    if let Some(db) = e
        .downcast_ref::<tokio_postgres::Error>()
        .and_then(|pg| pg.as_db_error())
    {
        return db.message().to_owned();
    }
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(db) = s.downcast_ref::<tokio_postgres::error::DbError>() {
            return db.message().to_owned();
        }
        reason = s.to_string();
        source = s.source();
    }
    reason.replace('\n', " ")
}
