//! What every provider client shares: the HTTP agent's settings, the spacing of retries
//! (backoff with jitter, or the provider's own wait), cancellable sleeps, and telling the run
//! that the provider holds it back. Each client keeps its own reading of its provider's errors.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::{ConnectorError, ConnectorOptions, Throttle, ThrottleNotice};

/// A provider-requested wait longer than this is not slept inside one call by default.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// A blocking agent that hands every status back to the caller (errors are read from bodies).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// Retry bookkeeping of one client; `provider` names it in logs and errors.
pub struct Retry {
    pub provider: &'static str,
    pub retry_base: Duration,
    pub max_attempts: u32,
    pub max_wait: Duration,
    pub cancel: CancellationToken,
    pub on_throttle: Option<ThrottleNotice>,
}

impl Retry {
    pub fn new(provider: &'static str, options: &ConnectorOptions) -> Self {
        Self {
            provider,
            retry_base: options.retry_base,
            max_attempts: options.max_attempts.max(1),
            max_wait: MAX_WAIT,
            cancel: options.cancel.clone(),
            on_throttle: options.on_throttle.clone(),
        }
    }

    pub fn check_cancel(&self) -> Result<(), ConnectorError> {
        if self.cancel.is_cancelled() {
            Err(ConnectorError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The wait before attempt `attempt + 1`: the provider's (capped), else backoff.
    pub fn delay(&self, attempt: u32, wait: Option<Duration>) -> Duration {
        wait.map(|w| w.min(self.max_wait))
            .unwrap_or_else(|| crate::backoff::delay(self.retry_base, attempt.saturating_sub(1)))
    }

    /// Sleeps before the next attempt, or fails when the attempts are used up.
    pub fn wait_or_fail(
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
        tracing::warn!(provider = self.provider, attempt, error = %error, "retrying a request");
        self.sleep(self.delay(attempt, wait))
    }

    /// As [`Self::wait_or_fail`], telling whoever listens that the provider limits the rate.
    pub fn throttled_wait_or_fail(
        &self,
        attempt: u32,
        wait: Option<Duration>,
        error: String,
    ) -> Result<(), ConnectorError> {
        if attempt < self.max_attempts {
            self.notify(Throttle {
                wait: self.delay(attempt, wait),
                done_in: None,
            });
        }
        self.wait_or_fail(attempt, wait, error)
    }

    /// A wait the provider asks for that is part of normal operation (not a failed attempt):
    /// announced, then slept through (cancellable).
    pub fn throttle(&self, throttle: Throttle) -> Result<(), ConnectorError> {
        self.notify(throttle);
        self.sleep(throttle.wait)
    }

    pub fn notify(&self, throttle: Throttle) {
        if let Some(notice) = &self.on_throttle {
            notice(throttle);
        }
    }

    /// Sleeps, waking early (with `Cancelled`) when the run is cancelled.
    pub fn sleep(&self, delay: Duration) -> Result<(), ConnectorError> {
        let until = Instant::now() + delay;
        loop {
            self.check_cancel()?;
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }
}

/// A provider's answer, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub text: String,
}

impl Answer {
    /// A header as a number (Retry-After and the like).
    pub fn number(&self, name: &str) -> Option<u64> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
    }

    pub fn retry_after(&self) -> Option<Duration> {
        self.number("retry-after").map(Duration::from_secs)
    }
}

impl Retry {
    /// Sends a request (`send`) until an answer is read whole: a connection that fails or a body
    /// cut off is retried here, so callers deal with statuses only. `attempt` counts every send,
    /// for the caller's own status-based retries to go on counting from.
    pub fn exchange(
        &self,
        attempt: &mut u32,
        what: &str,
        send: impl Fn() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, ConnectorError> {
        loop {
            self.check_cancel()?;
            *attempt += 1;
            let mut resp = match send() {
                Ok(resp) => resp,
                Err(e) => {
                    let error = format!("{} {what}: connection failed: {e}", self.provider);
                    self.wait_or_fail(*attempt, None, error)?;
                    continue;
                }
            };
            let read = resp
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string();
            match read {
                Ok(text) => {
                    return Ok(Answer {
                        status: resp.status().as_u16(),
                        headers: resp.headers().clone(),
                        text,
                    });
                }
                Err(e) => {
                    let error =
                        format!("{} {what}: reading the response failed: {e}", self.provider);
                    self.wait_or_fail(*attempt, None, error)?;
                }
            }
        }
    }
}
