//! `/api/artifacts/*`: dashboards, reports and analyses saved from chat, shared in the caller's
//! organization. `GET /{id}/data` re-runs live artifacts through the analytics engine.

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::NoContent;
use crate::db::models::Artifact;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::artifacts;

#[derive(Debug, Object)]
pub struct ArtifactView {
    pub id: Uuid,
    /// dashboard | report | analysis
    #[oai(rename = "type")]
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    /// [{name, sql}]
    pub queries: Any<serde_json::Value>,
    /// {kind: bar|line|pie|table, query?, x?, y?}
    pub chart: Option<Any<serde_json::Value>>,
    pub is_live: bool,
    pub conversation_id: Option<Uuid>,
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
            chart: a.chart_spec.map(Any),
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
        let (live, results) =
            artifacts::data(&self.state.db, &self.state.sql, &auth.0, id.0).await?;
        Ok(Json(ArtifactData {
            live,
            results: Any(results),
        }))
    }
}
