//! `/api/artifacts/*`: dashboards, reports and analyses saved from chat, shared in the caller's
//! organization. `GET /{id}/data` re-runs live artifacts through the analytics engine.

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::NoContent;
use crate::db::models::Artifact;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::{artifacts, rate};
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
    #[oai(path = "/:id/data", method = "get", operation_id = "artifact_data")]
    async fn data(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ArtifactData>> {
        let per_minute = self.state.config.limits.queries_per_minute;
        rate::analytics_query(&self.state.cache, auth.0.user_id, per_minute).await?;
        let (live, results) =
            artifacts::data(&self.state.db, &self.state.sql, &auth.0, id.0).await?;
        Ok(Json(ArtifactData {
            live,
            results: Any(results),
        }))
    }
}
