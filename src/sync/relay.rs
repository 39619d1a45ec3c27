//! Sync progress across replicas: every engine publishes its events on one Redis channel and
//! re-broadcasts the other replicas' events locally, so a socket sees its organization's syncs
//! whichever replica runs them. Without Redis there is one replica and nothing to relay.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{SyncEngine, SyncEvent};

pub const CHANNEL: &str = "revtops:sync_events";

pub async fn listen(engine: Arc<SyncEngine>, shutdown: CancellationToken) {
    let Some(redis) = engine.relay.clone() else {
        return;
    };
    loop {
        let mut messages = match redis.subscribe(CHANNEL).await {
            Ok(rx) => rx,
            Err(e) => {
                tracing::warn!(error = %e, "cannot subscribe to sync events; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(5)) => continue,
                    _ = shutdown.cancelled() => return,
                }
            }
        };
        loop {
            let text = tokio::select! {
                m = messages.recv() => m,
                _ = shutdown.cancelled() => return,
            };
            let Some(text) = text else { break };
            match serde_json::from_str::<SyncEvent>(&text) {
                Ok(event) if event.origin != engine.instance => {
                    let _ = engine.events.send(event);
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "ignoring a malformed sync event"),
            }
        }
    }
}
