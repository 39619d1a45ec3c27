//! A small key/value cache with TTLs and counters (rate limits, JWKS, short-lived lookups).
//! Backed by Redis through fred when REDIS_URL is set, so replicas share it; otherwise in-process.

mod bus;
mod memory;
mod redis;

use std::time::Duration;

pub use bus::Bus;
pub use memory::MemoryCache;
pub use redis::RedisCache;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheBackend {
    Memory,
    Redis,
}

#[derive(Clone)]
pub enum Cache {
    Memory(MemoryCache),
    Redis(RedisCache),
}

impl Cache {
    pub fn backend(&self) -> CacheBackend {
        match self {
            Self::Memory(_) => CacheBackend::Memory,
            Self::Redis(_) => CacheBackend::Redis,
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        match self {
            Self::Memory(c) => Ok(c.get(key)),
            Self::Redis(c) => c.get(key).await,
        }
    }

    pub async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        match self {
            Self::Memory(c) => {
                c.set(key, value, ttl);
                Ok(())
            }
            Self::Redis(c) => c.set(key, value, ttl).await,
        }
    }

    /// Sets `key` only if it does not exist (atomically, across replicas with Redis); returns
    /// whether it was set.
    pub async fn set_new(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, CacheError> {
        match self {
            Self::Memory(c) => Ok(c.set_new(key, value, ttl)),
            Self::Redis(c) => c.set_new(key, value, ttl).await,
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        match self {
            Self::Memory(c) => {
                c.delete(key);
                Ok(())
            }
            Self::Redis(c) => c.delete(key).await,
        }
    }

    /// Increments a counter, starting its TTL window on first use; returns the new value.
    pub async fn incr(&self, key: &str, window: Duration) -> Result<i64, CacheError> {
        match self {
            Self::Memory(c) => Ok(c.incr_by(key, 1, window)),
            Self::Redis(c) => c.incr_by(key, 1, window).await,
        }
    }

    /// Adds `amount` to a counter, starting its TTL window on first use; returns the new value.
    pub async fn incr_by(
        &self,
        key: &str,
        amount: i64,
        window: Duration,
    ) -> Result<i64, CacheError> {
        match self {
            Self::Memory(c) => Ok(c.incr_by(key, amount, window)),
            Self::Redis(c) => c.incr_by(key, amount, window).await,
        }
    }

    /// Seconds until `key` expires, if it exists and has a TTL.
    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError> {
        match self {
            Self::Memory(c) => Ok(c.ttl(key)),
            Self::Redis(c) => c.ttl(key).await,
        }
    }

    /// Whether the backend answers right now. The memory cache always does.
    pub async fn ping(&self) -> bool {
        match self {
            Self::Memory(_) => true,
            Self::Redis(c) => c.ping().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_cache_expires_and_counts() {
        let cache = Cache::Memory(MemoryCache::default());
        cache
            .set("k", "v", Duration::from_millis(40))
            .await
            .unwrap();
        assert_eq!(cache.get("k").await.unwrap().as_deref(), Some("v"));
        assert!(
            !cache
                .set_new("k", "w", Duration::from_secs(1))
                .await
                .unwrap()
        );
        assert!(
            cache
                .set_new("fresh", "w", Duration::from_secs(1))
                .await
                .unwrap()
        );
        assert_eq!(cache.get("k").await.unwrap().as_deref(), Some("v"));
        assert_eq!(cache.incr("n", Duration::from_secs(60)).await.unwrap(), 1);
        assert_eq!(cache.incr("n", Duration::from_secs(60)).await.unwrap(), 2);
        assert_eq!(
            cache
                .incr_by("n", 40, Duration::from_secs(60))
                .await
                .unwrap(),
            42
        );
        assert!(cache.ttl("n").await.unwrap().unwrap() <= Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(cache.get("k").await.unwrap(), None);
        cache.delete("n").await.unwrap();
        assert_eq!(cache.get("n").await.unwrap(), None);
    }
}
