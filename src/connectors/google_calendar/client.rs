//! Blocking Google Calendar v3 client: bearer auth with one refresh after a 401, retries of the
//! per-minute rate limits (403 `rateLimitExceeded` / `userRateLimitExceeded`, 429), 5xx and
//! connection errors, and Google's error envelope turned into [`ConnectorError`]s. A 410 is
//! handed back to the caller (the sync token expired: a full sync is due). Tokens never appear
//! in errors.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::connectors::retry::{self, Retry};
use crate::connectors::{ConnectorError, ConnectorOptions, Credentials};

/// `{"error": {"errors": [{"domain", "reason", "message"}], "code", "message"}}`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: ErrorDetail,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub errors: Vec<ErrorItem>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorItem {
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorBody {
    fn reason(&self) -> &str {
        self.error
            .errors
            .first()
            .and_then(|e| e.reason.as_deref())
            .unwrap_or("")
    }
}

/// A list call's outcome besides hard failures.
pub enum Listed {
    Ok(Value),
    /// 410: the sync token is no longer valid.
    Gone(String),
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    credentials: Arc<dyn Credentials>,
    retry: Retry,
}

impl Client {
    pub fn new(base: &Url, credentials: Arc<dyn Credentials>, options: &ConnectorOptions) -> Self {
        Self {
            agent: retry::agent(),
            base: base.as_str().trim_end_matches('/').to_owned(),
            credentials,
            retry: Retry::new("Google Calendar", options),
        }
    }

    pub fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Listed, ConnectorError> {
        let url = format!("{}{}", self.base, path);
        let mut token = self.credentials.access_token(false)?;
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            let bearer = format!("Bearer {token}");
            let answer = self.retry.exchange(&mut attempt, path, || {
                self.agent
                    .get(&url)
                    .header("authorization", &bearer)
                    .header("accept", "application/json")
                    .query_pairs(query.iter().map(|(k, v)| (*k, v.as_str())))
                    .call()
            })?;
            let (status, text) = (answer.status, &answer.text);
            let retry_after = answer.retry_after();
            if (200..300).contains(&status) {
                return serde_json::from_str(text).map(Listed::Ok).map_err(|e| {
                    ConnectorError::Api(format!(
                        "Google Calendar {path}: invalid JSON response: {e}"
                    ))
                });
            }
            let error: ErrorBody = serde_json::from_str(text).unwrap_or_default();
            let described = describe(path, status, &error, text);
            match (status, error.reason()) {
                (401, _) if !refreshed => {
                    refreshed = true;
                    attempt -= 1;
                    tracing::info!(path, "Google Calendar answered 401: refreshing the token");
                    token = self.credentials.access_token(true)?;
                }
                (401, _) => return Err(ConnectorError::Auth(described)),
                (410, _) => return Ok(Listed::Gone(described)),
                (403, "quotaExceeded" | "dailyLimitExceeded") => {
                    return Err(ConnectorError::RateLimited(described));
                }
                (403, "rateLimitExceeded" | "userRateLimitExceeded") | (429, _) => {
                    self.retry
                        .throttled_wait_or_fail(attempt, retry_after, described)?;
                }
                (500..=599, _) => self.retry.wait_or_fail(attempt, None, described)?,
                _ => return Err(ConnectorError::Api(described)),
            }
        }
    }
}

/// `Google Calendar 403 usageLimits/quotaExceeded on /path: message`.
fn describe(path: &str, status: u16, error: &ErrorBody, raw: &str) -> String {
    let first = error.error.errors.first();
    let reason = match first.map(|e| (e.domain.as_deref(), e.reason.as_deref())) {
        Some((Some(domain), Some(reason))) => format!("{domain}/{reason}"),
        Some((None, Some(reason))) => reason.to_owned(),
        _ => "error".to_owned(),
    };
    let message = error
        .error
        .message
        .clone()
        .or_else(|| first.and_then(|e| e.message.clone()))
        .unwrap_or_else(|| raw.chars().take(200).collect());
    format!("Google Calendar {status} {reason} on {path}: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_domain_reason_and_message() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"error":{"errors":[{"domain":"usageLimits","reason":"quotaExceeded","message":"Calendar usage limits exceeded."}],"code":403,"message":"Calendar usage limits exceeded."}}"#,
        )
        .unwrap();
        assert_eq!(body.reason(), "quotaExceeded");
        assert_eq!(
            describe("/calendars/primary/events", 403, &body, ""),
            "Google Calendar 403 usageLimits/quotaExceeded on /calendars/primary/events: Calendar usage limits exceeded."
        );
    }
}
