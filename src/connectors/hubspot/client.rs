//! Blocking HubSpot HTTP client: bearer auth with one refresh after a 401, retries of transient
//! failures (the TEN_SECONDLY rate limit, 5xx, connection errors) with backoff and jitter, and
//! HubSpot's error envelope turned into [`ConnectorError`]s. Tokens never appear in errors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::types::ErrorBody;
use crate::connectors::{ConnectorError, Credentials, ThrottleNotice};

/// A retry-after longer than this is not waited for inside one call.
const MAX_WAIT: Duration = Duration::from_secs(60);

pub struct Client {
    agent: ureq::Agent,
    base: String,
    credentials: Arc<dyn Credentials>,
    retry_base: Duration,
    max_attempts: u32,
    cancel: CancellationToken,
    on_throttle: Option<ThrottleNotice>,
}

enum Method<'a> {
    Get(&'a [(&'a str, String)]),
    Post(&'a Value),
}

impl Client {
    pub fn new(
        base: &Url,
        credentials: Arc<dyn Credentials>,
        retry_base: Duration,
        max_attempts: u32,
        cancel: CancellationToken,
        on_throttle: Option<ThrottleNotice>,
    ) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            agent,
            base: base.as_str().trim_end_matches('/').to_owned(),
            credentials,
            retry_base,
            max_attempts: max_attempts.max(1),
            cancel,
            on_throttle,
        }
    }

    pub fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ConnectorError> {
        self.send(path, Method::Get(query))
    }

    pub fn post(&self, path: &str, body: &Value) -> Result<Value, ConnectorError> {
        self.send(path, Method::Post(body))
    }

    fn send(&self, path: &str, method: Method<'_>) -> Result<Value, ConnectorError> {
        let url = format!("{}{}", self.base, path);
        let mut token = self.credentials.access_token(false)?;
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            if self.cancel.is_cancelled() {
                return Err(ConnectorError::Cancelled);
            }
            let bearer = format!("Bearer {token}");
            let sent = match method {
                Method::Get(query) => self
                    .agent
                    .get(&url)
                    .header("authorization", &bearer)
                    .header("accept", "application/json")
                    .query_pairs(query.iter().map(|(k, v)| (*k, v.as_str())))
                    .call(),
                Method::Post(body) => self
                    .agent
                    .post(&url)
                    .header("authorization", &bearer)
                    .header("accept", "application/json")
                    .send_json(body),
            };
            attempt += 1;
            let mut resp = match sent {
                Ok(resp) => resp,
                Err(e) => {
                    let error = format!("HubSpot {path}: connection failed: {e}");
                    self.wait_or_fail(attempt, None, error)?;
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let header = |name: &str| -> Option<u64> {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse().ok())
            };
            let retry_after = header("retry-after").map(Duration::from_secs);
            let interval = header("x-hubspot-ratelimit-interval-milliseconds");
            let text = match resp
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string()
            {
                Ok(text) => text,
                Err(e) => {
                    let error = format!("HubSpot {path}: reading the response failed: {e}");
                    self.wait_or_fail(attempt, None, error)?;
                    continue;
                }
            };
            if (200..300).contains(&status) {
                return serde_json::from_str(&text).map_err(|e| {
                    ConnectorError::Api(format!("HubSpot {path}: invalid JSON response: {e}"))
                });
            }
            let error: ErrorBody = serde_json::from_str(&text).unwrap_or_default();
            let described = describe(path, status, &error, &text);
            match status {
                401 if !refreshed => {
                    refreshed = true;
                    attempt -= 1;
                    tracing::info!(path, "HubSpot answered 401: refreshing the access token");
                    token = self.credentials.access_token(true)?;
                }
                401 => return Err(ConnectorError::Auth(described)),
                429 => {
                    let policy = error.policy_name.as_deref().unwrap_or("");
                    if policy.eq_ignore_ascii_case("DAILY") {
                        return Err(ConnectorError::RateLimited(described));
                    }
                    // Retry-After when sent, else the rolling window's length, else backoff.
                    let wait = retry_after.or(interval.map(Duration::from_millis));
                    self.throttled_wait_or_fail(attempt, wait, described)?;
                }
                500 | 502 | 503 | 504 => self.wait_or_fail(attempt, None, described)?,
                _ => return Err(ConnectorError::Api(described)),
            }
        }
    }

    /// As [`Self::wait_or_fail`], telling whoever listens that HubSpot limits the rate.
    fn throttled_wait_or_fail(
        &self,
        attempt: u32,
        wait: Option<Duration>,
        error: String,
    ) -> Result<(), ConnectorError> {
        if attempt < self.max_attempts
            && let Some(notice) = &self.on_throttle
        {
            notice(self.delay(attempt, wait));
        }
        self.wait_or_fail(attempt, wait, error)
    }

    fn delay(&self, attempt: u32, wait: Option<Duration>) -> Duration {
        wait.map(|w| w.min(MAX_WAIT))
            .unwrap_or_else(|| crate::backoff::delay(self.retry_base, attempt - 1))
    }

    /// Sleeps before the next attempt, or fails when the attempts are used up.
    fn wait_or_fail(
        &self,
        attempt: u32,
        wait: Option<Duration>,
        error: String,
    ) -> Result<(), ConnectorError> {
        if attempt >= self.max_attempts {
            return Err(ConnectorError::Api(format!(
                "{error} (gave up after {attempt} attempts)"
            )));
        }
        tracing::warn!(attempt, error = %error, "retrying a HubSpot request");
        self.sleep(self.delay(attempt, wait))
    }

    /// Sleeps, waking early (with `Cancelled`) when the run is cancelled.
    fn sleep(&self, delay: Duration) -> Result<(), ConnectorError> {
        let until = Instant::now() + delay;
        loop {
            if self.cancel.is_cancelled() {
                return Err(ConnectorError::Cancelled);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }
}

/// `HubSpot 400 VALIDATION_ERROR on /path: message (correlation id …)`.
fn describe(path: &str, status: u16, error: &ErrorBody, raw: &str) -> String {
    let category = error
        .category
        .as_deref()
        .or(error.policy_name.as_deref())
        .unwrap_or("error");
    let message = error
        .message
        .clone()
        .unwrap_or_else(|| raw.chars().take(200).collect());
    match &error.correlation_id {
        Some(id) => {
            format!("HubSpot {status} {category} on {path}: {message} (correlation id {id})")
        }
        None => format!("HubSpot {status} {category} on {path}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let first = crate::backoff::delay(base, 0);
        assert!(first >= base && first <= base.mul_f64(1.5));
        let third = crate::backoff::delay(base, 2);
        assert!(third >= Duration::from_millis(400));
        assert!(crate::backoff::delay(base, 30) <= Duration::from_secs(45));
    }

    #[test]
    fn errors_name_category_and_message() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"status":"error","message":"Property values were not valid","correlationId":"c-1","category":"VALIDATION_ERROR"}"#,
        )
        .unwrap();
        let text = describe("/crm/v3/objects/deals", 400, &body, "");
        assert_eq!(
            text,
            "HubSpot 400 VALIDATION_ERROR on /crm/v3/objects/deals: Property values were not valid (correlation id c-1)"
        );
    }
}
