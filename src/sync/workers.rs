//! The background side of `serve`: sync workers that claim and execute runs, and the scheduler
//! that queues an incremental run for every active integration each SYNC_INTERVAL. Both are
//! safe with several replicas: claims skip locked rows and the scheduler's insert is guarded by
//! the one-active-run index and by the time of the integration's last queued run.

use std::sync::Arc;
use std::time::Duration;

use diesel::sql_types::{Array, Interval, Text};
use diesel_async::RunQueryDsl;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Provider, SyncEngine, SyncError, queue, runner};

/// How often an idle worker looks for runs queued by other replicas (local ones wake it at once).
const POLL: Duration = Duration::from_secs(2);

/// Starts `config.workers` workers and the scheduler; they stop at their next safe point once
/// `shutdown` is cancelled (a run in progress is queued again and resumes elsewhere).
pub fn spawn(engine: Arc<SyncEngine>, shutdown: CancellationToken) -> JoinSet<()> {
    let mut set = JoinSet::new();
    if engine.config.workers == 0 {
        return set;
    }
    for n in 0..engine.config.workers {
        let worker_id = format!("{}#{n}", engine.instance);
        set.spawn(work(Arc::clone(&engine), worker_id, shutdown.clone()));
    }
    set.spawn(schedule(engine, shutdown));
    set
}

async fn work(engine: Arc<SyncEngine>, worker_id: String, shutdown: CancellationToken) {
    while !shutdown.is_cancelled() {
        match claim_next(&engine, &worker_id, None).await {
            Ok(Some(run)) => {
                runner::execute(&engine, run, &worker_id, shutdown.clone()).await;
            }
            Ok(None) => {
                tokio::select! {
                    _ = engine.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                    _ = shutdown.cancelled() => {}
                }
            }
            Err(e) => {
                tracing::warn!(%worker_id, error = %e, "sync worker cannot claim runs");
                tokio::select! {
                    _ = tokio::time::sleep(POLL * 5) => {}
                    _ = shutdown.cancelled() => {}
                }
            }
        }
    }
}

/// Fails runs that keep killing workers, then claims the next run (or exactly `only`).
pub async fn claim_next(
    engine: &SyncEngine,
    worker_id: &str,
    only: Option<uuid::Uuid>,
) -> Result<Option<crate::db::models::SyncRun>, SyncError> {
    let mut conn = engine.pool.get().await?;
    queue::fail_exhausted(&mut conn).await?;
    queue::claim(&mut conn, worker_id, engine.config.stale_after, only).await
}

async fn schedule(engine: Arc<SyncEngine>, shutdown: CancellationToken) {
    // Checking a few times per interval keeps the spacing close to SYNC_INTERVAL per integration.
    let every = (engine.config.interval / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.cancelled() => return,
        }
        match enqueue_due(&engine).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(queued = n, "scheduled incremental syncs");
                engine.wake.notify_waiters();
            }
            Err(e) => tracing::warn!(error = %e, "sync scheduler failed"),
        }
    }
}

/// Queues an incremental run for every active, syncable integration with no run queued in the
/// last interval; returns how many were queued.
pub async fn enqueue_due(engine: &SyncEngine) -> Result<usize, SyncError> {
    let providers: Vec<&str> = Provider::ALL
        .into_iter()
        .filter(|p| p.syncable())
        .map(Provider::as_str)
        .collect();
    let mut conn = engine.pool.get().await?;
    let n = diesel::sql_query(
        "INSERT INTO sync_runs (organization_id, integration_id, provider, trigger)
         SELECT i.organization_id, i.id, i.provider, 'schedule'
           FROM integrations i
          WHERE i.is_active AND i.provider = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM sync_runs r
                             WHERE r.integration_id = i.id
                               AND (r.status IN ('queued', 'running') OR r.queued_at > now() - $2))
         ON CONFLICT DO NOTHING",
    )
    .bind::<Array<Text>, _>(providers)
    .bind::<Interval, _>(diesel::data_types::PgInterval::from_microseconds(
        engine.config.interval.as_micros() as i64,
    ))
    .execute(&mut conn)
    .await?;
    Ok(n)
}
