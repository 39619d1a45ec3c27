//! `POST /api/query` (the SQL explorer) and `GET /api/schema`: analytics SQL over the caller's
//! organization only, through the same engine the agent uses.

use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use super::csv::CsvFile;
use super::text::Text;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::rate;
use crate::sql::Viewer;
use crate::sql::catalog;

#[derive(Debug, Object)]
pub struct QueryRequest {
    /// One read-only SELECT over the tables listed by GET /api/schema.
    #[oai(validator(min_length = 1, max_length = 65536))]
    pub sql: Text,
    /// Lower the row cap for this query (the server's cap still applies).
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "100000")))]
    pub limit: Option<u32>,
}

#[derive(Debug, Object)]
pub struct ColumnView {
    pub name: String,
    /// PostgreSQL type name (numeric values arrive as exact decimal strings).
    #[oai(rename = "type")]
    pub ty: String,
}

#[derive(Debug, Object)]
pub struct QueryResultView {
    pub columns: Vec<ColumnView>,
    /// One array per row, values in column order.
    pub rows: Any<Vec<Vec<serde_json::Value>>>,
    pub row_count: u64,
    /// True when more rows existed than the cap allowed.
    pub truncated: bool,
    pub elapsed_ms: f64,
}

#[derive(Debug, Object)]
pub struct SchemaColumnView {
    pub name: String,
    #[oai(rename = "type")]
    pub ty: String,
    pub description: String,
}

#[derive(Debug, Object)]
pub struct SchemaTableView {
    pub name: String,
    pub description: String,
    pub columns: Vec<SchemaColumnView>,
}

#[derive(Debug, Object)]
pub struct SchemaView {
    pub tables: Vec<SchemaTableView>,
}

pub struct QueryApi {
    state: AppState,
}

impl QueryApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(tag = "ApiTags::Analytics")]
impl QueryApi {
    /// Run a read-only SQL query over your organization's data
    ///
    /// Refused queries (not a single SELECT, other tables, disallowed functions, database errors,
    /// timeouts) answer 400 with code `query_rejected` and a reason to act on. Each user may run
    /// QUERIES_PER_MINUTE a minute, and an organization holds at most its share of the analytics
    /// connections at once (429 with Retry-After beyond either).
    #[oai(path = "/query", method = "post", operation_id = "run_query")]
    async fn query(
        &self,
        auth: BearerAuth,
        body: Json<QueryRequest>,
    ) -> ApiResult<Json<QueryResultView>> {
        let org = auth.0.require_org()?;
        let per_minute = self.state.config.limits.queries_per_minute;
        rate::analytics_query(&self.state.cache, auth.0.user_id, per_minute).await?;
        let out = self
            .state
            .sql
            .query(
                Viewer::person(org, auth.0.user_id),
                &body.sql,
                body.limit.map(|l| l as usize),
            )
            .await?;
        Ok(Json(QueryResultView {
            columns: out
                .columns
                .into_iter()
                .map(|c| ColumnView {
                    name: c.name,
                    ty: c.r#type,
                })
                .collect(),
            rows: Any(out.rows),
            row_count: out.row_count as u64,
            truncated: out.truncated,
            elapsed_ms: out.elapsed_ms,
        }))
    }

    /// Run a read-only SQL query and download all of its rows as CSV
    ///
    /// The same engine, caps and limits as POST /query (refusals answer 400 `query_rejected`);
    /// the rows come back as `text/csv` (UTF-8 with a byte-order mark, RFC 4180), with
    /// `X-Truncated: true` when a cap cut them.
    #[oai(path = "/query/csv", method = "post", operation_id = "run_query_csv")]
    async fn query_csv(&self, auth: BearerAuth, body: Json<QueryRequest>) -> ApiResult<CsvFile> {
        let org = auth.0.require_org()?;
        let per_minute = self.state.config.limits.queries_per_minute;
        rate::analytics_query(&self.state.cache, auth.0.user_id, per_minute).await?;
        let out = self
            .state
            .sql
            .query(
                Viewer::person(org, auth.0.user_id),
                &body.sql,
                body.limit.map(|l| l as usize),
            )
            .await?;
        Ok(CsvFile::new("query", &out))
    }

    /// The tables and columns analytics SQL may read, with descriptions
    #[oai(path = "/schema", method = "get", operation_id = "schema")]
    async fn schema(&self, auth: BearerAuth) -> ApiResult<Json<SchemaView>> {
        auth.0.require_org()?;
        Ok(Json(SchemaView {
            tables: catalog::RELATIONS
                .iter()
                .map(|r| SchemaTableView {
                    name: r.name.into(),
                    description: r.description.into(),
                    columns: r
                        .columns
                        .iter()
                        .map(|c| SchemaColumnView {
                            name: c.name.into(),
                            ty: c.ty.into(),
                            description: c.description.into(),
                        })
                        .collect(),
                })
                .collect(),
        }))
    }
}
