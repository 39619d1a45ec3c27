//! Executes one claimed run: for each object of the connector, fetch a page (on the blocking
//! pool), then in one transaction upsert its rows, save the object's cursor and add to the run's
//! counts; report progress; repeat until the object is caught up. A heartbeat task keeps the
//! claim alive while a slow page is fetched and stops the run if another worker took it over.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use tokio_postgres::Transaction;

use super::page_writer::PageWriter;
use super::providers::IntegrationRef;
use super::queue::{self, Outcome};
use super::{SyncEngine, SyncError, SyncEvent, upsert};
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
    // Who may watch the run: a personal connection's progress is its owner's alone.
    let owner = match run_owner(engine, run.integration_id).await {
        Ok(owner) => owner,
        Err(e) => {
            heartbeat.abort();
            let outcome = Outcome::Failed(e.to_string());
            if let Err(e) = record_outcome(engine, &run, worker_id, &outcome).await {
                tracing::error!(run_id = %run.id, error = %e, "cannot record the end of a sync run");
            }
            return outcome;
        }
    };
    let result = sync_objects(engine, &run, owner, worker_id, run_cancel.clone()).await;
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

async fn run_owner(engine: &SyncEngine, integration_id: Uuid) -> Result<Option<Uuid>, SyncError> {
    let mut conn = engine.pool.get().await?;
    Ok(integrations::table
        .find(integration_id)
        .select(integrations::user_id)
        .first(&mut conn)
        .await?)
}

async fn sync_objects(
    engine: &SyncEngine,
    run: &SyncRun,
    owner: Option<Uuid>,
    worker_id: &str,
    cancel: CancellationToken,
) -> Result<(), SyncError> {
    let mut conn = engine.pool.get().await?;
    let integration = load_integration(&mut conn, run.integration_id).await?;
    if !integration.is_active {
        return Err(SyncError::Unavailable(format!(
            "the {} integration is disconnected",
            integration.provider
        )));
    }
    let mut cursors = integration.sync_cursors.clone();
    if run.full_sync && run.progress.get("cursors_reset").is_none() {
        reset_cursors(&mut conn, run.id, integration.id).await?;
        cursors = json!({});
    }
    drop(conn);
    let (throttle_tx, mut throttled) = tokio::sync::mpsc::unbounded_channel::<Throttle>();
    let notice: crate::connectors::ThrottleNotice = Arc::new(move |throttle| {
        let _ = throttle_tx.send(throttle);
    });
    let connector: Arc<dyn crate::connectors::Connector> = engine
        .connectors
        .build(&integration, cancel.clone(), notice)?
        .into();
    let (mut records, mut skipped) = totals(engine, run.id).await?;
    let mut writer = PageWriter::connect(&engine.database_url).await?;
    for spec in connector.objects() {
        let cursor = cursors.get(spec.name).cloned().unwrap_or(Value::Null);
        let mut next = Some(fetch(Arc::clone(&connector), *spec, cursor));
        let (mut pages, mut written) = (0u64, 0u64);
        while let Some(fetching) = next.take() {
            let waiting = |throttle: Throttle| {
                progress(
                    engine,
                    run,
                    owner,
                    spec.name,
                    (records, skipped),
                    Some(throttle),
                );
            };
            let page = page_or_throttled(fetching, &mut throttled, waiting).await?;
            if cancel.is_cancelled() {
                return Err(ConnectorError::Cancelled.into());
            }
            // The next page is fetched while this one commits: the provider's latency and the
            // database's overlap. Pages still commit strictly in order, each with its cursor.
            if !page.done {
                next = Some(fetch(Arc::clone(&connector), *spec, page.cursor.clone()));
            }
            commit_page(&mut writer, run, worker_id, spec, &integration, &page).await?;
            pages += 1;
            written += page.rows.len() as u64;
            refresh_statistics(engine, spec, pages, written, page.done).await;
            records += page.rows.len() as u64;
            skipped += page.skipped.len() as u64;
            progress(engine, run, owner, spec.name, (records, skipped), None);
        }
    }
    Ok(())
}

/// Each page joins its rows to earlier objects by unique key, which is cheap only while the
/// planner knows how big the tables are. A first backfill grows them from nothing far faster
/// than autovacuum re-analyzes, and with the statistics of an empty table every page would
/// scan the whole table. So while an object is written (after 1, 8, 64, 512, ... pages, and
/// when it is done) its table is analyzed if this run wrote more than half as many rows as
/// the statistics know of: often during a first backfill, never for a small increment.
/// Best effort: a failure only costs speed.
async fn refresh_statistics(
    engine: &SyncEngine,
    spec: &ObjectSpec,
    pages: u64,
    written: u64,
    done: bool,
) {
    let checkpoint = pages.is_power_of_two() && pages.ilog2().is_multiple_of(3);
    if !(checkpoint || done) || written == 0 {
        return;
    }
    let table = spec.table.name();
    let result: Result<(), SyncError> = async {
        let mut conn = engine.pool.get().await?;
        let known: f32 = diesel::dsl::sql::<diesel::sql_types::Float4>(&format!(
            "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = '{table}'::regclass"
        ))
        .get_result(&mut conn)
        .await?;
        if written as f64 > f64::from(known) / 2.0 {
            diesel::sql_query(format!("ANALYZE {table}"))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::debug!(table, error = %e, "refreshing statistics failed");
    }
}

/// Starts fetching a page on the blocking pool; the result is awaited later.
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

/// Awaits a page, telling `waiting` each time the provider's rate limit holds it back.
async fn page_or_throttled(
    page: impl std::future::Future<Output = Result<Page, SyncError>>,
    throttled: &mut tokio::sync::mpsc::UnboundedReceiver<Throttle>,
    waiting: impl Fn(Throttle),
) -> Result<Page, SyncError> {
    tokio::pin!(page);
    loop {
        tokio::select! {
            page = &mut page => return page,
            Some(wait) = throttled.recv() => waiting(wait),
        }
    }
}

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

/// Rows, cursor and counts of one page, all or nothing.
async fn commit_page(
    writer: &mut PageWriter,
    run: &SyncRun,
    worker_id: &str,
    spec: &ObjectSpec,
    integration: &IntegrationRef,
    page: &Page,
) -> Result<(), SyncError> {
    let skipped: Vec<Value> = page
        .skipped
        .iter()
        .map(|s| json!({"object": spec.name, "source_id": s.source_id, "reason": s.reason}))
        .collect();
    let statement = writer.statement(upsert::statement(&page.rows)).await?;
    let tx = writer.client().transaction().await?;
    // Claim check first: a run taken over must not write rows or move the cursor.
    if !queue::record_page(&tx, run.id, worker_id, spec.name, page.rows.len(), &skipped).await? {
        return Err(SyncError::LeaseLost);
    }
    let personal = match integration.user_id {
        Some(owner) => Some(upsert::Personal {
            owner,
            shared: shared_now(&tx, integration.id).await?,
        }),
        None => None,
    };
    upsert::apply(
        &tx,
        &statement,
        integration.organization_id,
        &run.provider,
        &page.rows,
        personal,
    )
    .await?;
    // (Called by path: diesel's `RunQueryDsl::execute` is in scope too.)
    Transaction::execute(
        &tx,
        "UPDATE integrations SET sync_cursors = jsonb_set(sync_cursors, ARRAY[$2::text], $3::jsonb) \
         WHERE id = $1",
        &[&integration.id, &spec.name, &page.cursor],
    )
    .await?;
    tx.commit().await?;
    writer.committed().await
}

/// Whether the owner shares their personal connection, read under the integration's row lock:
/// an owner who stops sharing waits for this page, then re-marks its rows private; a page after
/// that reads the new choice. A value read at the start of the run could publish a page of
/// events the owner has just made private.
async fn shared_now(tx: &Transaction<'_>, integration_id: Uuid) -> Result<bool, SyncError> {
    let row = tx
        .query_one(
            "SELECT shared FROM integrations WHERE id = $1 FOR NO KEY UPDATE",
            &[&integration_id],
        )
        .await?;
    Ok(row.get(0))
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
