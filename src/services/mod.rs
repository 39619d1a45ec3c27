//! Business logic between the HTTP edge and the database. Services take verified identities and
//! typed inputs, enforce tenancy and roles, and report failures as `ServiceError`.

pub mod account;
pub mod artifacts;
pub mod auth;
pub mod chat;
pub mod dashboards;
pub mod images;
pub mod integrations;
pub mod invitations;
pub mod links;
pub mod mail;
pub mod organizations;
pub mod rate;
pub mod seats;
pub mod secret_tokens;
pub mod sync;
pub mod users;
pub mod validate;
pub mod workspace;

use crate::db::DbError;

/// The services layer's one error type; `http::error` maps it to statuses exactly once.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// Missing, or belonging to another organization: the two are indistinguishable (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// Input that parsed but makes no sense (422).
    #[error("{0}")]
    Invalid(String),
    #[error("too many attempts; retry in {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    /// Connecting providers needs Nango settings that are missing (503); names the variable.
    #[error("{0}")]
    IntegrationsUnavailable(String),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("{0}")]
    Internal(String),
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ServiceError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(format!("database unavailable: {e}"))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Whether a write failed on a unique constraint (the caller decides what conflict it means).
pub(crate) fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
