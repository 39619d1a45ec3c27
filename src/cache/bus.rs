//! A typed event bus across replicas. An event reaches this process's subscribers at once and,
//! through Redis pub/sub, the other replicas' buses on the same channel (each ignores its own
//! events coming back). Without Redis there is one replica and the bus is local. Publishing never
//! waits on Redis; a slow subscriber misses events (the broadcast lags) rather than holding back
//! the publisher.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Cache, RedisCache};

#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<T> {
    origin: Uuid,
    event: T,
}

pub struct Bus<T> {
    channel: &'static str,
    origin: Uuid,
    local: broadcast::Sender<T>,
    redis: Option<RedisCache>,
}

impl<T> Bus<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    /// A bus on `channel`, shared with the other replicas when `cache` is Redis.
    pub fn new(channel: &'static str, cache: &Cache) -> Self {
        Self {
            channel,
            origin: Uuid::new_v4(),
            local: broadcast::channel(1024).0,
            redis: match cache {
                Cache::Redis(redis) => Some(redis.clone()),
                Cache::Memory(_) => None,
            },
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<T> {
        self.local.subscribe()
    }

    pub fn publish(&self, event: T) {
        if let Some(redis) = &self.redis
            && let Ok(text) = serde_json::to_string(&Envelope {
                origin: self.origin,
                event: &event,
            })
        {
            let (redis, channel) = (redis.clone(), self.channel);
            tokio::spawn(async move {
                if let Err(e) = redis.publish(channel, text).await {
                    tracing::debug!(error = %e, channel, "cannot relay an event");
                }
            });
        }
        let _ = self.local.send(event);
    }

    /// Re-broadcasts the other replicas' events here until shutdown (a no-op without Redis).
    pub async fn relay(&self, shutdown: CancellationToken) {
        let Some(redis) = &self.redis else {
            return;
        };
        loop {
            let mut messages = match redis.subscribe(self.channel).await {
                Ok(rx) => rx,
                Err(e) => {
                    tracing::warn!(error = %e, channel = self.channel, "cannot subscribe; retrying");
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
                match serde_json::from_str::<Envelope<T>>(&text) {
                    Ok(e) if e.origin != self.origin => {
                        let _ = self.local.send(e.event);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::debug!(error = %e, "ignoring a malformed event"),
                }
            }
        }
    }
}
