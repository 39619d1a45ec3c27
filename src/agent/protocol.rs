//! The chat WebSocket protocol: every frame is JSON with a `type` tag. `ui/src/api/protocol.ts`
//! mirrors these types, checked against the samples in `ui/src/api/__fixtures__/frames.json`
//! (written from [`samples`] by `tests/protocol_fixture.rs`).
//!
//! Frames of a run (everything the orchestrator says while answering one question) carry the
//! run's id and a sequence number from 0 without gaps, so a client that reconnects or reloads can
//! replay the run from any point and drop what it already has.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::llm::Usage;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Browser sign-in: the first frame when no Authorization header was sent.
    Auth {
        token: String,
    },
    SendMessage {
        #[serde(default)]
        conversation_id: Option<Uuid>,
        text: String,
        #[serde(default)]
        time_zone: Option<String>,
        /// Chosen by the client; a message sent twice with the same id (a resend after a
        /// reconnect) is answered once.
        #[serde(default)]
        client_message_id: Option<Uuid>,
    },
    /// Runs the model again on the stored conversation after a failed run.
    Retry {
        conversation_id: Uuid,
    },
    Cancel {
        conversation_id: Uuid,
    },
    /// Attach to the run in flight in a conversation: its frames after `after_seq` (all of them
    /// when `run_id` is not the current run) are replayed, then live ones follow.
    Subscribe {
        conversation_id: Uuid,
        #[serde(default)]
        run_id: Option<Uuid>,
        #[serde(default)]
        after_seq: Option<u64>,
    },
    Ping,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ToolStatus {
    Ok,
    Error,
}

/// What a run says, in order. Wrapped in a [`RunFrame`] with the run's id and sequence number.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunEvent {
    /// Always the first frame (seq 0). `question` is None for a retry.
    RunStarted {
        question: Option<String>,
        /// The stored chat message holding the question: history before it is settled.
        question_message_id: Option<Uuid>,
        client_message_id: Option<Uuid>,
    },
    /// Every model stream slot on this server is busy; the run starts when one frees up.
    Queued,
    TextDelta {
        text: String,
    },
    ToolCall {
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        id: String,
        status: ToolStatus,
        summary: String,
        /// The JSON the model was given (the stored tool_result content, parsed).
        output: Option<Value>,
    },
    ArtifactCreated {
        artifact_id: Uuid,
        title: String,
    },
    /// The run failed; `message_complete` (stop_reason `error` or the limit hit) follows.
    Error {
        code: String,
        message: String,
        retryable: bool,
        /// Always None inside a run; present so both kinds of error frame have one shape.
        client_message_id: Option<Uuid>,
    },
    /// Always the last frame of a run.
    MessageComplete {
        usage: Usage,
        stop_reason: String,
    },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunFrame {
    pub conversation_id: Uuid,
    pub run_id: Uuid,
    pub seq: u64,
    #[serde(flatten)]
    pub event: RunEvent,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Ready {
        user_id: Uuid,
        organization_id: Option<Uuid>,
    },
    ConversationCreated {
        conversation_id: Uuid,
        title: String,
        client_message_id: Option<Uuid>,
    },
    /// The answer to `subscribe`, and to a `send_message` whose `client_message_id` was accepted
    /// before (then set): when `running`, the run's frames follow.
    Subscribed {
        conversation_id: Uuid,
        running: bool,
        run_id: Option<Uuid>,
        client_message_id: Option<Uuid>,
    },
    /// A request refused before any run started (run failures are [`RunEvent::Error`]).
    Error {
        conversation_id: Option<Uuid>,
        /// Always None here; present so both kinds of error frame have one shape.
        run_id: Option<Uuid>,
        seq: Option<u64>,
        client_message_id: Option<Uuid>,
        code: String,
        message: String,
        retryable: bool,
    },
    Pong,
    /// A sync of the socket's organization committed a page or ended (any replica's workers).
    SyncProgress {
        run_id: Uuid,
        provider: String,
        object: String,
        records: u64,
        skipped: u64,
        /// None while running; the final status once the run ended.
        status: Option<String>,
        /// Set while the provider's rate limit holds the run back: it goes on in this many
        /// seconds.
        throttled_for_secs: Option<u64>,
        /// While throttled, when the connector can tell: about this many seconds until the run
        /// is done.
        done_in_secs: Option<u64>,
    },
    #[serde(untagged)]
    Run(RunFrame),
}

impl ServerFrame {
    pub fn error(
        conversation_id: Option<Uuid>,
        code: &str,
        message: impl Into<String>,
        retryable: bool,
    ) -> Self {
        Self::Error {
            conversation_id,
            run_id: None,
            seq: None,
            client_message_id: None,
            code: code.into(),
            message: message.into(),
            retryable,
        }
    }

    /// The same refusal, tied to the message it refuses.
    pub fn with_client_message(mut self, id: Option<Uuid>) -> Self {
        if let Self::Error {
            client_message_id, ..
        } = &mut self
        {
            *client_message_id = id;
        }
        self
    }
}

impl RunEvent {
    pub fn error(code: &str, message: impl Into<String>, retryable: bool) -> Self {
        Self::Error {
            code: code.into(),
            message: message.into(),
            retryable,
            client_message_id: None,
        }
    }
}

/// One frame of every kind, both directions: the fixture the UI's protocol module is tested on.
/// The matches below have no wildcard, so a new kind cannot compile without a sample here.
pub fn samples() -> (Vec<ServerFrame>, Vec<ClientFrame>) {
    let conversation = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0001);
    let run = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0002);
    let user = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0003);
    let message = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0004);
    let artifact = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0005);
    let events = vec![
        RunEvent::RunStarted {
            question: Some("Which deals slipped this quarter?".into()),
            question_message_id: Some(message),
            client_message_id: Some(message),
        },
        RunEvent::Queued,
        RunEvent::TextDelta {
            text: "Let me check | the *pipeline*".into(),
        },
        RunEvent::ToolCall {
            id: "toolu_1".into(),
            name: "run_sql_query".into(),
            input: serde_json::json!({"sql": "SELECT stage, count(*) AS n FROM deals GROUP BY 1",
                                      "chart": {"kind": "bar", "x": "stage", "y": ["n"]}}),
        },
        RunEvent::ToolResult {
            id: "toolu_1".into(),
            status: ToolStatus::Ok,
            summary: "2 rows".into(),
            output: Some(serde_json::json!({
                "columns": ["stage", "n"], "types": ["text", "int8"],
                "rows": [["Won", 3], ["Lost", null]], "row_count": 2, "truncated": false,
                "elapsed_ms": 3.5,
                "chart": {"kind": "bar", "x": "stage", "y": ["n"], "series": null, "stacked": false,
                          "format": null, "title": null}
            })),
        },
        RunEvent::ArtifactCreated {
            artifact_id: artifact,
            title: "Pipeline by stage".into(),
        },
        RunEvent::error("model_unavailable", "The model is overloaded", true),
        RunEvent::MessageComplete {
            usage: Usage {
                input_tokens: 1200,
                output_tokens: 80,
            },
            stop_reason: "end_turn".into(),
        },
    ];
    for event in &events {
        match event {
            RunEvent::RunStarted { .. }
            | RunEvent::Queued
            | RunEvent::TextDelta { .. }
            | RunEvent::ToolCall { .. }
            | RunEvent::ToolResult { .. }
            | RunEvent::ArtifactCreated { .. }
            | RunEvent::Error { .. }
            | RunEvent::MessageComplete { .. } => {}
        }
    }
    let mut server = vec![
        ServerFrame::Ready {
            user_id: user,
            organization_id: None,
        },
        ServerFrame::ConversationCreated {
            conversation_id: conversation,
            title: "Which deals slipped this quarter?".into(),
            client_message_id: Some(message),
        },
        ServerFrame::Subscribed {
            conversation_id: conversation,
            running: true,
            run_id: Some(run),
            client_message_id: None,
        },
        ServerFrame::error(Some(conversation), "rate_limited", "retry in 30s", true)
            .with_client_message(Some(message)),
        ServerFrame::Pong,
        ServerFrame::SyncProgress {
            run_id: run,
            provider: "hubspot".into(),
            object: "deals".into(),
            records: 100,
            skipped: 1,
            status: None,
            throttled_for_secs: Some(10),
            done_in_secs: Some(600),
        },
    ];
    server.extend(events.into_iter().enumerate().map(|(seq, event)| {
        ServerFrame::Run(RunFrame {
            conversation_id: conversation,
            run_id: run,
            seq: seq as u64,
            event,
        })
    }));
    for frame in &server {
        match frame {
            ServerFrame::Ready { .. }
            | ServerFrame::ConversationCreated { .. }
            | ServerFrame::Subscribed { .. }
            | ServerFrame::Error { .. }
            | ServerFrame::Pong
            | ServerFrame::SyncProgress { .. }
            | ServerFrame::Run(_) => {}
        }
    }
    let client = vec![
        ClientFrame::Auth {
            token: "eyJhbGciOi...".into(),
        },
        ClientFrame::SendMessage {
            conversation_id: Some(conversation),
            text: "Which deals slipped this quarter?".into(),
            time_zone: Some("Europe/Paris".into()),
            client_message_id: Some(message),
        },
        ClientFrame::Retry {
            conversation_id: conversation,
        },
        ClientFrame::Cancel {
            conversation_id: conversation,
        },
        ClientFrame::Subscribe {
            conversation_id: conversation,
            run_id: Some(run),
            after_seq: Some(3),
        },
        ClientFrame::Ping,
    ];
    for frame in &client {
        match frame {
            ClientFrame::Auth { .. }
            | ClientFrame::SendMessage { .. }
            | ClientFrame::Retry { .. }
            | ClientFrame::Cancel { .. }
            | ClientFrame::Subscribe { .. }
            | ClientFrame::Ping => {}
        }
    }
    (server, client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_frames_are_flat_and_both_errors_share_a_shape() {
        let (server, _) = samples();
        let as_json: Vec<Value> = server
            .iter()
            .map(|f| serde_json::to_value(f).unwrap())
            .collect();
        let delta = as_json.iter().find(|f| f["type"] == "text_delta").unwrap();
        assert_eq!(delta["seq"], 2);
        assert!(delta["run_id"].is_string() && delta["conversation_id"].is_string());
        let errors: Vec<&Value> = as_json.iter().filter(|f| f["type"] == "error").collect();
        assert_eq!(errors.len(), 2);
        let keys = |v: &Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(errors[0]), keys(errors[1]));
    }

    #[test]
    fn client_frames_round_trip() {
        let (_, client) = samples();
        for frame in client {
            let text = serde_json::to_string(&frame).unwrap();
            assert_eq!(serde_json::from_str::<ClientFrame>(&text).unwrap(), frame);
        }
    }
}
