//! Login throttling: failed attempts are counted per (email, client address) and per client address
//! in the cache (shared through Redis across replicas); past a limit, attempts from that address get
//! 429 until the window ends. There is deliberately no lock on an email alone: anyone could then
//! lock a victim out of their account by failing to sign in as them. Guessing from many addresses
//! stays bounded by the per-address limits and the cost of argon2.

use std::net::IpAddr;
use std::time::Duration;

use crate::cache::Cache;
use crate::services::{ServiceError, ServiceResult};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_FAILURES_PER_EMAIL_AND_IP: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 30;

pub struct LoginThrottle<'a> {
    cache: &'a Cache,
}

fn address(ip: Option<IpAddr>) -> String {
    ip.map(|i| i.to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn pair_key(email: &str, ip: Option<IpAddr>) -> String {
    format!("login:fail:pair:{}:{email}", address(ip))
}

fn ip_key(ip: Option<IpAddr>) -> String {
    format!("login:fail:ip:{}", address(ip))
}

impl<'a> LoginThrottle<'a> {
    pub fn new(cache: &'a Cache) -> Self {
        Self { cache }
    }

    /// Refuses the attempt while either counter is at its limit.
    pub async fn check(&self, email: &str, ip: Option<IpAddr>) -> ServiceResult<()> {
        for (key, max) in [
            (pair_key(email, ip), MAX_FAILURES_PER_EMAIL_AND_IP),
            (ip_key(ip), MAX_FAILURES_PER_IP),
        ] {
            // Fail open if the cache is away: locking everyone out is worse than a brief gap.
            let count = match self.cache.get(&key).await {
                Ok(v) => v.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0),
                Err(e) => {
                    tracing::warn!(error = %e, "login throttle unavailable");
                    continue;
                }
            };
            if count >= max {
                let retry = self.cache.ttl(&key).await.ok().flatten().unwrap_or(WINDOW);
                return Err(ServiceError::RateLimited {
                    retry_after_secs: retry.as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    pub async fn record_failure(&self, email: &str, ip: Option<IpAddr>) {
        for key in [pair_key(email, ip), ip_key(ip)] {
            if let Err(e) = self.cache.incr(&key, WINDOW).await {
                tracing::warn!(error = %e, "login throttle unavailable");
            }
        }
    }

    pub async fn record_success(&self, email: &str, ip: Option<IpAddr>) {
        let _ = self.cache.delete(&pair_key(email, ip)).await;
    }
}
