//! PostgreSQL access: the diesel-async pool, database creation, embedded migrations and the schema.

pub mod admin;
pub mod migrate;
pub mod models;
pub mod pool;
pub mod schema;
pub mod secrets;

pub use pool::{DbConn, DbPool};

/// Failures of the database layer, phrased for an operator reading one log line.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("cannot create database {name}: {reason}")]
    CreateDatabase { name: String, reason: String },
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("database pool: {0}")]
    Pool(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}
