//! An organization's workspace as the web app's first screens see it: how much data it holds and
//! whether any of it came from a real source, and the "Load demo data" job — the same loader as
//! `revtops demo --size small`, run in the background for the caller's organization, its
//! progress kept in the cache so that any replica can report it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::auth::AuthUser;
use super::{ServiceError, ServiceResult};
use crate::cache::Cache;
use crate::config::DatabaseUrl;
use crate::db::DbPool;
use crate::demo::{self, DemoSize};

/// A job's record outlives the job by this much (the screen that started it reads it back).
const JOB_TTL: Duration = Duration::from_secs(24 * 3600);
/// A load still "running" after this long died with its replica.
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, QueryableByName)]
pub struct DataCounts {
    #[diesel(sql_type = BigInt)]
    pub accounts: i64,
    #[diesel(sql_type = BigInt)]
    pub contacts: i64,
    #[diesel(sql_type = BigInt)]
    pub deals: i64,
    #[diesel(sql_type = BigInt)]
    pub activities: i64,
    /// Members and CRM owners.
    #[diesel(sql_type = BigInt)]
    pub reps: i64,
}

#[derive(QueryableByName)]
struct Facts {
    #[diesel(embed)]
    counts: DataCounts,
    #[diesel(sql_type = Bool)]
    has_synced_data: bool,
    #[diesel(sql_type = Bool)]
    demo_loaded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoJob {
    pub status: JobStatus,
    /// The step in progress (one of `demo::STEPS`).
    pub step: Option<String>,
    pub steps_done: u32,
    pub steps_total: u32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// The organization's demo rows once loaded.
    pub counts: Option<DataCounts>,
}

pub struct Workspace {
    pub counts: DataCounts,
    /// Rows from a real source (anything but the demo), or a sync that ran.
    pub has_synced_data: bool,
    pub demo_loaded: bool,
    pub demo: Option<DemoJob>,
}

fn job_key(org: Uuid) -> String {
    format!("workspace:demo:{org}")
}

fn lock_key(org: Uuid) -> String {
    format!("workspace:demo-lock:{org}")
}

async fn facts(pool: &DbPool, org: Uuid) -> ServiceResult<Facts> {
    const SQL: &str = "SELECT
        (SELECT count(*) FROM accounts WHERE organization_id = $1 AND deleted_at IS NULL) AS accounts,
        (SELECT count(*) FROM contacts WHERE organization_id = $1 AND deleted_at IS NULL) AS contacts,
        (SELECT count(*) FROM deals WHERE organization_id = $1 AND deleted_at IS NULL) AS deals,
        (SELECT count(*) FROM activities WHERE organization_id = $1 AND deleted_at IS NULL) AS activities,
        (SELECT count(*) FROM users WHERE organization_id = $1) AS reps,
        EXISTS (SELECT 1 FROM accounts WHERE organization_id = $1 AND source_system <> 'demo')
          OR EXISTS (SELECT 1 FROM contacts WHERE organization_id = $1 AND source_system <> 'demo')
          OR EXISTS (SELECT 1 FROM deals WHERE organization_id = $1 AND source_system <> 'demo')
          OR EXISTS (SELECT 1 FROM activities WHERE organization_id = $1 AND source_system <> 'demo')
          OR EXISTS (SELECT 1 FROM integrations WHERE organization_id = $1 AND last_sync_at IS NOT NULL)
          AS has_synced_data,
        EXISTS (SELECT 1 FROM deals WHERE organization_id = $1 AND source_system = 'demo') AS demo_loaded";
    let mut conn = pool.get().await?;
    Ok(diesel::sql_query(SQL)
        .bind::<SqlUuid, _>(org)
        .get_result(&mut conn)
        .await?)
}

async fn read_job(cache: &Cache, org: Uuid) -> Option<DemoJob> {
    let raw = cache.get(&job_key(org)).await.ok()??;
    let mut job: DemoJob = serde_json::from_str(&raw).ok()?;
    let age = Utc::now() - job.started_at;
    if job.status == JobStatus::Running && age.to_std().is_ok_and(|a| a > STALE_AFTER) {
        job.status = JobStatus::Failed;
        job.error = Some("the load was interrupted (the server restarted); try again".into());
    }
    Some(job)
}

async fn write_job(cache: &Cache, org: Uuid, job: &DemoJob) {
    if let Ok(json) = serde_json::to_string(job)
        && let Err(e) = cache.set(&job_key(org), &json, JOB_TTL).await
    {
        tracing::warn!(error = %e, "could not record demo load progress");
    }
}

pub async fn summary(pool: &DbPool, cache: &Cache, user: &AuthUser) -> ServiceResult<Workspace> {
    let org = user.require_org()?;
    // The job first: a load it reports as done has committed, so the counts read next include it.
    let demo = read_job(cache, org).await;
    let facts = facts(pool, org).await?;
    Ok(Workspace {
        counts: facts.counts,
        has_synced_data: facts.has_synced_data,
        demo_loaded: facts.demo_loaded,
        demo,
    })
}

/// What a demo load needs besides the caller: the database (the loader speaks tokio-postgres on
/// its own connection) and the cache its progress goes to.
#[derive(Clone)]
pub struct DemoLoader {
    pub pool: DbPool,
    pub cache: Cache,
    pub database_url: DatabaseUrl,
}

impl DemoLoader {
    /// Starts loading the small demo dataset into the caller's organization (admins). Refused
    /// when the organization holds data from a real source (demo rows would mix with it) or a
    /// load is already running.
    pub async fn start(&self, user: &AuthUser) -> ServiceResult<DemoJob> {
        let org = user.require_admin()?;
        if facts(&self.pool, org).await?.has_synced_data {
            return Err(ServiceError::Conflict(
                "this organization already has data from a connected source; demo data would \
                 mix with it"
                    .into(),
            ));
        }
        let claimed = self
            .cache
            .set_new(&lock_key(org), "running", STALE_AFTER)
            .await
            .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
        if !claimed {
            return Err(ServiceError::Conflict(
                "demo data is already loading for this organization".into(),
            ));
        }
        let job = DemoJob {
            status: JobStatus::Running,
            step: None,
            steps_done: 0,
            steps_total: demo::STEPS.len() as u32,
            started_at: Utc::now(),
            finished_at: None,
            error: None,
            counts: None,
        };
        write_job(&self.cache, org, &job).await;
        let loader = self.clone();
        let started = job.clone();
        tokio::spawn(async move { loader.run(org, started).await });
        Ok(job)
    }

    async fn run(self, org: Uuid, mut job: DemoJob) {
        let (steps, mut reported) = mpsc::unbounded_channel::<&'static str>();
        let progress = move |step: &'static str| {
            let _ = steps.send(step);
        };
        let recorder = {
            let cache = self.cache.clone();
            let mut job = job.clone();
            tokio::spawn(async move {
                while let Some(step) = reported.recv().await {
                    job.steps_done =
                        demo::STEPS.iter().position(|s| *s == step).unwrap_or(0) as u32;
                    job.step = Some(step.to_owned());
                    write_job(&cache, org, &job).await;
                }
            })
        };
        let loaded = async {
            let client = crate::db::admin::connect_raw(&self.database_url).await?;
            let anchor = Utc::now().date_naive();
            demo::load_with_progress(&client, org, DemoSize::Small, anchor, &progress).await
        }
        .await;
        drop(progress);
        let _ = recorder.await;
        job.finished_at = Some(Utc::now());
        job.step = None;
        match loaded {
            Ok(summary) => {
                job.status = JobStatus::Succeeded;
                job.steps_done = job.steps_total;
                job.counts = Some(DataCounts {
                    accounts: summary.accounts,
                    contacts: summary.contacts,
                    deals: summary.deals,
                    activities: summary.activities,
                    reps: summary.reps,
                });
            }
            Err(e) => {
                tracing::error!(error = %e, organization_id = %org, "demo load failed");
                job.status = JobStatus::Failed;
                job.error = Some("the demo data could not be written; try again".into());
            }
        }
        write_job(&self.cache, org, &job).await;
        let _ = self.cache.delete(&lock_key(org)).await;
    }
}
