//! OpenAI-compatible chat completions with streaming and tool calls, so a local model server
//! (or any compatible gateway) can stand in for Claude. Conversations stay in the Anthropic
//! block shape and are translated here.

use std::time::Duration;

use serde_json::{Value, json};

use super::retry::{self, StreamRequest, agent};
use super::stream::{Step, read_turn};
use super::{
    ContentBlock, LlmClient, LlmError, LlmRequest, Message, Role, StopReason, StreamEvent, Turn,
    TurnEvents,
};

pub struct OpenAiClient {
    base_url: String,
    api_key: Option<String>,
    model: String,
    agent: ureq::Agent,
    backoff: Duration,
}

/// Anthropic-shaped history as OpenAI chat messages.
pub fn to_openai_messages(system: &str, messages: &[Message]) -> Vec<Value> {
    let mut out = vec![json!({"role": "system", "content": system})];
    for m in messages {
        let text: String = m
            .content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        match m.role {
            Role::User => {
                for b in &m.content {
                    if let ContentBlock::ToolResult {
                        tool_use_id,
                        content,
                        ..
                    } = b
                    {
                        out.push(json!({"role": "tool", "tool_call_id": tool_use_id, "content": content}));
                    }
                }
                if !text.is_empty() {
                    out.push(json!({"role": "user", "content": text}));
                }
            }
            Role::Assistant => {
                let calls: Vec<Value> = m
                    .content
                    .iter()
                    .filter_map(|b| match b {
                        ContentBlock::ToolUse { id, name, input } => Some(json!({
                            "id": id, "type": "function",
                            "function": {"name": name, "arguments": input.to_string()}
                        })),
                        _ => None,
                    })
                    .collect();
                let mut msg = json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { Value::String(text) }});
                if !calls.is_empty() {
                    msg["tool_calls"] = Value::Array(calls);
                }
                out.push(msg);
            }
        }
    }
    out
}

impl OpenAiClient {
    pub fn new(base_url: &str, api_key: Option<&str>, model: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.map(str::to_owned),
            model: model.to_owned(),
            agent: agent(),
            backoff: Duration::from_millis(500),
        }
    }

    pub fn with_backoff(mut self, base: Duration) -> Self {
        self.backoff = base;
        self
    }

    fn open(&self, request: &LlmRequest) -> Result<ureq::http::Response<ureq::Body>, LlmError> {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.input_schema}}))
            .collect();
        let body = json!({
            "model": self.model,
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": request.max_tokens,
            "messages": to_openai_messages(&request.system, &request.messages),
            "tools": tools,
        });
        let headers = self
            .api_key
            .iter()
            .map(|k| ("authorization", format!("Bearer {k}")))
            .collect();
        retry::open(StreamRequest {
            agent: &self.agent,
            url: format!("{}/chat/completions", self.base_url),
            headers,
            body: &body,
            backoff: self.backoff,
        })
    }
}

impl LlmClient for OpenAiClient {
    fn model(&self) -> &str {
        &self.model
    }

    fn stream_turn(&self, request: &LlmRequest, events: &dyn TurnEvents) -> Result<Turn, LlmError> {
        let resp = self.open(request)?;
        // Block 0 is the text; tool call i becomes block i + 1.
        read_turn(resp, events, |event, state| {
            if event.data.trim() == "[DONE]" {
                return Ok(Step::Done);
            }
            let Ok(data) = serde_json::from_str::<Value>(&event.data) else {
                return Ok(Step::Continue);
            };
            if let Some(err) = data.get("error") {
                let message = err["message"].as_str().unwrap_or("stream error");
                return Ok(Step::Fail(message.to_owned()));
            }
            if let Some(u) = data.get("usage").filter(|u| u.is_object()) {
                let usage = &mut state.usage;
                usage.input_tokens = u["prompt_tokens"].as_u64().unwrap_or(usage.input_tokens);
                usage.output_tokens = u["completion_tokens"]
                    .as_u64()
                    .unwrap_or(usage.output_tokens);
            }
            let Some(choice) = data["choices"].get(0) else {
                return Ok(Step::Continue);
            };
            let delta = &choice["delta"];
            if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
                state.turn.text(0, text);
                events.send(StreamEvent::TextDelta(text.to_owned()))?;
            }
            for call in delta["tool_calls"].as_array().into_iter().flatten() {
                let index = call["index"].as_u64().unwrap_or(0) as usize + 1;
                if let Some(id) = call["id"].as_str() {
                    let name = call["function"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    state.turn.start_tool(index, id.to_owned(), name.clone());
                    let id = id.to_owned();
                    events.send(StreamEvent::ToolUseStarted { id, name })?;
                }
                if let Some(args) = call["function"]["arguments"].as_str() {
                    state.turn.tool_json(index, args);
                }
            }
            if let Some(reason) = choice["finish_reason"].as_str() {
                state.stop = Some(match reason {
                    "stop" => StopReason::EndTurn,
                    "tool_calls" | "function_call" => StopReason::ToolUse,
                    "length" => StopReason::MaxTokens,
                    "content_filter" => StopReason::Refusal,
                    _ => StopReason::Other,
                });
            }
            Ok(Step::Continue)
        })
    }
}
