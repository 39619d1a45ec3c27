//! Keeps the planner's statistics of the tables a run writes close to their real size, off the
//! run's critical path.
//!
//! Each page joins its rows to earlier objects by unique key, which is cheap only while the
//! planner knows how big the tables are. A first backfill grows them from nothing far faster
//! than autovacuum re-analyzes, and with the statistics of an empty table every page would
//! scan the whole table. So while an object is written (after 1, 8, 64, 512, ... writes, and
//! when it is done) its table is analyzed if this run wrote more than half as many rows as
//! the statistics know of: often during a first backfill, never for a small increment.
//!
//! `ANALYZE` of a table of some ten thousand rows reads and sorts all of them, which took a
//! sixth of the database's time in a backfill when the page loop waited for it. It runs on its
//! own task and connection instead, one table at a time, while pages go on being written: a
//! page planned before it finishes is replanned after (`ANALYZE` invalidates cached plans of
//! the table). Until an object is done only the columns the pages join on are analyzed (the
//! table's size is updated either way); the whole table once it is, for the questions people
//! ask next. Best effort: a failure only costs speed.

use std::collections::{BTreeMap, HashMap};

use diesel_async::RunQueryDsl;
use tokio::sync::mpsc;

use super::SyncError;
use crate::connectors::ObjectSpec;
use crate::db::DbPool;

/// A run's statistics refresher. Dropping it lets the queued work finish, then ends the task.
pub struct Statistics {
    requests: mpsc::UnboundedSender<(&'static str, Due)>,
    /// Writes and rows committed per object this run.
    committed: HashMap<&'static str, (u64, u64)>,
}

/// What a table is due: rows written so far, and whether every column or only the keys.
#[derive(Debug, Clone, Copy)]
struct Due {
    written: u64,
    whole: bool,
}

/// What each page joins on (`organization_id, source_system, source_id`) and, in the
/// statistics, how big the table is.
const KEY_COLUMNS: &str = "organization_id, source_system, source_id";

impl Statistics {
    pub fn start(pool: DbPool) -> Self {
        let (requests, queue) = mpsc::unbounded_channel();
        tokio::spawn(refresh(pool, queue));
        Self {
            requests,
            committed: HashMap::new(),
        }
    }

    /// After a write of `rows` rows of `spec` has committed (`done`: the object is caught up).
    pub fn page_committed(&mut self, spec: &ObjectSpec, rows: u64, done: bool) {
        let (pages, written) = self.committed.entry(spec.name).or_default();
        *pages += 1;
        *written += rows;
        let (pages, written) = (*pages, *written);
        let checkpoint = pages.is_power_of_two() && pages.ilog2().is_multiple_of(3);
        if (checkpoint || done) && written > 0 {
            let due = Due {
                written,
                whole: done,
            };
            let _ = self.requests.send((spec.table.name(), due));
        }
    }
}

/// Analyzes what is asked, one table at a time. Requests that queued up while an `ANALYZE`
/// ran are merged per table (the latest count wins, and a whole-table request stays one), so
/// a slow one never builds a backlog.
async fn refresh(pool: DbPool, mut queue: mpsc::UnboundedReceiver<(&'static str, Due)>) {
    while let Some(first) = queue.recv().await {
        let mut due = BTreeMap::from([first]);
        while let Ok((table, next)) = queue.try_recv() {
            due.entry(table)
                .and_modify(|d| {
                    d.written = next.written;
                    d.whole |= next.whole;
                })
                .or_insert(next);
        }
        for (table, due) in due {
            if let Err(e) = analyze_if_stale(&pool, table, due).await {
                tracing::debug!(table, error = %e, "refreshing statistics failed");
            }
        }
    }
}

async fn analyze_if_stale(pool: &DbPool, table: &str, due: Due) -> Result<(), SyncError> {
    let mut conn = pool.get().await?;
    let known: f32 = diesel::dsl::sql::<diesel::sql_types::Float4>(&format!(
        "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = '{table}'::regclass"
    ))
    .get_result(&mut conn)
    .await?;
    if due.written as f64 > f64::from(known) / 2.0 {
        let columns = if due.whole {
            String::new()
        } else {
            format!(" ({KEY_COLUMNS})")
        };
        diesel::sql_query(format!("ANALYZE {table}{columns}"))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}
