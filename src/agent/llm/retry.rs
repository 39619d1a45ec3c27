//! Opening a model stream with retries: transient failures before the first byte (connection
//! errors, 429, 5xx, Anthropic's 529) are retried with backoff and jitter, honouring
//! `retry-after`; anything else fails at once. Shared by both wire formats.

use std::time::Duration;

use serde_json::Value;

use super::LlmError;

const MAX_ATTEMPTS: u32 = 4;

/// Bytes of each model connection's read and write buffers. ureq's default is 128 KiB each,
/// allocated and zeroed in full for every connection: with one connection per streaming answer,
/// a thousand answers held 250 MiB of buffers for events of a few hundred bytes. Larger reads
/// and writes still work (the buffers grow for a long header; bodies pass through in chunks).
pub const BUFFER_BYTES: usize = 16 * 1024;

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .input_buffer_size(BUFFER_BYTES)
        .output_buffer_size(BUFFER_BYTES)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_recv_response(Some(Duration::from_secs(120)))
        .timeout_recv_body(Some(Duration::from_secs(600)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// Exponential backoff with up to 50 % jitter, capped at 30 s; `retry-after` wins (up to 60 s).
pub fn backoff_delay(base: Duration, attempt: u32, retry_after: Option<u64>) -> Duration {
    if let Some(secs) = retry_after {
        return Duration::from_secs(secs.min(60));
    }
    crate::backoff::delay(base, attempt)
}

/// `error.message` of a JSON error body (both providers use that shape), else the raw text.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(300).collect())
}

pub struct StreamRequest<'a> {
    pub agent: &'a ureq::Agent,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: &'a Value,
    pub backoff: Duration,
}

/// POSTs the request and returns the 200 response whose body is the event stream.
pub fn open(req: StreamRequest<'_>) -> Result<ureq::http::Response<ureq::Body>, LlmError> {
    let mut last = String::new();
    for attempt in 0..MAX_ATTEMPTS {
        if attempt > 0 {
            tracing::warn!(attempt, error = %last, "retrying the model request");
        }
        let mut builder = req
            .agent
            .post(&req.url)
            .header("accept", "text/event-stream");
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        let mut resp = match builder.send_json(req.body) {
            Ok(r) => r,
            Err(e) => {
                last = format!("connection failed: {e}");
                std::thread::sleep(backoff_delay(req.backoff, attempt, None));
                continue;
            }
        };
        let status = resp.status().as_u16();
        if status == 200 {
            return Ok(resp);
        }
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        last = format!("HTTP {status}: {}", error_message(&text));
        // A spend limit is a 429 that waiting will not fix.
        let spend_limit = text.contains("enforced_spend_limit_reached");
        if matches!(status, 429 | 500 | 502 | 503 | 504 | 529) && !spend_limit {
            std::thread::sleep(backoff_delay(req.backoff, attempt, retry_after));
            continue;
        }
        return Err(LlmError::Fatal(last));
    }
    Err(LlmError::Retryable {
        message: last,
        partial: vec![],
    })
}
