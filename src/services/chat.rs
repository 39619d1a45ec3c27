//! Conversations and their messages (content blocks in the Anthropic shape), always scoped to the
//! user who owns the conversation: someone else's conversation is "not found".

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::agent::llm::{ContentBlock, Message, Role};
use crate::db::DbPool;
use crate::db::models::{ChatMessage, Conversation};
use crate::db::schema::{chat_messages, conversations};

/// Who is asking: conversations belong to one user in one organization.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    pub org_id: Uuid,
    pub user_id: Uuid,
}

/// A title from the first question: its first words, at most ~60 characters.
pub fn title_from(question: &str) -> String {
    let clean: String = question.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= 60 {
        return clean;
    }
    let mut title = String::new();
    for word in clean.split(' ') {
        if title.chars().count() + word.chars().count() + 1 > 57 {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    if title.is_empty() {
        title = clean.chars().take(57).collect();
    }
    title + "…"
}

pub async fn create(
    pool: &DbPool,
    owner: Owner,
    first_question: &str,
) -> ServiceResult<Conversation> {
    let mut conn = pool.get().await?;
    Ok(diesel::insert_into(conversations::table)
        .values((
            conversations::organization_id.eq(owner.org_id),
            conversations::user_id.eq(owner.user_id),
            conversations::title.eq(title_from(first_question)),
        ))
        .returning(Conversation::as_returning())
        .get_result(&mut conn)
        .await?)
}

/// The live conversation `id` if it belongs to `owner`: the one filter every access goes through.
#[diesel::dsl::auto_type(no_type_alias)]
fn owned(id: Uuid, user: Uuid, org: Uuid) -> _ {
    conversations::table
        .find(id)
        .filter(conversations::user_id.eq(user))
        .filter(conversations::organization_id.eq(org))
        .filter(conversations::deleted_at.is_null())
}

pub async fn get(pool: &DbPool, owner: Owner, id: Uuid) -> ServiceResult<Conversation> {
    let mut conn = pool.get().await?;
    owned(id, owner.user_id, owner.org_id)
        .select(Conversation::as_select())
        .first(&mut conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("conversation"))
}

/// `%`, `_` and `\` match themselves in a LIKE pattern built from user text.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The owner's conversations, most recently active first; `search` keeps those whose title
/// contains it (any case).
pub async fn list(
    pool: &DbPool,
    owner: Owner,
    search: Option<&str>,
    limit: i64,
) -> ServiceResult<Vec<Conversation>> {
    let mut conn = pool.get().await?;
    let mut query = conversations::table
        .filter(conversations::user_id.eq(owner.user_id))
        .filter(conversations::organization_id.eq(owner.org_id))
        .filter(conversations::deleted_at.is_null())
        .into_boxed();
    // PostgreSQL text cannot hold NUL, so no title contains one.
    let words = search.map(|w| w.replace('\0', ""));
    if let Some(words) = words.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        query = query.filter(conversations::title.ilike(format!("%{}%", like_escape(words))));
    }
    Ok(query
        .order(conversations::updated_at.desc())
        .limit(limit)
        .select(Conversation::as_select())
        .load(&mut conn)
        .await?)
}

pub async fn rename(
    pool: &DbPool,
    owner: Owner,
    id: Uuid,
    title: &str,
) -> ServiceResult<Conversation> {
    let title = super::validate::text("title", title, 200)?;
    let mut conn = pool.get().await?;
    diesel::update(owned(id, owner.user_id, owner.org_id))
        .set(conversations::title.eq(title))
        .returning(Conversation::as_returning())
        .get_result(&mut conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("conversation"))
}

pub async fn delete(pool: &DbPool, owner: Owner, id: Uuid) -> ServiceResult<()> {
    let mut conn = pool.get().await?;
    let deleted = diesel::update(owned(id, owner.user_id, owner.org_id))
        .set(conversations::deleted_at.eq(Utc::now()))
        .execute(&mut conn)
        .await?;
    if deleted == 0 {
        return Err(ServiceError::NotFound("conversation"));
    }
    Ok(())
}

pub async fn messages(pool: &DbPool, owner: Owner, id: Uuid) -> ServiceResult<Vec<ChatMessage>> {
    get(pool, owner, id).await?;
    let mut conn = pool.get().await?;
    Ok(chat_messages::table
        .filter(chat_messages::conversation_id.eq(id))
        .order((chat_messages::created_at.asc(), chat_messages::id.asc()))
        .select(ChatMessage::as_select())
        .load(&mut conn)
        .await?)
}

/// The conversation as model input. Rows whose content no longer parses are skipped.
pub fn history(rows: &[ChatMessage]) -> Vec<Message> {
    rows.iter()
        .filter_map(|r| {
            let role = if r.role == "assistant" {
                Role::Assistant
            } else {
                Role::User
            };
            let content: Vec<ContentBlock> = serde_json::from_value(r.content.clone()).ok()?;
            (!content.is_empty()).then_some(Message { role, content })
        })
        .collect()
}

/// Stores one message; returns its id.
pub async fn append(
    pool: &DbPool,
    owner: Owner,
    conversation: Uuid,
    message: &Message,
    model: Option<&str>,
    usage: Option<serde_json::Value>,
) -> ServiceResult<Uuid> {
    let mut conn = pool.get().await?;
    let content = serde_json::to_value(&message.content)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let role = match message.role {
        Role::User => "user",
        Role::Assistant => "assistant",
    };
    let id = diesel::insert_into(chat_messages::table)
        .values((
            chat_messages::conversation_id.eq(conversation),
            chat_messages::organization_id.eq(owner.org_id),
            chat_messages::role.eq(role),
            chat_messages::content.eq(content),
            chat_messages::model.eq(model),
            chat_messages::usage.eq(usage),
            // Strictly increasing per conversation, even within one clock tick.
            chat_messages::created_at.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                "clock_timestamp()",
            )),
        ))
        .returning(chat_messages::id)
        .get_result(&mut conn)
        .await?;
    diesel::update(conversations::table.find(conversation))
        .set(conversations::updated_at.eq(Utc::now()))
        .execute(&mut conn)
        .await?;
    Ok(id)
}

/// Before a retry: deletes the conversation's last message if it is an answer of text alone (the
/// part of an answer that streamed before the model failed), which the retry replaces.
pub async fn drop_partial_answer(pool: &DbPool, owner: Owner, id: Uuid) -> ServiceResult<()> {
    let rows = messages(pool, owner, id).await?;
    let Some(last) = rows.last().filter(|m| m.role == "assistant") else {
        return Ok(());
    };
    let blocks: Vec<ContentBlock> =
        serde_json::from_value(last.content.clone()).unwrap_or_default();
    if blocks
        .iter()
        .all(|b| matches!(b, ContentBlock::Text { .. }))
    {
        let mut conn = pool.get().await?;
        diesel::delete(chat_messages::table.find(last.id))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{like_escape, title_from};

    #[test]
    fn searches_match_wildcards_literally() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn titles_come_from_the_first_words() {
        assert_eq!(
            title_from("  Which deals\nslipped?  "),
            "Which deals slipped?"
        );
        let long = title_from(&"pipeline ".repeat(20));
        assert!(long.ends_with('…') && long.chars().count() <= 58, "{long}");
    }
}
