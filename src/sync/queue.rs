//! The job queue in `sync_runs`. At most one queued-or-running run per integration (a partial
//! unique index), so a second trigger finds the first run instead of starting another. Workers
//! claim with `FOR UPDATE SKIP LOCKED`, which lets any number of replicas poll the same table;
//! a running run whose heartbeat went stale (its worker died) is claimed again and resumes from
//! the cursors its last committed page saved.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Interval, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::SyncError;
use crate::db::models::SyncRun;
use crate::db::schema::{integrations, sync_runs};

/// After this many claims a run that keeps killing its worker is failed instead of retried.
pub const MAX_CLAIMS: i32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    Schedule,
    Cli,
    Webhook,
    Initial,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Schedule => "schedule",
            Self::Cli => "cli",
            Self::Webhook => "webhook",
            Self::Initial => "initial",
        }
    }
}

/// What a trigger produced: a new run, or the run already queued or running for the integration.
#[derive(Debug, Clone)]
pub struct Enqueued {
    pub run: SyncRun,
    pub created: bool,
}

pub struct NewRun {
    pub organization_id: Uuid,
    pub integration_id: Uuid,
    pub provider: String,
    pub trigger: Trigger,
    pub full_sync: bool,
    pub requested_by: Option<Uuid>,
}

/// Queues a run unless one is already queued or running for the integration; a full request
/// upgrades a queued (not yet started) incremental run.
pub async fn enqueue(conn: &mut AsyncPgConnection, new: NewRun) -> Result<Enqueued, SyncError> {
    // Two triggers racing both try the insert; the partial unique index lets one win and the
    // other read the winner. Retried because the winner may finish between the two statements.
    for _ in 0..3 {
        let inserted: Option<SyncRun> = diesel::insert_into(sync_runs::table)
            .values((
                sync_runs::organization_id.eq(new.organization_id),
                sync_runs::integration_id.eq(new.integration_id),
                sync_runs::provider.eq(&new.provider),
                sync_runs::trigger.eq(new.trigger.as_str()),
                sync_runs::full_sync.eq(new.full_sync),
                sync_runs::requested_by.eq(new.requested_by),
            ))
            .on_conflict_do_nothing()
            .returning(SyncRun::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        if let Some(run) = inserted {
            return Ok(Enqueued { run, created: true });
        }
        if new.full_sync {
            diesel::update(
                sync_runs::table
                    .filter(sync_runs::integration_id.eq(new.integration_id))
                    .filter(sync_runs::status.eq("queued")),
            )
            .set(sync_runs::full_sync.eq(true))
            .execute(conn)
            .await?;
        }
        let existing = active(new.integration_id)
            .select(SyncRun::as_select())
            .first(conn)
            .await
            .optional()?;
        if let Some(run) = existing {
            return Ok(Enqueued {
                run,
                created: false,
            });
        }
    }
    Err(SyncError::Internal(
        "could not queue a sync run under contention".into(),
    ))
}

fn active(integration_id: Uuid) -> sync_runs::BoxedQuery<'static, diesel::pg::Pg> {
    sync_runs::table
        .filter(sync_runs::integration_id.eq(integration_id))
        .filter(sync_runs::status.eq_any(["queued", "running"]))
        .into_boxed()
}

/// Claims the oldest queued run, or a running one whose worker stopped heartbeating.
/// `only`: claim this run and no other (the CLI runs the run it queued).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    worker_id: &str,
    stale_after: Duration,
    only: Option<Uuid>,
) -> Result<Option<SyncRun>, SyncError> {
    // The inner SELECT locks the candidate row; rows another worker holds are skipped, and the
    // outer UPDATE re-checks the condition on the locked row, so two workers never both win.
    let claimed: Option<SyncRun> = diesel::sql_query(
        "UPDATE sync_runs r
            SET status = 'running', worker_id = $1, attempt = r.attempt + 1,
                started_at = coalesce(r.started_at, now()), heartbeat_at = now()
          WHERE r.id = (
                SELECT id FROM sync_runs
                 WHERE (status = 'queued'
                        OR (status = 'running' AND heartbeat_at < now() - $2::interval))
                   AND ($3::uuid IS NULL OR id = $3::uuid)
                 ORDER BY queued_at
                 FOR UPDATE SKIP LOCKED
                 LIMIT 1)
         RETURNING r.*",
    )
    .bind::<Text, _>(worker_id)
    .bind::<Interval, _>(pg_interval(stale_after))
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(only)
    .get_result(conn)
    .await
    .optional()?;
    Ok(claimed)
}

fn pg_interval(d: Duration) -> diesel::data_types::PgInterval {
    diesel::data_types::PgInterval::from_microseconds(d.as_micros().min(i64::MAX as u128) as i64)
}

/// Records liveness; false when the run is no longer ours (taken over or cancelled), in which
/// case the worker must stop without writing more.
pub async fn heartbeat(
    conn: &mut AsyncPgConnection,
    run_id: Uuid,
    worker_id: &str,
) -> Result<bool, SyncError> {
    let n = diesel::update(
        sync_runs::table
            .filter(sync_runs::id.eq(run_id))
            .filter(sync_runs::worker_id.eq(worker_id))
            .filter(sync_runs::status.eq("running")),
    )
    .set(sync_runs::heartbeat_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// How a run ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Succeeded,
    Failed(String),
    /// Stopped for shutdown: queued again so the next worker resumes it from its cursors.
    Interrupted,
}

/// Ends a run this worker owns and stamps the integration's last sync.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    run: &SyncRun,
    worker_id: &str,
    outcome: &Outcome,
) -> Result<(), SyncError> {
    let (status, error) = match outcome {
        Outcome::Succeeded => ("succeeded", None),
        Outcome::Failed(e) => ("failed", Some(e.as_str())),
        Outcome::Interrupted => ("queued", None),
    };
    let finished = !matches!(outcome, Outcome::Interrupted);
    diesel::sql_query(
        "WITH r AS (
            UPDATE sync_runs
               SET status = $3, error = $4, worker_id = CASE WHEN $5 THEN worker_id END,
                   -- An interrupted run was not the run's fault: its claim does not count.
                   attempt = CASE WHEN $5 THEN attempt ELSE attempt - 1 END,
                   finished_at = CASE WHEN $5 THEN now() END,
                   heartbeat_at = CASE WHEN $5 THEN heartbeat_at END
             WHERE id = $1 AND worker_id = $2 AND status = 'running'
             RETURNING integration_id)
         UPDATE integrations i
            SET last_sync_at = CASE WHEN $3 = 'succeeded' THEN now() ELSE i.last_sync_at END,
                last_error = CASE WHEN $3 = 'failed' THEN $4 WHEN $3 = 'succeeded' THEN NULL
                                  ELSE i.last_error END
           FROM r WHERE i.id = r.integration_id AND $5",
    )
    .bind::<diesel::sql_types::Uuid, _>(run.id)
    .bind::<Text, _>(worker_id)
    .bind::<Text, _>(status)
    .bind::<Nullable<Text>, _>(error)
    .bind::<Bool, _>(finished)
    .execute(conn)
    .await?;
    Ok(())
}

/// Fails runs that were claimed too often (each claim after a stale heartbeat means a worker
/// died on them) instead of letting them crash workers forever.
pub async fn fail_exhausted(conn: &mut AsyncPgConnection) -> Result<usize, SyncError> {
    let n = diesel::sql_query(
        "UPDATE sync_runs SET status = 'failed', finished_at = now(),
                error = 'the run stopped its worker ' || attempt || ' times; giving up'
          WHERE status IN ('queued', 'running') AND attempt >= $1
            AND (status = 'queued' OR heartbeat_at < now() - interval '1 minute')",
    )
    .bind::<Integer, _>(MAX_CLAIMS)
    .execute(conn)
    .await?;
    Ok(n)
}

/// The most recent runs of an organization, newest first.
pub async fn history(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    viewer: Uuid,
    provider: Option<&str>,
    limit: i64,
) -> Result<Vec<SyncRun>, SyncError> {
    // A colleague's calendar runs are theirs: even counts say something about their week.
    let visible = integrations::table
        .filter(integrations::organization_id.eq(organization_id))
        .filter(
            integrations::scope
                .eq("organization")
                .or(integrations::user_id.eq(viewer)),
        )
        .select(integrations::id);
    let mut q = sync_runs::table
        .filter(sync_runs::organization_id.eq(organization_id))
        .filter(sync_runs::integration_id.eq_any(visible))
        .order(sync_runs::queued_at.desc())
        .limit(limit)
        .select(SyncRun::as_select())
        .into_boxed();
    if let Some(p) = provider {
        q = q.filter(sync_runs::provider.eq(p.to_owned()));
    }
    Ok(q.load(conn).await?)
}

/// The statement of [`record_page`] (page writers prepare it once per connection).
pub const RECORD_PAGE: &str = "UPDATE sync_runs
                SET counts = jsonb_set(counts, ARRAY[$2::text], jsonb_build_object(
                        'records', coalesce((counts -> $2 ->> 'records')::bigint, 0) + $3::bigint,
                        'skipped', coalesce((counts -> $2 ->> 'skipped')::bigint, 0) + $4::int,
                        'pages', coalesce((counts -> $2 ->> 'pages')::bigint, 0) + $7::int)),
                    error_count = error_count + $4::int,
                    progress = progress || jsonb_build_object(
                        'object', $2::text,
                        'records', coalesce((progress ->> 'records')::bigint, 0) + $3::bigint,
                        -- The first problems are kept so the history can show what was skipped.
                        'skipped_samples', (SELECT coalesce(jsonb_agg(s), '[]') FROM (
                            SELECT s FROM jsonb_array_elements(coalesce(progress -> 'skipped_samples', '[]') || $5::jsonb) s
                            LIMIT 20) x)),
                    heartbeat_at = now()
              WHERE id = $1 AND worker_id = $6 AND status = 'running'";

/// Adds one committed write, of `pages` provider pages, to the run's counts and progress (in
/// the write's transaction); false when the run is no longer this worker's (the caller rolls
/// the write back).
pub async fn record_page<S>(
    client: &impl tokio_postgres::GenericClient,
    statement: &S,
    run_id: Uuid,
    worker_id: &str,
    object: &str,
    (records, pages): (usize, u32),
    skipped: &[Value],
) -> Result<bool, SyncError>
where
    S: ?Sized + tokio_postgres::ToStatement + Sync + Send,
{
    let n = client
        .execute(
            statement,
            &[
                &run_id,
                &object,
                &(records as i64),
                &(skipped.len() as i32),
                &Value::Array(skipped.to_vec()),
                &worker_id,
                &(pages as i32),
            ],
        )
        .await?;
    Ok(n == 1)
}
