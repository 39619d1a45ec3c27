//! Blocking Slack Web API client: bearer token, Slack's HTTP-200 `{"ok": false}` envelope read
//! into errors, rate limits (429 + Retry-After, or `ratelimited`) waited exactly as asked and
//! announced with an estimate of when the run is done, 5xx and connection errors retried with
//! backoff. Tokens never appear in errors.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use crate::connectors::retry::{self, Retry};
use crate::connectors::{ConnectorError, ConnectorOptions, Credentials, Throttle};

/// A failure of one call: either a channel-level refusal the run survives, or the run's end.
#[derive(Debug)]
pub enum CallError {
    /// `not_in_channel`, `channel_not_found`: skip that channel.
    Channel(String),
    Fatal(ConnectorError),
}

impl From<ConnectorError> for CallError {
    fn from(e: ConnectorError) -> Self {
        Self::Fatal(e)
    }
}

/// What the client has seen of the run, for the `done_in` estimate of a throttle notice.
#[derive(Debug, Default)]
pub struct Progress {
    pub started: Option<Instant>,
    pub requests: u32,
    pub channels_done: u32,
    pub channels_left: u32,
}

impl Progress {
    /// Channels left × requests per finished channel × observed spacing between requests.
    pub fn done_in(&self, wait: Duration) -> Option<Duration> {
        let started = self.started?;
        if self.requests == 0 {
            return None;
        }
        let spacing = (started.elapsed() / self.requests).max(wait);
        let per_channel = f64::from(self.requests) / f64::from(self.channels_done.max(1));
        Some(spacing.mul_f64(per_channel * f64::from(self.channels_left.max(1))))
    }
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    credentials: Arc<dyn Credentials>,
    retry: Retry,
    pub progress: Mutex<Progress>,
}

impl Client {
    pub fn new(base: &Url, credentials: Arc<dyn Credentials>, options: &ConnectorOptions) -> Self {
        let mut retry = Retry::new("Slack", options);
        // Slack asks unlisted apps to wait about a minute between history reads: that wait is
        // part of normal operation, so it must not be cut short.
        retry.max_wait = Duration::from_secs(600);
        Self {
            agent: retry::agent(),
            base: base.as_str().trim_end_matches('/').to_owned(),
            credentials,
            retry,
            progress: Mutex::new(Progress::default()),
        }
    }

    fn throttle(&self, wait: Duration) -> Result<(), ConnectorError> {
        let done_in = self
            .progress
            .lock()
            .map(|p| p.done_in(wait))
            .unwrap_or(None);
        self.retry.throttle(Throttle { wait, done_in })
    }

    /// Calls `method` (e.g. `conversations.history`) and returns the `ok: true` body.
    pub fn call(&self, method: &str, query: &[(&str, String)]) -> Result<Value, CallError> {
        let url = format!("{}/{}", self.base, method);
        let token = self.credentials.access_token(false)?;
        let bearer = format!("Bearer {token}");
        let mut attempt = 0u32;
        loop {
            let answer = self.retry.exchange(&mut attempt, method, || {
                if let Ok(mut p) = self.progress.lock() {
                    p.started.get_or_insert_with(Instant::now);
                    p.requests += 1;
                }
                self.agent
                    .get(&url)
                    .header("authorization", &bearer)
                    .query_pairs(query.iter().map(|(k, v)| (*k, v.as_str())))
                    .call()
            })?;
            let (status, text) = (answer.status, &answer.text);
            let retry_after = answer.retry_after();
            let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            let code = body["error"].as_str().unwrap_or("");
            if status == 429 || code == "ratelimited" {
                // Not a failed attempt: Slack said exactly how long to wait.
                attempt -= 1;
                self.throttle(retry_after.unwrap_or(Duration::from_secs(60)))?;
                continue;
            }
            if status >= 500 {
                let error = format!("Slack {method}: HTTP {status}");
                self.retry.wait_or_fail(attempt, None, error)?;
                continue;
            }
            if status != 200 || body.is_null() {
                let snippet: String = text.chars().take(200).collect();
                return Err(CallError::Fatal(ConnectorError::Api(format!(
                    "Slack {method}: HTTP {status}: {snippet}"
                ))));
            }
            if body["ok"] == Value::Bool(true) {
                return Ok(body);
            }
            return Err(envelope_error(method, code, &body));
        }
    }
}

/// Slack's `{"ok": false, "error": …}` as the run sees it.
pub fn envelope_error(method: &str, code: &str, body: &Value) -> CallError {
    match code {
        "not_in_channel" | "channel_not_found" => CallError::Channel(code.to_owned()),
        "invalid_auth" | "token_revoked" | "account_inactive" | "not_authed" | "token_expired" => {
            CallError::Fatal(ConnectorError::Auth(format!(
                "Slack refused the token ({code}) on {method}: reconnect Slack"
            )))
        }
        "missing_scope" => {
            let needed = body["needed"].as_str().unwrap_or("unknown");
            CallError::Fatal(ConnectorError::Api(format!(
                "Slack {method}: missing_scope: the Slack app needs the {needed} scope; \
                 reinstall it with that scope and reconnect"
            )))
        }
        "" => CallError::Fatal(ConnectorError::Api(format!(
            "Slack {method}: ok is false without an error code"
        ))),
        other => CallError::Fatal(ConnectorError::Api(format!("Slack {method}: {other}"))),
    }
}
