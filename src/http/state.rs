//! What every handler can reach: the pool, the cache and the configuration.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::agent::AgentDeps;
use crate::cache::Cache;
use crate::config::Config;
use crate::connectors::nango::NangoClient;
use crate::db::DbPool;
use crate::services::auth::Authenticator;
use crate::services::auth::access::AccessBus;
use crate::services::mail::Mailer;
use crate::sql::SqlEngine;
use crate::sync::SyncEngine;

#[derive(Clone)]
pub struct AppState {
    pub db: DbPool,
    pub cache: Cache,
    pub config: Arc<Config>,
    pub auth: Arc<Authenticator>,
    /// Sign-outs, removals and role changes, across replicas: open sockets act on them.
    pub access: Arc<AccessBus>,
    /// Account emails; without SMTP_URL it sends nothing and links are shown instead.
    pub mailer: Arc<Mailer>,
    pub sql: Arc<SqlEngine>,
    pub agent: Arc<AgentDeps>,
    pub sync: Arc<SyncEngine>,
    /// The Nango client; None without NANGO_SECRET_KEY (connecting providers answers 503).
    pub nango: Option<Arc<NangoClient>>,
    /// Cancelled on SIGINT/SIGTERM: background work stops at its next safe point.
    pub shutdown: CancellationToken,
}
