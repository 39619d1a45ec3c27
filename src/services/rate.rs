//! Counting limits shared by every replica (through the cache): questions per minute, queries per
//! minute, sign-ups per address per hour, model tokens per organization per day. A cache outage
//! lets requests through rather than refusing everyone.

use std::time::Duration;

use crate::cache::Cache;

/// Counts one use of `key`; `Err(retry_after)` once the window holds more than `limit` uses.
pub async fn take(cache: &Cache, key: &str, limit: i64, window: Duration) -> Result<(), Duration> {
    match cache.incr(key, window).await {
        Ok(n) if n > limit => Err(cache
            .ttl(key)
            .await
            .ok()
            .flatten()
            .unwrap_or(window)
            .max(Duration::from_secs(1))),
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, key, "rate limit unavailable");
            Ok(())
        }
    }
}

/// [`take`] as a service error: 429 with Retry-After at the edge.
pub async fn take_or_refuse(
    cache: &Cache,
    key: &str,
    limit: i64,
    window: Duration,
) -> super::ServiceResult<()> {
    take(cache, key, limit, window)
        .await
        .map_err(|wait| super::ServiceError::RateLimited {
            retry_after_secs: wait.as_secs(),
        })
}

/// One analytics query (SQL explorer, artifact data) of `user`, within QUERIES_PER_MINUTE.
pub async fn analytics_query(
    cache: &Cache,
    user: uuid::Uuid,
    per_minute: i64,
) -> super::ServiceResult<()> {
    let key = format!("query:user:{user}");
    take_or_refuse(cache, &key, per_minute, Duration::from_secs(60)).await
}

/// The model tokens an organization spent today (UTC), and adding to them.
pub struct DailyTokens<'a> {
    cache: &'a Cache,
    key: String,
}

impl<'a> DailyTokens<'a> {
    pub fn of(cache: &'a Cache, org: uuid::Uuid) -> Self {
        let day = chrono::Utc::now().format("%Y-%m-%d");
        Self {
            cache,
            key: format!("spend:tokens:{org}:{day}"),
        }
    }

    pub async fn spent(&self) -> u64 {
        match self.cache.get(&self.key).await {
            Ok(v) => v.and_then(|v| v.parse().ok()).unwrap_or(0),
            Err(e) => {
                tracing::warn!(error = %e, "token spend unavailable");
                0
            }
        }
    }

    pub async fn add(&self, tokens: u64) {
        let amount = i64::try_from(tokens).unwrap_or(i64::MAX);
        // Kept a little past the day so the last minutes still count.
        let window = Duration::from_secs(26 * 3600);
        if let Err(e) = self.cache.incr_by(&self.key, amount, window).await {
            tracing::warn!(error = %e, "cannot record token spend");
        }
    }
}
