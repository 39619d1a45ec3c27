//! Blocking HubSpot HTTP client: bearer auth with one refresh after a 401, retries of transient
//! failures (the TEN_SECONDLY rate limit, 5xx, connection errors) with backoff and jitter, and
//! HubSpot's error envelope turned into [`ConnectorError`]s. Tokens never appear in errors.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::types::ErrorBody;
use crate::connectors::retry::{self, Retry};
use crate::connectors::{ConnectorError, ConnectorOptions, Credentials};

pub struct Client {
    agent: ureq::Agent,
    base: String,
    credentials: Arc<dyn Credentials>,
    retry: Retry,
}

#[derive(Clone, Copy)]
enum Method<'a> {
    Get(&'a [(&'a str, String)]),
    Post(&'a Value),
}

impl Client {
    pub fn new(base: &Url, credentials: Arc<dyn Credentials>, options: &ConnectorOptions) -> Self {
        Self {
            agent: retry::agent(),
            base: base.as_str().trim_end_matches('/').to_owned(),
            credentials,
            retry: Retry::new("HubSpot", options),
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
            let bearer = format!("Bearer {token}");
            let answer = self.retry.exchange(&mut attempt, path, || match method {
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
            })?;
            let (status, text) = (answer.status, &answer.text);
            let retry_after = answer.retry_after();
            let interval = answer.number("x-hubspot-ratelimit-interval-milliseconds");
            if (200..300).contains(&status) {
                return serde_json::from_str(text).map_err(|e| {
                    ConnectorError::Api(format!("HubSpot {path}: invalid JSON response: {e}"))
                });
            }
            let error: ErrorBody = serde_json::from_str(text).unwrap_or_default();
            let described = describe(path, status, &error, text);
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
                    self.retry
                        .throttled_wait_or_fail(attempt, wait, described)?;
                }
                500 | 502 | 503 | 504 => self.retry.wait_or_fail(attempt, None, described)?,
                _ => return Err(ConnectorError::Api(described)),
            }
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
