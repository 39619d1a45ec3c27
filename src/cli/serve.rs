//! `revtops serve`: everything in one process on one tokio runtime.

use std::net::SocketAddr;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::http;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides BIND_ADDR / PORT)
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Do not create the database or apply pending migrations at startup
    #[arg(long)]
    no_migrate: bool,
}

pub async fn run(mut config: Config, args: ServeArgs) -> anyhow::Result<()> {
    if let Some(bind) = args.bind {
        config.bind_addr = bind;
    }
    let migrate = config.auto_migrate && !args.no_migrate;
    let shutdown = CancellationToken::new();
    let state = crate::startup::prepare(config, migrate, shutdown.clone()).await?;
    let server = http::bind(state.config.bind_addr)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.bind_addr))?;
    tracing::info!(addr = %server.local_addr, version = crate::build_info::long_version(), "listening");
    tokio::spawn(wait_for_signal(shutdown));
    let mut background = crate::startup::start_background(&state);
    server.serve(state).await.context("server failed")?;
    // Sync workers stop at their next page boundary; their runs are queued again to resume.
    while background.join_next().await.is_some() {}
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
    shutdown.cancel();
}
