//! `/api/workspace`: what the caller's organization holds (for the empty-workspace screen) and
//! `POST /api/workspace/demo`, which loads the small demo dataset into it in the background.

use chrono::{DateTime, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::sync::Accepted;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::workspace::{self, DataCounts, DemoJob, DemoLoader, JobStatus};

#[derive(Debug, Object)]
pub struct DataCountsView {
    pub accounts: i64,
    pub contacts: i64,
    pub deals: i64,
    pub activities: i64,
    /// Members and CRM record owners.
    pub reps: i64,
}

impl From<DataCounts> for DataCountsView {
    fn from(c: DataCounts) -> Self {
        Self {
            accounts: c.accounts,
            contacts: c.contacts,
            deals: c.deals,
            activities: c.activities,
            reps: c.reps,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum JobStatusView {
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Object)]
pub struct DemoJobView {
    pub status: JobStatusView,
    /// The step in progress: reps, stages, accounts, contacts, deals or activities.
    #[oai(nullable)]
    pub step: Option<String>,
    pub steps_done: u32,
    pub steps_total: u32,
    pub started_at: DateTime<Utc>,
    #[oai(nullable)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Why the load failed, in plain words.
    #[oai(nullable)]
    pub error: Option<String>,
    /// The demo rows written, once it succeeded.
    #[oai(nullable)]
    pub counts: Option<DataCountsView>,
}

impl From<DemoJob> for DemoJobView {
    fn from(j: DemoJob) -> Self {
        Self {
            status: match j.status {
                JobStatus::Running => JobStatusView::Running,
                JobStatus::Succeeded => JobStatusView::Succeeded,
                JobStatus::Failed => JobStatusView::Failed,
            },
            step: j.step,
            steps_done: j.steps_done,
            steps_total: j.steps_total,
            started_at: j.started_at,
            finished_at: j.finished_at,
            error: j.error,
            counts: j.counts.map(Into::into),
        }
    }
}

#[derive(Debug, Object)]
pub struct WorkspaceView {
    pub organization_id: Uuid,
    /// Live rows (soft-deleted ones are not counted).
    pub counts: DataCountsView,
    /// Some rows came from a connected source (not the demo), or a sync ran.
    pub has_synced_data: bool,
    pub demo_loaded: bool,
    /// The latest demo load (kept for a day).
    #[oai(nullable)]
    pub demo: Option<DemoJobView>,
}

pub struct WorkspaceApi {
    state: AppState,
}

impl WorkspaceApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(prefix_path = "/workspace", tag = "ApiTags::Organizations")]
impl WorkspaceApi {
    /// What your organization holds, and the latest demo load
    #[oai(path = "/", method = "get", operation_id = "workspace")]
    async fn get(&self, auth: BearerAuth) -> ApiResult<Json<WorkspaceView>> {
        let org = auth.0.require_org()?;
        let w = workspace::summary(&self.state.db, &self.state.cache, &auth.0).await?;
        Ok(Json(WorkspaceView {
            organization_id: org,
            counts: w.counts.into(),
            has_synced_data: w.has_synced_data,
            demo_loaded: w.demo_loaded,
            demo: w.demo.map(Into::into),
        }))
    }

    /// Load demo data into your organization (admin)
    ///
    /// The same dataset as `revtops demo --size small` (8 reps, 300 accounts, 1,000 deals,
    /// 10,000 activities), loaded in the background: poll `GET /api/workspace` for progress.
    /// Loading again refreshes it. 409 when the organization already has data from a connected
    /// source, or a load is running.
    #[oai(path = "/demo", method = "post", operation_id = "load_demo_data")]
    async fn load_demo(&self, auth: BearerAuth) -> ApiResult<Accepted<DemoJobView>> {
        let loader = DemoLoader {
            pool: self.state.db.clone(),
            cache: self.state.cache.clone(),
            database_url: self.state.config.database_url.clone(),
        };
        let job = loader.start(&auth.0).await?;
        Ok(Accepted::Accepted(Json(job.into())))
    }
}
