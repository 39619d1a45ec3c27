//! Redis-backed cache through fred. The client reconnects forever in the background; while Redis
//! is away commands fail fast (bounded timeout) and health reports "degraded" instead of crashing.

use std::time::Duration;

use fred::prelude::*;

use super::CacheError;

const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct RedisCache {
    client: Client,
}

fn err(e: fred::error::Error) -> CacheError {
    CacheError::Redis(e.to_string())
}

impl RedisCache {
    /// Starts the client. An unreachable Redis at startup is logged, not fatal: fred keeps
    /// reconnecting, and health says "degraded" until it answers.
    pub async fn connect(url: &url::Url) -> Result<Self, CacheError> {
        let config = Config::from_url(url.as_str()).map_err(err)?;
        let client = Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(2);
                c.internal_command_timeout = Duration::from_secs(2);
                c.max_command_attempts = 1;
            })
            .with_performance_config(|p| p.default_command_timeout = COMMAND_TIMEOUT)
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
            .build()
            .map_err(err)?;
        client.connect();
        match tokio::time::timeout(Duration::from_secs(3), client.wait_for_connect()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "redis is not reachable yet; retrying in the background")
            }
            Err(_) => tracing::warn!("redis did not answer within 3s; retrying in the background"),
        }
        Ok(Self { client })
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        self.client.get(key).await.map_err(err)
    }

    pub async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        self.client
            .set::<(), _, _>(key, value, Some(Expiration::PX(ms)), None, false)
            .await
            .map_err(err)
    }

    pub async fn set_new(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, CacheError> {
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let reply: Option<String> = self
            .client
            .set(
                key,
                value,
                Some(Expiration::PX(ms)),
                Some(SetOptions::NX),
                false,
            )
            .await
            .map_err(err)?;
        Ok(reply.is_some())
    }

    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.client.del::<(), _>(key).await.map_err(err)
    }

    pub async fn incr_by(
        &self,
        key: &str,
        amount: i64,
        window: Duration,
    ) -> Result<i64, CacheError> {
        let value: i64 = self.client.incr_by(key, amount).await.map_err(err)?;
        if value == amount {
            let ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
            self.client
                .pexpire::<(), _>(key, ms, None)
                .await
                .map_err(err)?;
        }
        Ok(value)
    }

    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError> {
        let ms: i64 = self.client.pttl(key).await.map_err(err)?;
        Ok(u64::try_from(ms).ok().map(Duration::from_millis))
    }

    pub async fn publish(&self, channel: &str, message: String) -> Result<(), CacheError> {
        self.client
            .publish::<(), _, _>(channel, message)
            .await
            .map_err(err)
    }

    /// Messages published on `channel` by any replica, through a dedicated subscriber
    /// connection that resubscribes by itself after Redis comes back.
    pub async fn subscribe(
        &self,
        channel: &str,
    ) -> Result<tokio::sync::mpsc::Receiver<String>, CacheError> {
        let subscriber = Builder::from_config(self.client.client_config())
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
            .build_subscriber_client()
            .map_err(err)?;
        subscriber.connect();
        subscriber.wait_for_connect().await.map_err(err)?;
        let _resubscribe = subscriber.manage_subscriptions();
        subscriber.subscribe(channel).await.map_err(err)?;
        let mut messages = subscriber.message_rx();
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(async move {
            let _subscriber = subscriber;
            loop {
                match messages.recv().await {
                    Ok(m) => {
                        if let Some(text) = m.value.as_string()
                            && tx.send(text).await.is_err()
                        {
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        Ok(rx)
    }

    pub async fn ping(&self) -> bool {
        let ping = self.client.ping::<String>(None);
        matches!(tokio::time::timeout(COMMAND_TIMEOUT, ping).await, Ok(Ok(_)))
    }
}
