//! Building the shared application state: database (created and migrated on request), pool, cache.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::agent::AgentDeps;
use crate::cache::{Cache, MemoryCache, RedisCache};
use crate::config::Config;
use crate::connectors::nango::NangoClient;
use crate::db;
use crate::http::AppState;
use crate::services::auth::Authenticator;
use crate::services::mail::Mailer;
use crate::sql::SqlEngine;
use crate::sync::SyncEngine;
use crate::sync::providers::NangoConnectors;

/// Database (created and migrated if asked), pool and cache: the state every handler shares.
pub async fn prepare(
    config: Config,
    migrate: bool,
    shutdown: CancellationToken,
) -> anyhow::Result<AppState> {
    if migrate && db::admin::ensure_database(&config.database_url).await? {
        tracing::info!(database = %config.database_url.database_name(), "created database");
    }
    let pool = db::pool::connect(&config.database_url, config.database_pool_size).await?;
    if migrate {
        let applied = db::migrate::run_pending(&pool).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "applied migrations");
        }
    }
    let cache = match &config.redis_url {
        Some(url) => Cache::Redis(RedisCache::connect(url.expose()).await?),
        None => Cache::Memory(MemoryCache::default()),
    };
    let auth = Authenticator::new(&config.auth, config.accounts.signup, &pool).await?;
    let sql = Arc::new(SqlEngine::connect(&config.sql, &pool).await?);
    let llm = crate::agent::client_for(&config.chat);
    let agent = Arc::new(AgentDeps::new(
        pool.clone(),
        Arc::clone(&sql),
        llm,
        config.chat.clone(),
        cache.clone(),
        shutdown.clone(),
    ));
    let nango = config.integrations.nango_secret_key.as_ref().map(|key| {
        Arc::new(NangoClient::new(
            &config.integrations.nango_host,
            key.clone(),
        ))
    });
    let sync = Arc::new(SyncEngine::new(
        pool.clone(),
        config.database_url.clone(),
        config.sync.clone(),
        NangoConnectors::with_client(
            nango.clone(),
            config.integrations.clone(),
            config.sync.clone(),
        ),
        &cache,
    ));
    let access = Arc::new(crate::services::auth::access::bus(&cache));
    let mailer = Arc::new(Mailer::new(&config.accounts)?);
    Ok(AppState {
        sync,
        access,
        mailer,
        db: pool,
        cache,
        config: Arc::new(config),
        auth: Arc::new(auth),
        sql,
        agent,
        nango,
        shutdown,
    })
}

/// Starts the sync workers and scheduler of `serve`; they stop when `state.shutdown` is cancelled.
pub fn start_background(state: &AppState) -> tokio::task::JoinSet<()> {
    let mut set = crate::sync::workers::spawn(Arc::clone(&state.sync), state.shutdown.clone());
    let (sync, shutdown) = (Arc::clone(&state.sync), state.shutdown.clone());
    set.spawn(async move { sync.events.relay(shutdown).await });
    let (access, shutdown) = (Arc::clone(&state.access), state.shutdown.clone());
    set.spawn(async move { access.relay(shutdown).await });
    set.spawn(crate::services::auth::session_listener::run(
        state.config.database_url.clone(),
        Arc::clone(&state.auth.sessions),
        state.shutdown.clone(),
    ));
    set
}
