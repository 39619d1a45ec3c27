//! The analytics SQL engine behind the agent's `run_sql_query` tool, the SQL explorer and live
//! dashboards: a parser gate (`gate`) in front of a database boundary (`boundary`) that holds on
//! its own — RLS bound to a signed organization id, a SELECT-only role, a read-only transaction.

mod analytics_login;
pub mod boundary;
pub mod catalog;
pub mod chart;
pub mod csv;
mod fair_share;
pub mod gate;
pub mod values;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::config::SqlConfig;
use crate::db::DbPool;
use boundary::Boundary;

#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// Refused before reaching the database (the gate) or by a rule of the engine.
    #[error("{0}")]
    Rejected(String),
    /// PostgreSQL refused or failed the query; the message is the server's.
    #[error("{0}")]
    Database(String),
    #[error("the query ran longer than {}s and was cancelled", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("{0}")]
    Unavailable(String),
    /// The organization already uses its share of the analytics connections.
    #[error("your organization is running {0} queries at once already; try again in a moment")]
    Busy(usize),
    #[error("{0}")]
    Internal(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    pub r#type: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryOutput {
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<Value>>,
    pub row_count: usize,
    /// More rows (or bytes) existed than the caps allow.
    pub truncated: bool,
    pub elapsed_ms: f64,
}

/// Who a query runs for: the organization whose rows it may see and, when a person asks, that
/// person, who alone sees the private rows of their personal sources (a calendar). Both are
/// signed into the transaction; an organization alone sees no private row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub org: Uuid,
    pub user: Option<Uuid>,
}

impl Viewer {
    pub fn person(org: Uuid, user: Uuid) -> Self {
        Self {
            org,
            user: Some(user),
        }
    }
}

/// The organization alone: shared rows only.
impl From<Uuid> for Viewer {
    fn from(org: Uuid) -> Self {
        Self { org, user: None }
    }
}

pub struct SqlEngine {
    boundary: Boundary,
    max_rows: usize,
    shares: fair_share::FairShare,
}

impl SqlEngine {
    /// Connects as the analytics role, checks it is safe, and loads the org-signing key.
    pub async fn connect(config: &SqlConfig, app_pool: &DbPool) -> Result<Self, SqlError> {
        let key = crate::db::secrets::load(app_pool, "analytics_org_signing_key")
            .await
            .map_err(|e| SqlError::Unavailable(e.to_string()))?
            .ok_or_else(|| {
                SqlError::Unavailable("the analytics signing key is missing; run migrations".into())
            })?;
        let boundary = Boundary::new(config, key)?;
        boundary.verify_role(&config.database_url).await?;
        Ok(Self {
            boundary,
            max_rows: config.max_rows,
            shares: fair_share::FairShare::new(config.org_concurrency, config.statement_timeout),
        })
    }

    /// The most rows a query returns.
    pub fn max_rows(&self) -> usize {
        self.max_rows
    }

    /// Gate, then boundary. `limit` may lower the row cap, never raise it.
    pub async fn query(
        &self,
        viewer: impl Into<Viewer>,
        sql: &str,
        limit: Option<usize>,
    ) -> Result<QueryOutput, SqlError> {
        let viewer = viewer.into();
        gate::admit(sql).map_err(|r| SqlError::Rejected(r.0))?;
        let max_rows = limit.map_or(self.max_rows, |l| l.clamp(1, self.max_rows));
        let _share = self.shares.enter(viewer.org).await?;
        self.boundary.execute_admitted(viewer, sql, max_rows).await
    }

    /// The server's own parameterised SQL (no gate: it is not user text), still inside the
    /// boundary: analytics role, RLS, read-only, timeout and caps.
    pub async fn query_trusted(
        &self,
        viewer: impl Into<Viewer>,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        max_rows: usize,
    ) -> Result<QueryOutput, SqlError> {
        let viewer = viewer.into();
        let _share = self.shares.enter(viewer.org).await?;
        self.boundary
            .execute_with(viewer, sql, params, max_rows.min(self.max_rows))
            .await
    }

    /// The database boundary alone, parser bypassed: for proving it holds by itself.
    pub async fn query_unchecked(
        &self,
        viewer: impl Into<Viewer>,
        sql: &str,
    ) -> Result<QueryOutput, SqlError> {
        let viewer = viewer.into();
        let _share = self.shares.enter(viewer.org).await?;
        self.boundary.execute(viewer, sql, self.max_rows).await
    }
}
