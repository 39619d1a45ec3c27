//! Login throttling: failed attempts are counted per email and per client IP in the cache (shared
//! through Redis across replicas). Past the limit, attempts get 429 until the window ends.

use std::net::IpAddr;
use std::time::Duration;

use crate::cache::Cache;
use crate::services::{ServiceError, ServiceResult};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 30;

pub struct LoginThrottle<'a> {
    cache: &'a Cache,
}

fn email_key(email: &str) -> String {
    format!("login:fail:email:{email}")
}

fn ip_key(ip: Option<IpAddr>) -> String {
    format!(
        "login:fail:ip:{}",
        ip.map(|i| i.to_string())
            .unwrap_or_else(|| "unknown".into())
    )
}

impl<'a> LoginThrottle<'a> {
    pub fn new(cache: &'a Cache) -> Self {
        Self { cache }
    }

    /// Refuses the attempt while either counter is at its limit.
    pub async fn check(&self, email: &str, ip: Option<IpAddr>) -> ServiceResult<()> {
        for (key, max) in [
            (email_key(email), MAX_FAILURES_PER_EMAIL),
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
        for key in [email_key(email), ip_key(ip)] {
            if let Err(e) = self.cache.incr(&key, WINDOW).await {
                tracing::warn!(error = %e, "login throttle unavailable");
            }
        }
    }

    pub async fn record_success(&self, email: &str) {
        let _ = self.cache.delete(&email_key(email)).await;
    }
}
