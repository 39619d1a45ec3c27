//! Keeps the session cache honest: one connection LISTENing on the channel the session triggers
//! notify, evicting what each announcement names. The cache serves only while this connection
//! is up; it reconnects with a growing delay when the database drops it.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};
use tokio_util::sync::CancellationToken;

use super::sessions::{CHANNEL, Change, SessionCache};
use crate::config::DatabaseUrl;

pub const APPLICATION_NAME: &str = "revtops-session-listener";

/// Listens until shutdown. Does nothing when the cache is disabled.
pub async fn run(url: DatabaseUrl, cache: Arc<SessionCache>, shutdown: CancellationToken) {
    if !cache.is_enabled() {
        return;
    }
    let mut delay = Duration::from_millis(100);
    loop {
        match listen(&url, &cache, &shutdown).await {
            Ok(()) => return,
            // `listen` has stopped the cache serving already.
            Err(e) => {
                tracing::warn!(error = %e, "session change listener lost; sessions are read from the database until it is back");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.cancelled() => return,
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// One connection's life: Ok on shutdown, Err when the connection fails or ends.
async fn listen(
    url: &DatabaseUrl,
    cache: &SessionCache,
    shutdown: &CancellationToken,
) -> Result<(), Lost> {
    let mut config: tokio_postgres::Config = url.expose().parse()?;
    config
        .application_name(APPLICATION_NAME)
        .connect_timeout(Duration::from_secs(5))
        // A peer that vanished without closing the socket is noticed within about half a minute.
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(3);
    let (client, mut connection) = config.connect(NoTls).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let pump = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(Ok(Change::parse(n.payload()))).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    });
    let result: Result<(), Lost> = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        cache.set_live(true);
        tracing::debug!("session change listener connected");
        loop {
            tokio::select! {
                change = rx.recv() => match change {
                    Some(Ok(change)) => cache.evict(&change),
                    Some(Err(e)) => return Err(e.into()),
                    None => return Err(Lost::Closed),
                },
                _ = shutdown.cancelled() => return Ok(()),
            }
        }
    }
    .await;
    pump.abort();
    cache.set_live(false);
    result
}

#[derive(Debug, thiserror::Error)]
enum Lost {
    #[error(transparent)]
    Database(#[from] tokio_postgres::Error),
    #[error("the server closed the connection")]
    Closed,
}
