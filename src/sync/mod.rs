//! The sync engine: a queue of runs in `sync_runs` ([`queue`]), the code that executes one run
//! page by page ([`runner`]) with two pages' writes overlapping ([`pipeline`]), the workers and
//! scheduler inside `serve` ([`workers`]), the per-page upsert ([`upsert`]) and the connectors
//! each provider gets ([`providers`]).
//!
//! A run is resumable at every page: the page's rows, the object's cursor and the run's counts
//! commit in one transaction, in page order, so a worker that dies loses at most the pages it
//! had in flight and the next worker (any replica) continues from the last committed cursor.

pub mod page_writer;
pub mod pipeline;
pub mod providers;
pub mod queue;
pub mod runner;
pub mod staging;
pub mod statistics;
pub mod upsert;
pub mod workers;

use std::sync::Arc;

use tokio::sync::Notify;
use uuid::Uuid;

use crate::cache::{Bus, Cache};
use crate::config::{DatabaseUrl, SyncConfig};
use crate::connectors::ConnectorError;
use crate::db::DbPool;

pub use crate::connectors::Provider;
pub use providers::ConnectorFactory;
pub use queue::{Outcome, Trigger};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    /// The page writer's own connection (binary COPY needs tokio-postgres itself).
    #[error("database: {}", postgres_detail(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("database unavailable: {0}")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// The integration cannot be synced as configured (provider not supported, no connection).
    #[error("{0}")]
    Unavailable(String),
    /// Another worker took the run over (our heartbeat went stale) or it was cancelled.
    #[error("the run is no longer owned by this worker")]
    LeaseLost,
    #[error("{0}")]
    Internal(String),
}

/// The server's own words where it sent any: tokio-postgres's `Display` of a server error is
/// only "db error", which would tell the run's history nothing.
fn postgres_detail(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    }
}

/// What a run reports after each committed page (and once at the end).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SyncEvent {
    /// The engine instance (worker process) that produced it.
    pub origin: String,
    pub run_id: Uuid,
    pub organization_id: Uuid,
    pub provider: String,
    pub object: String,
    /// Records written by the run so far.
    pub records: u64,
    /// Records skipped as malformed so far.
    pub skipped: u64,
    /// None while running; the final status once the run ended.
    pub status: Option<String>,
    /// Set when the provider limits the rate: the run waits this many seconds, then goes on.
    #[serde(default)]
    pub throttled_for_secs: Option<u64>,
    /// While throttled, when the provider's pace lets the connector tell: about how long until
    /// the run is done.
    #[serde(default)]
    pub done_in_secs: Option<u64>,
    /// A personal connection's member: only they are shown the run.
    #[serde(default)]
    pub owner: Option<Uuid>,
}

/// Shared by the workers, the scheduler, the API and the CLI.
pub struct SyncEngine {
    pub pool: DbPool,
    /// Where page writers connect: each run writes its pages over a connection of its own.
    pub database_url: DatabaseUrl,
    pub config: SyncConfig,
    pub connectors: Arc<dyn ConnectorFactory>,
    /// Woken when a run is queued here so an idle worker starts it without waiting to poll.
    pub wake: Notify,
    /// Progress of every run, this replica's and (through Redis) the others'.
    pub events: Bus<SyncEvent>,
    /// Distinguishes this process's workers in `sync_runs.worker_id`.
    pub instance: String,
}

/// The bus channel of sync progress.
pub const EVENTS_CHANNEL: &str = "revtops:sync_events";

impl SyncEngine {
    /// `cache` decides whether progress also reaches the other replicas (Redis) or not.
    pub fn new(
        pool: DbPool,
        database_url: DatabaseUrl,
        config: SyncConfig,
        connectors: Arc<dyn ConnectorFactory>,
        cache: &Cache,
    ) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        Self {
            pool,
            database_url,
            config,
            connectors,
            wake: Notify::new(),
            events: Bus::new(EVENTS_CHANNEL, cache),
            instance: format!("{host}:{}:{}", std::process::id(), Uuid::new_v4().simple()),
        }
    }

    /// Tells local subscribers (sockets, the CLI's progress bar) and, through Redis, the other
    /// replicas' sockets. Never waits on Redis: progress must not slow a sync down.
    pub fn publish(&self, event: SyncEvent) {
        self.events.publish(event);
    }
}
