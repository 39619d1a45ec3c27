//! `/api/chat/*`: the caller's conversations and their stored content blocks (the same blocks the
//! socket streamed, so a reload shows the same thing), rename and delete.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::NoContent;
use super::text::Text;
use crate::db::models::{ChatMessage, Conversation};
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::auth::AuthUser;
use crate::services::chat::{self, Owner};
use crate::services::{ServiceError, ServiceResult};

#[derive(Debug, Object)]
pub struct ConversationView {
    pub id: Uuid,
    #[oai(nullable)]
    pub title: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Conversation> for ConversationView {
    fn from(c: Conversation) -> Self {
        Self {
            id: c.id,
            title: c.title,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct MessageView {
    pub id: Uuid,
    /// user | assistant
    pub role: String,
    /// Content blocks: {type: text, text} | {type: tool_use, id, name, input} |
    /// {type: tool_result, tool_use_id, content, is_error}
    pub content: Any<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl From<ChatMessage> for MessageView {
    fn from(m: ChatMessage) -> Self {
        Self {
            id: m.id,
            role: m.role,
            content: Any(m.content),
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ConversationDetail {
    pub conversation: ConversationView,
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Object)]
pub struct RenameRequest {
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    pub title: Text,
}

fn owner(user: &AuthUser) -> ServiceResult<Owner> {
    Ok(Owner {
        org_id: user.require_org()?,
        user_id: user.user_id,
    })
}

pub struct ChatApi {
    state: AppState,
}

impl ChatApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn detail(&self, user: &AuthUser, id: Uuid) -> ServiceResult<ConversationDetail> {
        let owner = owner(user)?;
        let conversation = chat::get(&self.state.db, owner, id).await?;
        let messages = chat::messages(&self.state.db, owner, id).await?;
        Ok(ConversationDetail {
            conversation: conversation.into(),
            messages: messages.into_iter().map(Into::into).collect(),
        })
    }
}

#[OpenApi(prefix_path = "/chat", tag = "ApiTags::Chat")]
impl ChatApi {
    /// Your conversations, most recent first
    ///
    /// With `q`, only those whose title contains it (any case). At most 200.
    #[oai(
        path = "/conversations",
        method = "get",
        operation_id = "list_conversations"
    )]
    async fn list(
        &self,
        auth: BearerAuth,
        #[oai(validator(max_length = 200))] q: Query<Option<String>>,
    ) -> ApiResult<Json<Vec<ConversationView>>> {
        let rows = chat::list(&self.state.db, owner(&auth.0)?, q.0.as_deref(), 200).await?;
        Ok(Json(rows.into_iter().map(Into::into).collect()))
    }

    /// One conversation with all its messages
    #[oai(
        path = "/conversations/:id",
        method = "get",
        operation_id = "get_conversation"
    )]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ConversationDetail>> {
        Ok(Json(self.detail(&auth.0, id.0).await?))
    }

    /// Rename a conversation
    #[oai(
        path = "/conversations/:id",
        method = "patch",
        operation_id = "rename_conversation"
    )]
    async fn rename(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RenameRequest>,
    ) -> ApiResult<Json<ConversationView>> {
        Ok(Json(
            chat::rename(&self.state.db, owner(&auth.0)?, id.0, &body.title)
                .await?
                .into(),
        ))
    }

    /// Delete a conversation
    #[oai(
        path = "/conversations/:id",
        method = "delete",
        operation_id = "delete_conversation"
    )]
    async fn delete(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        chat::delete(&self.state.db, owner(&auth.0)?, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Messages of a conversation (reference path; same as GET /conversations/{id})
    #[oai(path = "/history", method = "get", operation_id = "chat_history")]
    async fn history(
        &self,
        auth: BearerAuth,
        conversation_id: Query<Option<Uuid>>,
    ) -> ApiResult<Json<ConversationDetail>> {
        let id = match conversation_id.0 {
            Some(id) => id,
            None => {
                // Without an id: the most recent conversation.
                let latest = chat::list(&self.state.db, owner(&auth.0)?, None, 1).await?;
                latest
                    .first()
                    .map(|c| c.id)
                    .ok_or(ServiceError::NotFound("conversation"))?
            }
        };
        Ok(Json(self.detail(&auth.0, id).await?))
    }
}
