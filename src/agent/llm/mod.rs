//! Language-model clients behind one trait. Messages use the Anthropic content-block shape
//! (text, tool_use, tool_result), which is also how conversations are stored. Clients are
//! blocking (ureq) and run on tokio's blocking pool; they report text as it streams through a
//! channel and return the assembled assistant turn.

pub mod anthropic;
pub mod openai;
pub mod retry;
pub mod sse;
pub mod stream;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        /// JSON text of the tool's output (or of its error).
        content: String,
        #[serde(default)]
        is_error: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<ContentBlock>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: String,
    pub input_schema: Value,
}

#[derive(Debug, Clone)]
pub struct LlmRequest {
    pub system: String,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolSpec>,
    pub max_tokens: u32,
}

/// What the client reports while a turn streams.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    TextDelta(String),
    /// A tool call started (its input is still streaming).
    ToolUseStarted {
        id: String,
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    ToolUse,
    MaxTokens,
    StopSequence,
    Refusal,
    Other,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Clone)]
pub struct Turn {
    pub content: Vec<ContentBlock>,
    pub stop_reason: StopReason,
    pub usage: Usage,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    /// Overloaded, rate limited or a server error: worth retrying later. `partial` is what had
    /// already streamed when the error arrived.
    #[error("the model is temporarily unavailable: {message}")]
    Retryable {
        message: String,
        partial: Vec<ContentBlock>,
    },
    /// Bad key, bad request: retrying will not help.
    #[error("the model request failed: {0}")]
    Fatal(String),
    #[error("cancelled")]
    Cancelled,
}

/// Where a streaming turn's events go as they arrive. Called on the blocking thread that reads
/// the stream, so a listener that can take an event there (the run's log) saves a task hop per
/// delta.
pub trait TurnEvents: Send + Sync {
    /// Takes one event; `Cancelled` once nobody wants the turn any more.
    fn send(&self, event: StreamEvent) -> Result<(), LlmError>;
    /// Whether the turn was given up (checked before each event is read).
    fn is_closed(&self) -> bool;
}

/// A streaming chat model.
pub trait LlmClient: Send + Sync {
    /// Streams one assistant turn. Blocking: call it from `spawn_blocking`. Returns
    /// `Cancelled` promptly once `events` is closed.
    fn stream_turn(&self, request: &LlmRequest, events: &dyn TurnEvents) -> Result<Turn, LlmError>;

    fn model(&self) -> &str;
}

/// Builds the assistant turn from streamed pieces; shared by both wire formats.
#[derive(Default)]
pub struct TurnBuilder {
    blocks: Vec<PartialBlock>,
}

enum PartialBlock {
    Text(String),
    Tool {
        id: String,
        name: String,
        json: String,
    },
}

impl TurnBuilder {
    pub fn start_text(&mut self, index: usize) {
        self.ensure(index, PartialBlock::Text(String::new()));
    }

    pub fn start_tool(&mut self, index: usize, id: String, name: String) {
        self.ensure(
            index,
            PartialBlock::Tool {
                id,
                name,
                json: String::new(),
            },
        );
    }

    fn ensure(&mut self, index: usize, block: PartialBlock) {
        while self.blocks.len() < index {
            self.blocks.push(PartialBlock::Text(String::new()));
        }
        if index < self.blocks.len() {
            self.blocks[index] = block;
        } else {
            self.blocks.push(block);
        }
    }

    pub fn text(&mut self, index: usize, delta: &str) {
        if !matches!(self.blocks.get(index), Some(PartialBlock::Text(_))) {
            self.start_text(index);
        }
        if let Some(PartialBlock::Text(t)) = self.blocks.get_mut(index) {
            t.push_str(delta);
        }
    }

    pub fn tool_json(&mut self, index: usize, fragment: &str) {
        if let Some(PartialBlock::Tool { json, .. }) = self.blocks.get_mut(index) {
            json.push_str(fragment);
        }
    }

    /// Everything streamed so far; tool inputs that are not (yet) valid JSON become `{}` with
    /// the raw text kept, so the model can be told what went wrong.
    pub fn finish(self) -> Vec<ContentBlock> {
        self.blocks
            .into_iter()
            .filter_map(|b| match b {
                PartialBlock::Text(text) if text.is_empty() => None,
                PartialBlock::Text(text) => Some(ContentBlock::Text { text }),
                PartialBlock::Tool { id, name, json } => {
                    let input = if json.trim().is_empty() {
                        Value::Object(Default::default())
                    } else {
                        serde_json::from_str(&json)
                            .unwrap_or_else(|_| serde_json::json!({ "__unparsable_input": json }))
                    };
                    Some(ContentBlock::ToolUse { id, name, input })
                }
            })
            .collect()
    }
}
