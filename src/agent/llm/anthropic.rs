//! Anthropic Messages API with `stream: true`. Retries 429 (honouring retry-after), 529 and 5xx
//! with backoff before the stream starts; an `error` event mid-stream ends the turn as retryable,
//! keeping what already streamed. Unknown events are ignored, as Anthropic's versioning asks.

use std::time::Duration;

use serde_json::{Value, json};

use super::retry::{self, StreamRequest, agent};
use super::stream::{Step, read_turn};
use super::{LlmClient, LlmError, LlmRequest, StopReason, StreamEvent, Turn, TurnEvents};

const API_VERSION: &str = "2023-06-01";

pub struct AnthropicClient {
    base_url: String,
    api_key: String,
    model: String,
    agent: ureq::Agent,
    /// Base of the exponential backoff; tests shorten it.
    backoff: Duration,
}

impl AnthropicClient {
    pub fn new(base_url: &str, api_key: &str, model: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            model: model.to_owned(),
            agent: agent(),
            backoff: Duration::from_millis(500),
        }
    }

    pub fn with_backoff(mut self, base: Duration) -> Self {
        self.backoff = base;
        self
    }

    fn body(&self, request: &LlmRequest) -> Value {
        json!({
            "model": self.model,
            "max_tokens": request.max_tokens,
            "stream": true,
            "system": request.system,
            "messages": request.messages,
            "tools": request.tools,
        })
    }

    /// Sends the request, retrying transient failures that happen before any byte streamed.
    fn open(&self, request: &LlmRequest) -> Result<ureq::http::Response<ureq::Body>, LlmError> {
        let body = self.body(request);
        retry::open(StreamRequest {
            agent: &self.agent,
            url: format!("{}/v1/messages", self.base_url),
            headers: vec![
                ("x-api-key", self.api_key.clone()),
                ("anthropic-version", API_VERSION.to_owned()),
            ],
            body: &body,
            backoff: self.backoff,
        })
    }
}

impl LlmClient for AnthropicClient {
    fn model(&self) -> &str {
        &self.model
    }

    fn stream_turn(&self, request: &LlmRequest, events: &dyn TurnEvents) -> Result<Turn, LlmError> {
        let resp = self.open(request)?;
        read_turn(resp, events, |event, state| {
            let Ok(data) = serde_json::from_str::<Value>(&event.data) else {
                return Ok(Step::Continue);
            };
            let kind = data["type"].as_str().unwrap_or(event.event.as_str());
            let index = data["index"].as_u64().unwrap_or(0) as usize;
            match kind {
                "message_start" => {
                    state.usage.input_tokens = data["message"]["usage"]["input_tokens"]
                        .as_u64()
                        .unwrap_or(0);
                }
                "content_block_start" => {
                    let block = &data["content_block"];
                    match block["type"].as_str() {
                        Some("tool_use") => {
                            let id = block["id"].as_str().unwrap_or_default().to_owned();
                            let name = block["name"].as_str().unwrap_or_default().to_owned();
                            state.turn.start_tool(index, id.clone(), name.clone());
                            events.send(StreamEvent::ToolUseStarted { id, name })?;
                        }
                        Some("text") => state.turn.start_text(index),
                        _ => {}
                    }
                }
                "content_block_delta" => {
                    let delta = &data["delta"];
                    match delta["type"].as_str() {
                        Some("text_delta") => {
                            let text = delta["text"].as_str().unwrap_or_default();
                            state.turn.text(index, text);
                            events.send(StreamEvent::TextDelta(text.to_owned()))?;
                        }
                        Some("input_json_delta") => state
                            .turn
                            .tool_json(index, delta["partial_json"].as_str().unwrap_or_default()),
                        _ => {}
                    }
                }
                "message_delta" => {
                    state.stop = data["delta"]["stop_reason"].as_str().map(parse_stop);
                    if let Some(n) = data["usage"]["output_tokens"].as_u64() {
                        state.usage.output_tokens = n;
                    }
                }
                "message_stop" => return Ok(Step::Done),
                "error" => {
                    let message = data["error"]["message"].as_str().unwrap_or("stream error");
                    let kind = data["error"]["type"].as_str().unwrap_or("error");
                    return Ok(Step::Fail(format!("{kind}: {message}")));
                }
                _ => {} // ping and future event types
            }
            Ok(Step::Continue)
        })
    }
}

pub fn parse_stop(s: &str) -> StopReason {
    match s {
        "end_turn" => StopReason::EndTurn,
        "tool_use" => StopReason::ToolUse,
        "max_tokens" | "model_context_window_exceeded" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence,
        "refusal" => StopReason::Refusal,
        _ => StopReason::Other,
    }
}
