//! Executes one claimed run: for each object of the connector, fetch a page (on the blocking
//! pool) while the previous ones are written, then hand it to the [`pipeline`](super::pipeline),
//! which upserts its rows, saves the object's cursor and adds to the run's counts in one
//! transaction; report progress as pages commit; repeat until the object is caught up. A heartbeat task keeps the
//! claim alive while a slow page is fetched and stops the run if another worker took it over.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::pipeline::{Lanes, RunTarget, Written};
use super::providers::IntegrationRef;
use super::queue::{self, Outcome};
use super::statistics::Statistics;
use super::{SyncEngine, SyncError, SyncEvent};
use crate::connectors::{ConnectorError, ObjectSpec, Page, Throttle};
use crate::db::models::SyncRun;
use crate::db::schema::integrations;

/// Runs `run` (already claimed by `worker_id`) to its end and records the outcome.
pub async fn execute(
    engine: &SyncEngine,
    run: SyncRun,
    worker_id: &str,
    cancel: CancellationToken,
) -> Outcome {
    let run_cancel = cancel.child_token();
    let heartbeat = tokio::spawn(keep_alive(
        engine.pool.clone(),
        run.id,
        worker_id.to_owned(),
        engine.config.stale_after / 4,
        run_cancel.clone(),
    ));
    let integration = match integration_of(engine, &run).await {
        Ok(integration) => integration,
        Err(e) => {
            heartbeat.abort();
            let outcome = Outcome::Failed(e.to_string());
            if let Err(e) = record_outcome(engine, &run, worker_id, &outcome).await {
                tracing::error!(run_id = %run.id, error = %e, "cannot record the end of a sync run");
            }
            return outcome;
        }
    };
    // Who may watch the run: a personal connection's progress is its owner's alone.
    let owner = integration.user_id;
    let result = sync_objects(engine, &run, integration, worker_id, run_cancel.clone()).await;
    heartbeat.abort();
    let outcome = match result {
        Ok(()) => Outcome::Succeeded,
        Err(SyncError::Connector(ConnectorError::Cancelled)) if cancel.is_cancelled() => {
            Outcome::Interrupted
        }
        // Lost the claim: another worker owns the run now; write nothing more.
        Err(SyncError::LeaseLost) | Err(SyncError::Connector(ConnectorError::Cancelled)) => {
            tracing::warn!(run_id = %run.id, "sync run taken over by another worker");
            return Outcome::Interrupted;
        }
        Err(e) => Outcome::Failed(e.to_string()),
    };
    match &outcome {
        Outcome::Failed(error) => tracing::warn!(run_id = %run.id, %error, "sync run failed"),
        Outcome::Succeeded => tracing::info!(run_id = %run.id, "sync run succeeded"),
        Outcome::Interrupted => tracing::info!(run_id = %run.id, "sync run interrupted"),
    }
    if let Err(e) = record_outcome(engine, &run, worker_id, &outcome).await {
        tracing::error!(run_id = %run.id, error = %e, "cannot record the end of a sync run");
    }
    let (records, skipped) = totals(engine, run.id).await.unwrap_or_default();
    engine.publish(SyncEvent {
        origin: engine.instance.clone(),
        run_id: run.id,
        organization_id: run.organization_id,
        provider: run.provider.clone(),
        object: String::new(),
        records,
        skipped,
        status: Some(status_name(&outcome).into()),
        throttled_for_secs: None,
        done_in_secs: None,
        owner,
    });
    outcome
}

fn status_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Succeeded => "succeeded",
        Outcome::Failed(_) => "failed",
        Outcome::Interrupted => "queued",
    }
}

async fn record_outcome(
    engine: &SyncEngine,
    run: &SyncRun,
    worker_id: &str,
    outcome: &Outcome,
) -> Result<(), SyncError> {
    let mut conn = engine.pool.get().await?;
    queue::finish(&mut conn, run, worker_id, outcome).await
}

async fn keep_alive(
    pool: crate::db::DbPool,
    run_id: Uuid,
    worker_id: String,
    every: std::time::Duration,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(every.max(std::time::Duration::from_millis(500)));
    tick.tick().await;
    loop {
        tick.tick().await;
        let alive = match pool.get().await {
            Ok(mut conn) => queue::heartbeat(&mut conn, run_id, &worker_id).await,
            Err(e) => Err(e.into()),
        };
        match alive {
            Ok(true) => {}
            Ok(false) => {
                cancel.cancel();
                return;
            }
            // A database hiccup: the next page's commit will tell whether we still own the run.
            Err(e) => tracing::warn!(%run_id, error = %e, "sync heartbeat failed"),
        }
    }
}

async fn integration_of(engine: &SyncEngine, run: &SyncRun) -> Result<IntegrationRef, SyncError> {
    let mut conn = engine.pool.get().await?;
    load_integration(&mut conn, run.integration_id).await
}

async fn sync_objects(
    engine: &SyncEngine,
    run: &SyncRun,
    integration: IntegrationRef,
    worker_id: &str,
    cancel: CancellationToken,
) -> Result<(), SyncError> {
    let owner = integration.user_id;
    if !integration.is_active {
        return Err(SyncError::Unavailable(format!(
            "the {} integration is disconnected",
            integration.provider
        )));
    }
    let mut cursors = integration.sync_cursors.clone();
    if run.full_sync && run.progress.get("cursors_reset").is_none() {
        let mut conn = engine.pool.get().await?;
        reset_cursors(&mut conn, run.id, integration.id).await?;
        cursors = json!({});
    }
    let (throttle_tx, mut throttled) = tokio::sync::mpsc::unbounded_channel::<Throttle>();
    let notice: crate::connectors::ThrottleNotice = Arc::new(move |throttle| {
        let _ = throttle_tx.send(throttle);
    });
    let connector: Arc<dyn crate::connectors::Connector> = engine
        .connectors
        .build(&integration, cancel.clone(), notice)?
        .into();
    let mut writing = Writing {
        engine,
        run,
        owner,
        lanes: Lanes::connect(&engine.database_url).await?,
        target: Arc::new(RunTarget {
            run_id: run.id,
            worker_id: worker_id.to_owned(),
            provider: run.provider.clone(),
            integration,
        }),
        so_far: totals(engine, run.id).await?,
        statistics: Statistics::start(engine.pool.clone(), connector.objects()),
    };
    for spec in connector.objects() {
        let cursor = cursors.get(spec.name).cloned().unwrap_or(Value::Null);
        let pages = Pages {
            connector: &connector,
            throttled: &mut throttled,
            cancel: &cancel,
        };
        if let Err(e) = sync_object(&mut writing, pages, *spec, cursor).await {
            // What was fetched whole is still written.
            let _ = writing.drain().await;
            return Err(e);
        }
    }
    writing.drain().await
}

/// Where a run's pages come from.
struct Pages<'a> {
    connector: &'a Arc<dyn crate::connectors::Connector>,
    throttled: &'a mut tokio::sync::mpsc::UnboundedReceiver<Throttle>,
    cancel: &'a CancellationToken,
}

/// Where a run's pages go, and what it has reported of them.
struct Writing<'a> {
    engine: &'a SyncEngine,
    run: &'a SyncRun,
    owner: Option<Uuid>,
    lanes: Lanes,
    target: Arc<RunTarget>,
    /// (records, skipped) of the whole run, a resumed run's earlier pages included.
    so_far: (u64, u64),
    statistics: Statistics,
}

impl Writing<'_> {
    /// Hands `pages` of `spec` to the lanes, counting what committed meanwhile.
    async fn submit(&mut self, spec: ObjectSpec, pages: (Page, u32)) -> Result<(), SyncError> {
        let written = self.lanes.submit(&self.target, spec, pages).await?;
        self.count(written);
        Ok(())
    }

    async fn drain(&mut self) -> Result<(), SyncError> {
        let written = self.lanes.drain().await?;
        self.count(written);
        Ok(())
    }

    /// Counts committed writes and reports the run's progress after each.
    fn count(&mut self, written: Vec<Written>) {
        for page in written {
            self.statistics
                .page_committed(&page.spec, page.rows, page.done);
            self.so_far.0 += page.rows;
            self.so_far.1 += page.skipped;
            progress(
                self.engine,
                self.run,
                self.owner,
                page.spec.name,
                self.so_far,
                None,
            );
        }
    }
}

/// Fetches `spec` from `cursor` until it is caught up, the next page while the earlier ones
/// are written. On an error, pages fetched whole have been handed to the lanes.
async fn sync_object(
    writing: &mut Writing<'_>,
    source: Pages<'_>,
    spec: ObjectSpec,
    cursor: Value,
) -> Result<(), SyncError> {
    let mut next = Some(fetch(Arc::clone(source.connector), spec, cursor));
    // Small pages (Slack reads 15 messages at a time) are written together: each write costs
    // a transaction and a statement's setup whatever its size.
    let mut batch: Option<(Page, u32)> = None;
    while let Some(fetching) = next.take() {
        let (engine, run, owner, so_far) =
            (writing.engine, writing.run, writing.owner, writing.so_far);
        let waiting = |throttle: Throttle| {
            progress(engine, run, owner, spec.name, so_far, Some(throttle));
        };
        tokio::pin!(fetching);
        let fetched = loop {
            match next_event(&mut fetching, source.throttled, &waiting).await {
                Fetched::Page(page) => break page,
                // While the provider holds the next page back, what is batched is written and
                // what is in flight is waited for, so the run's progress shows every row that
                // is in during the wait (the run waits on the provider anyway).
                Fetched::HeldBack => {
                    if let Some(pages) = batch.take() {
                        writing.submit(spec, pages).await?;
                    }
                    writing.drain().await?;
                }
            }
        };
        let page = match fetched {
            Ok(_) if source.cancel.is_cancelled() => Err(ConnectorError::Cancelled.into()),
            fetched => fetched,
        };
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                if let Some(pages) = batch.take() {
                    writing.submit(spec, pages).await?;
                }
                return Err(e);
            }
        };
        // The next page is fetched while this one is written: the provider's latency and the
        // database's overlap, and so do two pages' writes (see `pipeline`).
        if !page.done {
            next = Some(fetch(
                Arc::clone(source.connector),
                spec,
                page.cursor.clone(),
            ));
        }
        let pages = match batch.take() {
            Some((mut batched, n)) => {
                merge(&mut batched, page)?;
                (batched, n + 1)
            }
            None => (page, 1),
        };
        if pages.0.done || pages.0.rows.len() >= BATCH_ROWS {
            writing.submit(spec, pages).await?;
        } else {
            batch = Some(pages);
        }
    }
    Ok(())
}

/// Reports a running run's (records, skipped) so far, and whether the provider holds it back.
fn progress(
    engine: &SyncEngine,
    run: &SyncRun,
    owner: Option<Uuid>,
    object: &str,
    (records, skipped): (u64, u64),
    throttle: Option<Throttle>,
) {
    let secs = |d: Duration| d.as_secs_f64().ceil() as u64;
    engine.publish(SyncEvent {
        origin: engine.instance.clone(),
        run_id: run.id,
        organization_id: run.organization_id,
        provider: run.provider.clone(),
        object: object.to_owned(),
        records,
        skipped,
        status: None,
        throttled_for_secs: throttle.map(|t| secs(t.wait)),
        done_in_secs: throttle.and_then(|t| t.done_in).map(secs),
        owner,
    });
}

/// Pages smaller than this are written together with the pages after them.
const BATCH_ROWS: usize = 100;

/// What came first while a page was awaited.
enum Fetched {
    Page(Result<Page, SyncError>),
    /// The provider's rate limit holds the page back (`waiting` was told).
    HeldBack,
}

async fn next_event(
    page: &mut std::pin::Pin<&mut impl std::future::Future<Output = Result<Page, SyncError>>>,
    throttled: &mut tokio::sync::mpsc::UnboundedReceiver<Throttle>,
    waiting: &impl Fn(Throttle),
) -> Fetched {
    tokio::select! {
        page = page.as_mut() => Fetched::Page(page),
        Some(wait) = throttled.recv() => {
            waiting(wait);
            Fetched::HeldBack
        }
    }
}

/// `next` appended to `batch`, a page of the same object fetched before it: the rows in order
/// (a record in both keeps its later version), the cursor and `done` of `next`.
fn merge(batch: &mut Page, next: Page) -> Result<(), SyncError> {
    batch
        .rows
        .append(next.rows)
        .map_err(|_| SyncError::Internal("a page changed table mid-object".into()))?;
    batch.skipped.extend(next.skipped);
    batch.cursor = next.cursor;
    batch.done = next.done;
    Ok(())
}

/// Starts fetching a page on the blocking pool; the result is awaited later.
fn fetch(
    connector: Arc<dyn crate::connectors::Connector>,
    spec: ObjectSpec,
    cursor: Value,
) -> impl std::future::Future<Output = Result<Page, SyncError>> {
    let task = tokio::task::spawn_blocking(move || connector.fetch_page(&spec, &cursor));
    async move {
        task.await
            .map_err(|e| SyncError::Internal(format!("connector task failed: {e}")))?
            .map_err(SyncError::from)
    }
}

/// A full run starts every object from scratch, once: the reset is marked on the run in the
/// same transaction, so a resumed full run continues instead of starting over.
async fn reset_cursors(
    conn: &mut AsyncPgConnection,
    run_id: Uuid,
    integration_id: Uuid,
) -> Result<(), SyncError> {
    conn.transaction::<_, SyncError, _>(async |conn| {
        diesel::update(integrations::table.find(integration_id))
            .set(integrations::sync_cursors.eq(json!({})))
            .execute(conn)
            .await?;
        diesel::sql_query(
            "UPDATE sync_runs SET progress = progress || '{\"cursors_reset\": true}' WHERE id = $1",
        )
        .bind::<diesel::sql_types::Uuid, _>(run_id)
        .execute(conn)
        .await?;
        Ok(())
    })
    .await
}

pub async fn load_integration(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<IntegrationRef, SyncError> {
    Ok(integrations::table
        .find(id)
        .select(IntegrationRef::as_select())
        .first(conn)
        .await?)
}

/// Records and skipped records the run has committed so far (a resumed run continues counting).
async fn totals(engine: &SyncEngine, run_id: Uuid) -> Result<(u64, u64), SyncError> {
    use crate::db::schema::sync_runs;
    let mut conn = engine.pool.get().await?;
    let (progress, errors): (Value, i32) = sync_runs::table
        .find(run_id)
        .select((sync_runs::progress, sync_runs::error_count))
        .first(&mut conn)
        .await?;
    let records = progress.get("records").and_then(Value::as_u64).unwrap_or(0);
    Ok((records, errors.max(0) as u64))
}
