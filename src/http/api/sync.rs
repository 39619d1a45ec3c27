//! `/api/sync/*`: queue syncs of the caller's organization and follow them. The organization id
//! in the path must be the caller's own (anything else is 404); runs execute in the background
//! workers, so triggers answer 202 with the run to poll.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use crate::db::models::SyncRun;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::sync;

#[derive(Debug, Object)]
pub struct SyncRunView {
    pub id: Uuid,
    pub provider: String,
    /// queued | running | succeeded | failed | cancelled
    pub status: String,
    /// manual | schedule | cli | webhook | initial
    pub trigger: String,
    pub full_sync: bool,
    /// {object: {records, skipped, pages}}
    pub counts: Any<serde_json::Value>,
    /// {object (current), records, skipped_samples: [{object, source_id, reason}]}
    pub progress: Any<serde_json::Value>,
    #[oai(nullable)]
    pub error: Option<String>,
    /// Records skipped as malformed.
    pub error_count: i32,
    /// Times a worker claimed the run (more than 1: resumed after a worker stopped).
    pub attempt: i32,
    pub queued_at: DateTime<Utc>,
    #[oai(nullable)]
    pub started_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub heartbeat_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<SyncRun> for SyncRunView {
    fn from(r: SyncRun) -> Self {
        Self {
            id: r.id,
            provider: r.provider,
            status: r.status,
            trigger: r.trigger,
            full_sync: r.full_sync,
            counts: Any(r.counts),
            progress: Any(r.progress),
            error: r.error,
            error_count: r.error_count,
            attempt: r.attempt,
            queued_at: r.queued_at,
            started_at: r.started_at,
            heartbeat_at: r.heartbeat_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct SyncTriggered {
    pub run: SyncRunView,
    /// False when a run was already queued or running: that run is returned instead.
    pub created: bool,
}

#[derive(Debug, Object)]
pub struct SyncAllTriggered {
    pub runs: Vec<SyncTriggered>,
}

#[derive(Debug, Object)]
pub struct SyncStatusView {
    pub provider: String,
    pub connected: bool,
    #[oai(nullable)]
    pub last_sync_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub last_error: Option<String>,
    /// The queued or running run, if any.
    #[oai(nullable)]
    pub current: Option<SyncRunView>,
    /// The most recent finished run.
    #[oai(nullable)]
    pub last: Option<SyncRunView>,
}

#[derive(ApiResponse)]
pub enum Accepted<T: poem_openapi::types::ToJSON + Send + Sync> {
    #[oai(status = 202)]
    Accepted(Json<T>),
}

fn triggered(e: crate::sync::queue::Enqueued) -> SyncTriggered {
    SyncTriggered {
        run: e.run.into(),
        created: e.created,
    }
}

pub struct SyncApi {
    state: AppState,
}

impl SyncApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(prefix_path = "/sync", tag = "ApiTags::Sync")]
impl SyncApi {
    /// Queue a sync of one provider (`?full=true` re-reads everything; admins only)
    #[oai(
        path = "/:org_id/:provider",
        method = "post",
        operation_id = "trigger_sync"
    )]
    async fn trigger(
        &self,
        auth: BearerAuth,
        org_id: Path<Uuid>,
        #[oai(validator(
            pattern = r"^(?:hubspot|salesforce|slack|google_calendar|google-calendar)$"
        ))]
        provider: Path<String>,
        full: Query<Option<bool>>,
    ) -> ApiResult<Accepted<SyncTriggered>> {
        let provider = sync::provider(&provider.0)?;
        let run = sync::trigger(
            &self.state.sync,
            &auth.0,
            org_id.0,
            provider,
            full.0.unwrap_or(false),
        )
        .await?;
        Ok(Accepted::Accepted(Json(triggered(run))))
    }

    /// Queue a sync of every connected provider
    #[oai(
        path = "/:org_id/all",
        method = "post",
        operation_id = "trigger_sync_all"
    )]
    async fn trigger_all(
        &self,
        auth: BearerAuth,
        org_id: Path<Uuid>,
        full: Query<Option<bool>>,
    ) -> ApiResult<Accepted<SyncAllTriggered>> {
        let runs =
            sync::trigger_all(&self.state.sync, &auth.0, org_id.0, full.0.unwrap_or(false)).await?;
        Ok(Accepted::Accepted(Json(SyncAllTriggered {
            runs: runs.into_iter().map(triggered).collect(),
        })))
    }

    /// Sync state of one provider: the current run and the last finished one
    #[oai(
        path = "/:org_id/:provider/status",
        method = "get",
        operation_id = "sync_status"
    )]
    async fn status(
        &self,
        auth: BearerAuth,
        org_id: Path<Uuid>,
        #[oai(validator(
            pattern = r"^(?:hubspot|salesforce|slack|google_calendar|google-calendar)$"
        ))]
        provider: Path<String>,
    ) -> ApiResult<Json<SyncStatusView>> {
        let provider = sync::provider(&provider.0)?;
        let s = sync::status(&self.state.sync, &auth.0, org_id.0, provider).await?;
        Ok(Json(SyncStatusView {
            provider: s.provider.as_str().into(),
            connected: s.connected,
            last_sync_at: s.last_sync_at,
            last_error: s.last_error,
            current: s.active.map(Into::into),
            last: s.last.map(Into::into),
        }))
    }

    /// Your organization's sync runs, newest first, with counts and errors
    #[oai(path = "/runs", method = "get", operation_id = "list_sync_runs")]
    async fn runs(
        &self,
        auth: BearerAuth,
        #[oai(validator(
            pattern = r"^(?:hubspot|salesforce|slack|google_calendar|google-calendar)$"
        ))]
        provider: Query<Option<String>>,
        /// 1–200, default 50
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<Vec<SyncRunView>>> {
        let provider = provider.0.as_deref().map(sync::provider).transpose()?;
        let runs =
            sync::history(&self.state.sync, &auth.0, provider, limit.0.unwrap_or(50)).await?;
        Ok(Json(runs.into_iter().map(Into::into).collect()))
    }
}
