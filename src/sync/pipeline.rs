//! Writes an object's pages on two connections at once, committing them strictly in order.
//!
//! A page's upsert is a single-threaded piece of work for one PostgreSQL backend: written one
//! page after another, a backfill kept one core busy and left the other idle. Here page k+1
//! is staged and upserted on the second connection while page k is still being written. Its
//! transaction then waits until page k has committed before it moves the object's cursor,
//! adds to the run's counts and commits, so rows, cursor and counts of a page still commit
//! together and in page order: a crash or a failed page leaves the cursor right after the
//! last page whose rows are in. A page that fails takes the pages after it down with it
//! (their transactions roll back), and the run ends with the first page's error.
//!
//! Two pages may only overlap when nothing one writes can wait on the other: they go to
//! their own table's rows by disjoint source ids, and only tables whose sole unique key is
//! the source id overlap (users are also unique by email, and the owners' upsert links real
//! members; stages are few). Otherwise a page waits for every page before it to commit first.
//! The rows' cursor and counts are the last statements of a transaction, so the locks on the
//! integration and the run are held only for its final round trips.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::page_writer::PageWriter;
use super::providers::IntegrationRef;
use super::{SyncError, queue, upsert};
use crate::config::DatabaseUrl;
use crate::connectors::{ObjectSpec, Page, Table};

/// Pages in flight at once: two is what overlapping needs on two cores; more would mostly
/// queue on the database's cores and hold more connections.
const LANES: usize = 2;

/// What every page of a run is written with.
pub struct RunTarget {
    pub run_id: Uuid,
    pub worker_id: String,
    pub provider: String,
    pub integration: IntegrationRef,
}

/// A page that has committed.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    pub spec: ObjectSpec,
    pub rows: u64,
    pub skipped: u64,
    pub done: bool,
}

type Outcome = (PageWriter, Result<Written, SyncError>);

struct InFlight {
    table: Table,
    /// Source ids it writes; None when the page may not overlap another.
    keys: Option<HashSet<String>>,
    task: JoinHandle<Outcome>,
}

/// The run's writers and the pages they have in flight, oldest first.
pub struct Lanes {
    url: DatabaseUrl,
    /// Writers open, idle or not: the second is opened when a second page is in flight, so a
    /// small incremental run keeps to one connection.
    open: usize,
    idle: Vec<PageWriter>,
    in_flight: VecDeque<InFlight>,
    /// Fires once the newest page in flight has committed; dropped unfired if it failed.
    last_commit: Option<oneshot::Receiver<()>>,
}

impl Lanes {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, SyncError> {
        Ok(Self {
            url: url.clone(),
            open: 1,
            idle: vec![PageWriter::connect(url).await?],
            in_flight: VecDeque::new(),
            last_commit: None,
        })
    }

    /// Starts writing `page` of `spec`, the rows of `pages` provider pages. Returns the pages
    /// that committed meanwhile, in order (waiting for them where a lane or the page's keys
    /// require it).
    pub async fn submit(
        &mut self,
        target: &Arc<RunTarget>,
        spec: ObjectSpec,
        (page, pages): (Page, u32),
    ) -> Result<Vec<Written>, SyncError> {
        let keys = overlappable(spec.table).then(|| {
            page.rows
                .source_ids()
                .into_iter()
                .map(str::to_owned)
                .collect()
        });
        let mut written = Vec::new();
        while self.must_wait(spec.table, keys.as_ref()) || self.full() {
            written.push(self.finish_oldest().await?);
        }
        let writer = match self.idle.pop() {
            Some(writer) => writer,
            None => {
                let writer = PageWriter::connect(&self.url).await?;
                self.open += 1;
                writer
            }
        };
        let (committed, next_commit) = oneshot::channel();
        let after = self.last_commit.replace(next_commit);
        let task = tokio::spawn(write(
            writer,
            Arc::clone(target),
            spec,
            (page, pages),
            after,
            committed,
        ));
        self.in_flight.push_back(InFlight {
            table: spec.table,
            keys,
            task,
        });
        Ok(written)
    }

    /// Waits for every page in flight.
    pub async fn drain(&mut self) -> Result<Vec<Written>, SyncError> {
        let mut written = Vec::new();
        while !self.in_flight.is_empty() {
            written.push(self.finish_oldest().await?);
        }
        Ok(written)
    }

    /// Every lane busy: a page must finish before another starts.
    fn full(&self) -> bool {
        self.idle.is_empty() && self.open >= LANES
    }

    /// Whether a page of `table` with these keys must wait for the pages in flight: a page
    /// of another table may join to their rows, which it would not see uncommitted.
    fn must_wait(&self, table: Table, keys: Option<&HashSet<String>>) -> bool {
        let Some(keys) = keys else {
            return !self.in_flight.is_empty();
        };
        self.in_flight.iter().any(|other| match &other.keys {
            Some(theirs) => other.table != table || !theirs.is_disjoint(keys),
            None => true,
        })
    }

    /// Awaits the oldest page in flight. On failure the pages after it roll back; they are
    /// awaited too, so nothing is still writing when the run records its end.
    async fn finish_oldest(&mut self) -> Result<Written, SyncError> {
        let oldest = self.in_flight.pop_front().expect("a page is in flight");
        let result = self.join(oldest.task).await;
        if result.is_err() {
            while let Some(later) = self.in_flight.pop_front() {
                let _ = self.join(later.task).await;
            }
        }
        result
    }

    async fn join(&mut self, task: JoinHandle<Outcome>) -> Result<Written, SyncError> {
        let (writer, result) = match task.await {
            Ok(outcome) => outcome,
            Err(e) => {
                self.open -= 1;
                return Err(SyncError::Internal(format!("page writer task failed: {e}")));
            }
        };
        // A writer whose page failed is dropped: its transaction state is unknown.
        match result {
            Ok(_) => self.idle.push(writer),
            Err(_) => self.open -= 1,
        }
        result
    }
}

/// Tables whose pages may be written side by side (see the module's comment).
fn overlappable(table: Table) -> bool {
    matches!(
        table,
        Table::Accounts | Table::Contacts | Table::Deals | Table::Activities
    )
}

async fn write(
    mut writer: PageWriter,
    target: Arc<RunTarget>,
    spec: ObjectSpec,
    (page, pages): (Page, u32),
    after: Option<oneshot::Receiver<()>>,
    committed: oneshot::Sender<()>,
) -> Outcome {
    let result = match commit_page(&mut writer, &target, &spec, (&page, pages), after).await {
        Ok(()) => {
            let _ = committed.send(());
            writer.committed().await.map(|()| Written {
                spec,
                rows: page.rows.len() as u64,
                skipped: page.skipped.len() as u64,
                done: page.done,
            })
        }
        Err(e) => Err(e),
    };
    (writer, result)
}

const MOVE_CURSOR: &str = "UPDATE integrations \
     SET sync_cursors = jsonb_set(sync_cursors, ARRAY[$2::text], $3::jsonb) WHERE id = $1";

/// Rows, cursor and counts of one page, all or nothing, committed after the page before it.
async fn commit_page(
    writer: &mut PageWriter,
    target: &RunTarget,
    spec: &ObjectSpec,
    (page, pages): (&Page, u32),
    after: Option<oneshot::Receiver<()>>,
) -> Result<(), SyncError> {
    let skipped: Vec<Value> = page
        .skipped
        .iter()
        .map(|s| json!({"object": spec.name, "source_id": s.source_id, "reason": s.reason}))
        .collect();
    let integration = &target.integration;
    let statement = writer.statement(upsert::statement(&page.rows)).await?;
    let record = writer.statement(queue::RECORD_PAGE).await?;
    let move_cursor = writer.statement(MOVE_CURSOR).await?;
    let tx = writer.client().transaction().await?;
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
        &target.provider,
        &page.rows,
        personal,
    )
    .await?;
    if let Some(after) = after {
        after.await.map_err(|_| {
            SyncError::Internal("an earlier page was not written, so this one was not".into())
        })?;
    }
    // The claim check comes last but inside the transaction, and the cursor moves in the same
    // round trip: a run another worker took over rolls back, committing neither rows nor cursor.
    let cursor: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
        [&integration.id, &spec.name, &page.cursor];
    let (claimed, moved) = futures_util::join!(
        queue::record_page(
            &tx,
            &record,
            target.run_id,
            &target.worker_id,
            spec.name,
            (page.rows.len(), pages),
            &skipped,
        ),
        // (Called by path: diesel's `RunQueryDsl::execute` is in scope too.)
        Transaction::execute(&tx, &move_cursor, &cursor)
    );
    if !claimed? {
        return Err(SyncError::LeaseLost);
    }
    moved?;
    tx.commit().await?;
    Ok(())
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
