//! A fake model server speaking Anthropic's Messages streaming format (and OpenAI's chat
//! completions) from a script: each request pops the next scripted reply. Replies stream in small
//! byte chunks (splitting UTF-8 characters across writes) with optional delays.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::web::Data;
use poem::{Body, EndpointExt, Response, Route, handler, post};
use serde_json::{Value, json};

#[derive(Clone)]
pub enum Reply {
    /// An HTTP error before any streaming.
    Status {
        status: u16,
        retry_after: Option<u64>,
        body: String,
    },
    /// A 200 event stream: raw SSE text, sent in `chunk`-byte writes with `delay` between them.
    Stream {
        sse: String,
        chunk: usize,
        delay: Duration,
    },
}

#[derive(Default)]
pub struct Script {
    replies: VecDeque<Reply>,
    pub requests: Vec<Value>,
    /// The headers of each request, lower-cased names.
    pub headers: Vec<std::collections::HashMap<String, String>>,
}

/// The key tests configure as ANTHROPIC_API_KEY; anything else is refused like Anthropic does.
pub const ANTHROPIC_KEY: &str = "test-key";
/// The Messages API version the client must name.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

pub struct FakeLlm {
    pub url: String,
    pub script: Arc<Mutex<Script>>,
    shutdown: tokio_util::sync::CancellationToken,
}

fn respond(script: &Arc<Mutex<Script>>, body: Value) -> Response {
    let reply = {
        let mut s = script.lock().unwrap();
        s.requests.push(body);
        s.replies.pop_front()
    };
    match reply {
        None => Response::builder()
            .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
            .body("script exhausted"),
        Some(Reply::Status {
            status,
            retry_after,
            body,
        }) => {
            let mut b = Response::builder()
                .status(poem::http::StatusCode::from_u16(status).unwrap())
                .content_type("application/json");
            if let Some(s) = retry_after {
                b = b.header("retry-after", s.to_string());
            }
            b.body(body)
        }
        Some(Reply::Stream { sse, chunk, delay }) => {
            let bytes = sse.into_bytes();
            let chunks: Vec<Vec<u8>> = bytes.chunks(chunk.max(1)).map(<[u8]>::to_vec).collect();
            let stream = futures_util::stream::unfold(
                (chunks.into_iter(), delay, true),
                |(mut it, delay, first)| async move {
                    let next = it.next()?;
                    if !first && !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    Some((Ok::<_, std::io::Error>(next), (it, delay, false)))
                },
            );
            Response::builder()
                .content_type("text/event-stream")
                .body(Body::from_bytes_stream(stream))
        }
    }
}

fn header_map(req: &poem::Request) -> std::collections::HashMap<String, String> {
    req.headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect()
}

/// Anthropic's Messages API: the key and the API version must come in their headers, as for the
/// real API (a 401 `authentication_error` otherwise).
#[handler]
fn anthropic_messages(
    req: &poem::Request,
    script: Data<&Arc<Mutex<Script>>>,
    body: poem::web::Json<Value>,
) -> Response {
    let headers = header_map(req);
    script.0.lock().unwrap().headers.push(headers.clone());
    let key_ok = headers.get("x-api-key").map(String::as_str) == Some(ANTHROPIC_KEY);
    let version_ok =
        headers.get("anthropic-version").map(String::as_str) == Some(ANTHROPIC_VERSION);
    if !key_ok || !version_ok {
        let why = if key_ok {
            "anthropic-version header is required"
        } else {
            "invalid x-api-key"
        };
        return Response::builder()
            .status(poem::http::StatusCode::UNAUTHORIZED)
            .content_type("application/json")
            .body(
                json!({"type": "error", "error": {"type": "authentication_error", "message": why}})
                    .to_string(),
            );
    }
    respond(script.0, body.0)
}

/// OpenAI-compatible chat completions: the Authorization header is recorded for the tests to
/// check (local servers often need none).
#[handler]
fn chat_completions(
    req: &poem::Request,
    script: Data<&Arc<Mutex<Script>>>,
    body: poem::web::Json<Value>,
) -> Response {
    script.0.lock().unwrap().headers.push(header_map(req));
    respond(script.0, body.0)
}

impl FakeLlm {
    pub async fn start() -> Self {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Route::new()
            .at("/v1/messages", post(anthropic_messages))
            .at("/v1/chat/completions", post(chat_completions))
            .data(script.clone());
        let (url, shutdown) = super::serve_fake(app).await;
        Self {
            url,
            script,
            shutdown,
        }
    }

    pub fn push(&self, reply: Reply) {
        self.script.lock().unwrap().replies.push_back(reply);
    }

    pub fn requests(&self) -> Vec<Value> {
        self.script.lock().unwrap().requests.clone()
    }

    pub fn headers(&self) -> Vec<std::collections::HashMap<String, String>> {
        self.script.lock().unwrap().headers.clone()
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn event(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// One Anthropic turn: optional text (in deltas), then tool calls whose input JSON arrives in
/// `split`-character fragments, ending with `stop`.
pub fn anthropic_turn(
    texts: &[&str],
    calls: &[(&str, &str, Value)],
    split: usize,
    stop: &str,
) -> String {
    let mut out = event(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "fake",
               "content": [], "stop_reason": null, "usage": {"input_tokens": 100, "output_tokens": 1}}}),
    );
    let mut index = 0;
    if !texts.is_empty() {
        out += &event(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        );
        out += &event("ping", json!({"type": "ping"}));
        for t in texts {
            out += &event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}}),
            );
        }
        out += &event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        );
        index = 1;
    }
    for (id, name, input) in calls {
        out += &event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}}),
        );
        let text = input.to_string();
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(split.max(1)) {
            let fragment: String = piece.iter().collect();
            out += &event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": fragment}}),
            );
        }
        out += &event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        );
        index += 1;
    }
    out += &event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 42}}),
    );
    out += &event("message_stop", json!({"type": "message_stop"}));
    out
}

/// Text deltas, then an `error` event instead of the end of the message.
pub fn anthropic_overloaded_midstream(texts: &[&str]) -> String {
    let full = anthropic_turn(texts, &[], 1, "end_turn");
    let cut = full.find("event: content_block_stop").unwrap();
    full[..cut].to_owned()
        + &event(
            "error",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        )
}

pub fn stream(sse: String) -> Reply {
    Reply::Stream {
        sse,
        chunk: 7,
        delay: Duration::ZERO,
    }
}

pub fn slow_stream(sse: String, delay: Duration) -> Reply {
    Reply::Stream {
        sse,
        chunk: 64,
        delay,
    }
}

/// One OpenAI chat-completions turn: text deltas, then tool calls with arguments in fragments.
pub fn openai_turn(
    texts: &[&str],
    calls: &[(&str, &str, Value)],
    split: usize,
    finish: &str,
) -> String {
    let chunk = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    };
    let mut out = chunk(json!({"role": "assistant", "content": ""}), Value::Null);
    for t in texts {
        out += &chunk(json!({"content": t}), Value::Null);
    }
    for (i, (id, name, input)) in calls.iter().enumerate() {
        out += &chunk(
            json!({"tool_calls": [{"index": i, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
            Value::Null,
        );
        let text = input.to_string();
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(split.max(1)) {
            let fragment: String = piece.iter().collect();
            out += &chunk(
                json!({"tool_calls": [{"index": i, "function": {"arguments": fragment}}]}),
                Value::Null,
            );
        }
    }
    out += &chunk(json!({}), json!(finish));
    out += &format!(
        "data: {}\n\n",
        json!({"id": "c1", "choices": [], "usage": {"prompt_tokens": 90, "completion_tokens": 12}})
    );
    out += "data: [DONE]\n\n";
    out
}
