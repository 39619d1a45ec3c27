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
//! the table). Until every object stored in a table is done only the columns the pages join on
//! are analyzed (the table's size is updated either way); the whole table once, when its last
//! object is, for the questions people ask next. A whole `ANALYZE` of activities also computes
//! the statistics of the full-text index's expression over its sample, so HubSpot's five
//! engagement objects, which share that table, trigger it once rather than after each.
//! Best effort: a failure only costs speed.

use std::collections::{BTreeMap, HashMap};

use diesel_async::RunQueryDsl;
use tokio::sync::mpsc;

use super::SyncError;
use crate::connectors::ObjectSpec;
use crate::db::DbPool;

/// A run's statistics refresher. Dropping it lets the queued work finish, then ends the task.
pub struct Statistics {
    requests: mpsc::UnboundedSender<(&'static str, Due)>,
    ledger: Ledger,
}

/// What a table is due: rows written so far, and whether every column or only the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Due {
    written: u64,
    whole: bool,
}

/// What each page joins on (`organization_id, source_system, source_id`) and, in the
/// statistics, how big the table is.
const KEY_COLUMNS: &str = "organization_id, source_system, source_id";

impl Statistics {
    /// For a run over `objects`.
    pub fn start(pool: DbPool, objects: &[ObjectSpec]) -> Self {
        let (requests, queue) = mpsc::unbounded_channel();
        tokio::spawn(refresh(pool, queue));
        Self {
            requests,
            ledger: Ledger::new(objects),
        }
    }

    /// After a write of `rows` rows of `spec` has committed (`done`: the object is caught up).
    pub fn page_committed(&mut self, spec: &ObjectSpec, rows: u64, done: bool) {
        if let Some(due) = self.ledger.record(spec, rows, done) {
            let _ = self.requests.send(due);
        }
    }
}

/// What a run has committed, and so when each table is due a look.
struct Ledger {
    /// Writes committed per object.
    pages: HashMap<&'static str, u64>,
    /// Rows committed per table.
    written: HashMap<&'static str, u64>,
    /// Objects per table not done yet.
    pending: HashMap<&'static str, usize>,
}

impl Ledger {
    fn new(objects: &[ObjectSpec]) -> Self {
        let mut pending = HashMap::new();
        for spec in objects {
            *pending.entry(spec.table.name()).or_default() += 1;
        }
        Self {
            pages: HashMap::new(),
            written: HashMap::new(),
            pending,
        }
    }

    /// The table a committed write makes due for a look, if any: at an object's 1st, 8th,
    /// 64th, ... write and when it is done; the whole table when its last object is done.
    fn record(&mut self, spec: &ObjectSpec, rows: u64, done: bool) -> Option<(&'static str, Due)> {
        let table = spec.table.name();
        let pages = self.pages.entry(spec.name).or_default();
        *pages += 1;
        let checkpoint = pages.is_power_of_two() && pages.ilog2().is_multiple_of(3);
        let written = self.written.entry(table).or_default();
        *written += rows;
        let written = *written;
        let mut whole = false;
        if done && let Some(left) = self.pending.get_mut(table) {
            *left = left.saturating_sub(1);
            whole = *left == 0;
        }
        ((checkpoint || done) && written > 0).then_some((table, Due { written, whole }))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::Table;

    fn spec(name: &'static str, table: Table) -> ObjectSpec {
        ObjectSpec { name, table }
    }

    #[test]
    fn a_table_shared_by_several_objects_is_analyzed_whole_once_when_the_last_is_done() {
        let objects = [
            spec("deals", Table::Deals),
            spec("calls", Table::Activities),
            spec("emails", Table::Activities),
        ];
        let mut ledger = Ledger::new(&objects);
        let whole = |due: Option<(&'static str, Due)>| due.map(|(t, d)| (t, d.whole));

        assert_eq!(
            whole(ledger.record(&objects[0], 100, false)),
            Some(("deals", false)),
            "1st write"
        );
        assert_eq!(
            ledger.record(&objects[0], 100, false),
            None,
            "2nd write: no checkpoint"
        );
        assert_eq!(
            whole(ledger.record(&objects[0], 50, true)),
            Some(("deals", true))
        );

        assert_eq!(
            whole(ledger.record(&objects[1], 100, false)),
            Some(("activities", false))
        );
        assert_eq!(
            whole(ledger.record(&objects[1], 10, true)),
            Some(("activities", false)),
            "calls are done, emails are not: the keys only"
        );
        let (_, due) = ledger.record(&objects[2], 100, false).unwrap();
        assert_eq!(
            due,
            Due {
                written: 210,
                whole: false
            },
            "rows counted per table"
        );
        assert_eq!(
            ledger.record(&objects[2], 5, true),
            Some((
                "activities",
                Due {
                    written: 215,
                    whole: true
                }
            ))
        );
    }

    #[test]
    fn nothing_written_asks_for_nothing() {
        let objects = [spec("owners", Table::Users)];
        let mut ledger = Ledger::new(&objects);
        assert_eq!(ledger.record(&objects[0], 0, true), None);
    }
}
