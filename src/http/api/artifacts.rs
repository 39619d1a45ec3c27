//! `/api/artifacts/*`: dashboards, reports and analyses saved from chat or the SQL explorer,
//! shared in the caller's organization. `GET /{id}/data` re-runs live artifacts through the
//! analytics engine; `GET /{id}/csv` exports a fresh run of one of its queries.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Created, NoContent};
use super::csv::CsvFile;
use super::text::Text;
use crate::db::models::Artifact;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::artifacts::{ArtifactSpec, NamedQuery};
use crate::services::{artifacts, rate};
use crate::sql::Viewer;
use crate::sql::chart::{ChartKind, ChartSpec, ValueFormat};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ChartKindView {
    Bar,
    Line,
    Area,
    Pie,
    Funnel,
    Number,
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ValueFormatView {
    Number,
    Currency,
    Percent,
}

/// How to draw a query's result; checked against the result's columns when it was saved.
#[derive(Debug, Object)]
pub struct ChartSpecView {
    pub kind: ChartKindView,
    /// Category or date column.
    #[oai(nullable)]
    pub x: Option<String>,
    /// Numeric columns.
    pub y: Vec<String>,
    /// Column splitting the one y column into series.
    #[oai(nullable)]
    pub series: Option<String>,
    pub stacked: bool,
    #[oai(nullable)]
    pub format: Option<ValueFormatView>,
    #[oai(nullable)]
    pub title: Option<String>,
    /// Name of the artifact query it draws.
    #[oai(nullable)]
    pub query: Option<String>,
}

impl From<ChartSpec> for ChartSpecView {
    fn from(c: ChartSpec) -> Self {
        Self {
            kind: match c.kind {
                ChartKind::Bar => ChartKindView::Bar,
                ChartKind::Line => ChartKindView::Line,
                ChartKind::Area => ChartKindView::Area,
                ChartKind::Pie => ChartKindView::Pie,
                ChartKind::Funnel => ChartKindView::Funnel,
                ChartKind::Number => ChartKindView::Number,
                ChartKind::Table => ChartKindView::Table,
            },
            x: c.x,
            y: c.y,
            series: c.series,
            stacked: c.stacked,
            format: c.format.map(|f| match f {
                ValueFormat::Number => ValueFormatView::Number,
                ValueFormat::Currency => ValueFormatView::Currency,
                ValueFormat::Percent => ValueFormatView::Percent,
            }),
            title: c.title,
            query: c.query,
        }
    }
}

impl From<ChartSpecView> for ChartSpec {
    fn from(c: ChartSpecView) -> Self {
        Self {
            kind: match c.kind {
                ChartKindView::Bar => ChartKind::Bar,
                ChartKindView::Line => ChartKind::Line,
                ChartKindView::Area => ChartKind::Area,
                ChartKindView::Pie => ChartKind::Pie,
                ChartKindView::Funnel => ChartKind::Funnel,
                ChartKindView::Number => ChartKind::Number,
                ChartKindView::Table => ChartKind::Table,
            },
            x: c.x,
            y: c.y,
            series: c.series,
            stacked: c.stacked,
            format: c.format.map(|f| match f {
                ValueFormatView::Number => ValueFormat::Number,
                ValueFormatView::Currency => ValueFormat::Currency,
                ValueFormatView::Percent => ValueFormat::Percent,
            }),
            title: c.title,
            query: c.query,
        }
    }
}

/// A chart spec as a request gives it; checked against the query's columns by the server.
#[derive(Debug, Object)]
pub struct ChartSpecInput {
    pub kind: ChartKindView,
    #[oai(validator(max_length = 100))]
    pub x: Option<Text>,
    #[oai(default, validator(max_items = 6))]
    pub y: Vec<Text>,
    #[oai(validator(max_length = 100))]
    pub series: Option<Text>,
    #[oai(default)]
    pub stacked: bool,
    pub format: Option<ValueFormatView>,
    #[oai(validator(max_length = 200))]
    pub title: Option<Text>,
}

impl From<ChartSpecInput> for ChartSpec {
    fn from(c: ChartSpecInput) -> Self {
        ChartSpecView {
            kind: c.kind,
            x: c.x.map(|t| t.0),
            y: c.y.into_iter().map(|t| t.0).collect(),
            series: c.series.map(|t| t.0),
            stacked: c.stacked,
            format: c.format,
            title: c.title.map(|t| t.0),
            query: None,
        }
        .into()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ArtifactKindView {
    Dashboard,
    Report,
    Analysis,
}

/// Save one query as an artifact (the SQL explorer's "Save", a chat step's "Pin").
#[derive(Debug, Object)]
pub struct CreateArtifactRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: Text,
    #[oai(validator(max_length = 2000))]
    pub description: Option<Text>,
    /// One read-only SELECT; run now through the engine (a refused query is not saved).
    #[oai(validator(min_length = 1, max_length = 65536))]
    pub sql: Text,
    pub chart: Option<ChartSpecInput>,
    /// Live artifacts re-run their SQL when opened; others keep the rows read now.
    #[oai(default = "default_true")]
    pub is_live: bool,
    /// Defaults to analysis.
    #[oai(rename = "type")]
    pub kind: Option<ArtifactKindView>,
    /// The caller's conversation it came from, if any.
    pub conversation_id: Option<Uuid>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Object)]
pub struct ArtifactView {
    pub id: Uuid,
    /// dashboard | report | analysis
    #[oai(rename = "type")]
    pub kind: String,
    pub title: String,
    #[oai(nullable)]
    pub description: Option<String>,
    /// [{name, sql}]
    pub queries: Any<serde_json::Value>,
    #[oai(nullable)]
    pub chart: Option<ChartSpecView>,
    pub is_live: bool,
    #[oai(nullable)]
    pub conversation_id: Option<Uuid>,
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<Artifact> for ArtifactView {
    fn from(a: Artifact) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            title: a.title,
            description: a.description,
            queries: Any(a.queries),
            // Specs were checked when saved; one that no longer parses is not drawn.
            chart: a
                .chart_spec
                .and_then(|c| ChartSpec::parse(&c).ok())
                .map(Into::into),
            is_live: a.is_live,
            conversation_id: a.conversation_id,
            created_by: a.user_id,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ArtifactData {
    /// True when the queries were just re-run; false for the saved snapshot.
    pub live: bool,
    /// When these rows were read: now for live artifacts, when it was saved for snapshots.
    pub read_at: DateTime<Utc>,
    /// {query name: {columns, rows, row_count, truncated, elapsed_ms} | {error}}
    pub results: Any<serde_json::Value>,
}

pub struct ArtifactsApi {
    state: AppState,
}

impl ArtifactsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(prefix_path = "/artifacts", tag = "ApiTags::Artifacts")]
impl ArtifactsApi {
    /// Artifacts of your organization, newest first
    #[oai(path = "/", method = "get", operation_id = "list_artifacts")]
    async fn list(&self, auth: BearerAuth) -> ApiResult<Json<Vec<ArtifactView>>> {
        Ok(Json(
            artifacts::list(&self.state.db, &auth.0)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        ))
    }

    /// One artifact
    #[oai(path = "/:id", method = "get", operation_id = "get_artifact")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ArtifactView>> {
        Ok(Json(
            artifacts::get(&self.state.db, &auth.0, id.0).await?.into(),
        ))
    }

    /// Delete an artifact (its creator or an admin)
    #[oai(path = "/:id", method = "delete", operation_id = "delete_artifact")]
    async fn delete(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        artifacts::delete(&self.state.db, &auth.0, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// The artifact's data (live artifacts re-run their SQL now)
    ///
    /// A saved snapshot that holds its creator's private calendar events is shown only to
    /// them; anyone else gets the SQL re-run as themselves (`live: true`).
    #[oai(path = "/:id/data", method = "get", operation_id = "artifact_data")]
    async fn data(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ArtifactData>> {
        let per_minute = self.state.config.limits.queries_per_minute;
        rate::analytics_query(&self.state.cache, auth.0.user_id, per_minute).await?;
        let data = artifacts::data(&self.state.db, &self.state.sql, &auth.0, id.0).await?;
        Ok(Json(ArtifactData {
            live: data.live,
            read_at: data.read_at,
            results: Any(data.results),
        }))
    }

    /// Save a query as an artifact
    ///
    /// The SQL runs now through the analytics engine (refused queries answer 400 with code
    /// `query_rejected`, and nothing is saved); its rows become the snapshot, and the chart is
    /// checked against its columns (422 when it names a missing or non-numeric column).
    #[oai(path = "/", method = "post", operation_id = "create_artifact")]
    async fn create(
        &self,
        auth: BearerAuth,
        body: Json<CreateArtifactRequest>,
    ) -> ApiResult<Created<ArtifactView>> {
        let org = auth.0.require_org()?;
        let per_minute = self.state.config.limits.queries_per_minute;
        rate::analytics_query(&self.state.cache, auth.0.user_id, per_minute).await?;
        let body = body.0;
        let result = self
            .state
            .sql
            .query(Viewer::person(org, auth.0.user_id), &body.sql, None)
            .await?;
        let spec = ArtifactSpec {
            title: body.title.trim().to_owned(),
            description: body
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            kind: match body.kind.unwrap_or(ArtifactKindView::Analysis) {
                ArtifactKindView::Dashboard => "dashboard",
                ArtifactKindView::Report => "report",
                ArtifactKindView::Analysis => "analysis",
            }
            .into(),
            queries: vec![NamedQuery {
                name: "result".into(),
                sql: body.sql.0,
            }],
            chart: body.chart.map(Into::into),
            is_live: body.is_live,
        };
        if spec.title.is_empty() {
            return Err(crate::http::ApiError::Validation(
                "title: give the artifact a name".into(),
            ));
        }
        let artifact = artifacts::create_from_result(
            &self.state.db,
            &self.state.sql,
            &auth.0,
            body.conversation_id,
            spec,
            result,
        )
        .await?;
        Ok(Created::Created(Json(artifact.into())))
    }

    /// Export one of the artifact's queries as CSV
    ///
    /// Runs the query again now (up to the engine's row and byte caps; `X-Truncated: true` says
    /// the cap cut it) and answers `text/csv` in UTF-8 with a byte-order mark, RFC 4180 quoting,
    /// and text a spreadsheet would run as a formula prefixed with `'`.
    #[oai(path = "/:id/csv", method = "get", operation_id = "artifact_csv")]
    async fn csv(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// Which of its named queries (default: the first).
        #[oai(validator(max_length = 100))]
        query: Query<Option<String>>,
    ) -> ApiResult<CsvFile> {
        let per_minute = self.state.config.limits.queries_per_minute;
        rate::analytics_query(&self.state.cache, auth.0.user_id, per_minute).await?;
        let (artifact, result) = artifacts::export(
            &self.state.db,
            &self.state.sql,
            &auth.0,
            id.0,
            query.0.as_deref(),
        )
        .await?;
        Ok(CsvFile::new(&artifact.title, &result?))
    }
}
