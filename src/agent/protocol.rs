//! The chat WebSocket protocol: every frame is JSON with a `type` tag. The UI mirrors these types.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::llm::Usage;

#[derive(Debug, Clone, Deserialize, PartialEq)]
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
    },
    Cancel {
        conversation_id: Uuid,
    },
    Ping,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ToolStatus {
    Ok,
    Error,
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
    },
    /// Every model stream slot on this server is busy; the run starts when one frees up.
    Queued {
        conversation_id: Uuid,
    },
    TextDelta {
        conversation_id: Uuid,
        text: String,
    },
    ToolCall {
        conversation_id: Uuid,
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        conversation_id: Uuid,
        id: String,
        status: ToolStatus,
        summary: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        rows_preview: Option<Value>,
    },
    ArtifactCreated {
        conversation_id: Uuid,
        artifact_id: Uuid,
        title: String,
    },
    /// The run ended: `stop_reason` is end_turn, max_tokens, cancelled, ...
    MessageComplete {
        conversation_id: Uuid,
        usage: Usage,
        stop_reason: String,
    },
    Error {
        #[serde(skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
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
        /// Absent while running; the final status once the run ended.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
    },
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
            code: code.into(),
            message: message.into(),
            retryable,
        }
    }
}
