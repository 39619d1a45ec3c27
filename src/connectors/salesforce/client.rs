//! Blocking Salesforce REST client: every call goes to the connection's `instance_url` (asked of
//! the credentials once, on first use), with bearer auth and one token refresh after a 401
//! `INVALID_SESSION_ID`. Salesforce's error body is a JSON array of `{message, errorCode}`:
//! `REQUEST_LIMIT_EXCEEDED` is either the rolling 24 h allocation ("TotalRequests Limit
//! exceeded", a run-ending [`ConnectorError::RateLimited`]) or a concurrency limit (waited out
//! with backoff); 5xx and connection failures are retried; an expired query locator is handed
//! back as [`CallError::Expired`] so the caller can re-run its query. Tokens never appear in
//! errors.

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::Value;

use crate::connectors::retry::{self, Retry};
use crate::connectors::{ConnectorError, ConnectorOptions, Credentials};

/// One entry of Salesforce's error array.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiFault {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub error_code: String,
}

/// A call that failed.
#[derive(Debug)]
pub enum CallError {
    /// `INVALID_QUERY_LOCATOR`: the `nextRecordsUrl` expired; run the query again.
    Expired,
    Failed(ConnectorError),
}

impl From<ConnectorError> for CallError {
    fn from(e: ConnectorError) -> Self {
        Self::Failed(e)
    }
}

pub struct Client {
    agent: ureq::Agent,
    credentials: Arc<dyn Credentials>,
    instance: Mutex<Option<String>>,
    retry: Retry,
}

impl Client {
    pub fn new(credentials: Arc<dyn Credentials>, options: &ConnectorOptions) -> Self {
        Self {
            agent: retry::agent(),
            credentials,
            instance: Mutex::new(None),
            retry: Retry::new("Salesforce", options),
        }
    }

    /// The connection's instance, without a trailing slash.
    fn instance(&self) -> Result<String, ConnectorError> {
        let mut cached = self.instance.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(url) = cached.as_ref() {
            return Ok(url.clone());
        }
        let url = self
            .credentials
            .instance_url()?
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .ok_or_else(|| {
                ConnectorError::Auth("Salesforce connection has no instance_url; reconnect".into())
            })?;
        *cached = Some(url.clone());
        Ok(url)
    }

    pub fn check_cancel(&self) -> Result<(), ConnectorError> {
        self.retry.check_cancel()
    }

    /// GETs `path` (absolute on the instance, e.g. a `nextRecordsUrl`) with `query`.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, CallError> {
        let url = format!("{}{}", self.instance()?, path);
        // What errors name: the path without its query (SOQL can be long).
        let what = path.split('?').next().unwrap_or(path);
        let mut token = self.credentials.access_token(false)?;
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            let bearer = format!("Bearer {token}");
            let answer = self.retry.exchange(&mut attempt, what, || {
                self.agent
                    .get(&url)
                    .header("authorization", &bearer)
                    .header("accept", "application/json")
                    .query_pairs(query.iter().copied())
                    .call()
            })?;
            let status = answer.status;
            if (200..300).contains(&status) {
                return serde_json::from_str(&answer.text).map_err(|e| {
                    CallError::Failed(ConnectorError::Api(format!(
                        "Salesforce {what}: invalid JSON response: {e}"
                    )))
                });
            }
            let fault = parse_fault(&answer.text);
            let described = describe(what, status, &fault);
            match (status, fault.error_code.as_str()) {
                (_, "INVALID_QUERY_LOCATOR") => return Err(CallError::Expired),
                (401, _) if !refreshed => {
                    refreshed = true;
                    attempt -= 1;
                    tracing::info!(path = what, "Salesforce answered 401: refreshing the token");
                    token = self.credentials.access_token(true)?;
                }
                (401, _) => {
                    return Err(ConnectorError::Auth(format!(
                        "Salesforce refused the session even after a token refresh; reconnect \
                         ({described})"
                    ))
                    .into());
                }
                (403, "REQUEST_LIMIT_EXCEEDED") if is_daily_quota(&fault.message) => {
                    return Err(ConnectorError::RateLimited(described).into());
                }
                (403, "REQUEST_LIMIT_EXCEEDED") => {
                    let wait = answer.retry_after();
                    self.retry
                        .throttled_wait_or_fail(attempt, wait, described)?;
                }
                (500..=599, _) => self.retry.wait_or_fail(attempt, None, described)?,
                _ => return Err(ConnectorError::Api(described).into()),
            }
        }
    }
}

/// The first entry of Salesforce's error array (or of an object, or the raw text).
pub fn parse_fault(text: &str) -> ApiFault {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items
            .first()
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default(),
        Ok(obj @ Value::Object(_)) => serde_json::from_value(obj).unwrap_or_default(),
        _ => ApiFault {
            message: text.chars().take(200).collect(),
            error_code: String::new(),
        },
    }
}

/// "TotalRequests Limit exceeded." is the org's rolling 24 h allocation: waiting seconds will not
/// fix it. Anything else under `REQUEST_LIMIT_EXCEEDED` (ConcurrentRequests…) passes.
fn is_daily_quota(message: &str) -> bool {
    message.contains("TotalRequests")
}

/// `Salesforce 400 INVALID_FIELD on /services/data/v62.0/queryAll: message`.
fn describe(path: &str, status: u16, fault: &ApiFault) -> String {
    let code = if fault.error_code.is_empty() {
        "error"
    } else {
        fault.error_code.as_str()
    };
    format!("Salesforce {status} {code} on {path}: {}", fault.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_read_from_the_array() {
        let f = parse_fault(
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
        );
        assert_eq!(f.error_code, "REQUEST_LIMIT_EXCEEDED");
        assert!(is_daily_quota(&f.message));
        assert!(!is_daily_quota(
            "ConcurrentRequests (concurrent API requests) Limit exceeded."
        ));
        assert_eq!(
            describe("/q", 400, &parse_fault("oops")),
            "Salesforce 400 error on /q: oops"
        );
    }
}
