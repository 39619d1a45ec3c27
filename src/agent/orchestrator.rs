//! One chat run: persist the question, stream model turns (text deltas go out as they arrive),
//! run the requested tools (concurrently) and loop until the model answers, with an iteration cap,
//! a token budget and cancellation. Every block is persisted, so a reload shows what streamed.

use std::sync::Arc;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::future::join_all;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::AgentDeps;
use super::llm::{
    ContentBlock, LlmError, LlmRequest, Message, Role, StopReason, StreamEvent, Usage,
};
use super::protocol::{ServerFrame, ToolStatus};
use super::tools::{self, ToolContext, ToolOutcome};
use crate::db::schema::{integrations, organizations};
use crate::services::chat::{self, Owner};
use crate::sql::catalog;

pub struct RunRequest {
    pub owner: Owner,
    pub conversation_id: Uuid,
    pub text: String,
    pub time_zone: Option<String>,
}

/// Sends a frame; a closed socket just means nobody is watching any more (the run still persists).
async fn send(frames: &mpsc::Sender<ServerFrame>, frame: ServerFrame) {
    let _ = frames.send(frame).await;
}

async fn system_prompt(deps: &AgentDeps, owner: Owner, time_zone: Option<&str>) -> String {
    let mut org_name = String::from("your organization");
    let mut sources = Vec::new();
    if let Ok(mut conn) = deps.db.get().await {
        if let Ok(name) = organizations::table
            .find(owner.org_id)
            .select(organizations::name)
            .first::<String>(&mut conn)
            .await
        {
            org_name = name;
        }
        let rows: Vec<(String, Option<chrono::DateTime<Utc>>)> = integrations::table
            .filter(integrations::organization_id.eq(owner.org_id))
            .filter(integrations::is_active.eq(true))
            .select((integrations::provider, integrations::last_sync_at))
            .load(&mut conn)
            .await
            .unwrap_or_default();
        for (provider, synced) in rows {
            sources.push(match synced {
                Some(t) => format!(
                    "{provider} (last synced {})",
                    t.format("%Y-%m-%d %H:%M UTC")
                ),
                None => format!("{provider} (not synced yet)"),
            });
        }
    }
    let sources = if sources.is_empty() {
        "no data source connected yet (demo data may be loaded)".to_owned()
    } else {
        sources.join(", ")
    };
    // Only a plausible IANA name goes into the prompt.
    let tz = time_zone
        .filter(|t| {
            t.len() <= 64
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        })
        .unwrap_or("UTC");
    format!(
        "You are Revtops, a revenue copilot for {org_name}'s sales and RevOps team.\n\
         Today is {today} (UTC). The user's time zone is {tz}.\n\
         Connected data sources: {sources}.\n\n\
         Answer questions about pipeline, deals, accounts, contacts, reps and activities by querying the data \
         with run_sql_query (read-only PostgreSQL; every row is already limited to this organization) and \
         search_activities for what was said in emails, meetings and messages. Never invent numbers: query \
         first, then answer concisely with the figures, and say what you assumed. Money amounts are in each \
         deal's currency. When the user wants to keep a view, save it with create_artifact.\n\n\
         Schema:\n{schema}",
        today = Utc::now().format("%Y-%m-%d"),
        schema = catalog::describe()
    )
}

/// Runs the question to completion (or cancellation), streaming frames as it goes.
pub async fn run(
    deps: Arc<AgentDeps>,
    req: RunRequest,
    frames: mpsc::Sender<ServerFrame>,
    cancel: CancellationToken,
) {
    let conversation = req.conversation_id;
    let Some(client) = deps.llm.clone() else {
        send(&frames, no_model(Some(conversation))).await;
        return;
    };
    let question = Message {
        role: Role::User,
        content: vec![ContentBlock::Text {
            text: req.text.clone(),
        }],
    };
    if let Err(e) = chat::append(&deps.db, req.owner, conversation, &question, None, None).await {
        send(
            &frames,
            ServerFrame::error(
                Some(conversation),
                "internal",
                format!("could not save the message: {e}"),
                true,
            ),
        )
        .await;
        return;
    }
    let _permit = match deps.streams.clone().try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            send(
                &frames,
                ServerFrame::Queued {
                    conversation_id: conversation,
                },
            )
            .await;
            tokio::select! {
                p = deps.streams.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
                _ = cancel.cancelled() => {
                    complete(&frames, conversation, Usage::default(), "cancelled").await;
                    return;
                }
            }
        }
    };
    let system = system_prompt(&deps, req.owner, req.time_zone.as_deref()).await;
    let mut usage = Usage::default();
    // Read once; each turn and its tool results are appended here as they are persisted.
    let mut history = match chat::messages(&deps.db, req.owner, conversation).await {
        Ok(rows) => chat::history(&rows),
        Err(e) => {
            send(
                &frames,
                ServerFrame::error(Some(conversation), "internal", e.to_string(), true),
            )
            .await;
            return;
        }
    };
    for iteration in 0..deps.config.max_iterations {
        let request = LlmRequest {
            system: system.clone(),
            messages: history.clone(),
            tools: tools::specs().to_vec(),
            max_tokens: deps.config.max_tokens,
        };
        let (tx, mut rx) = mpsc::channel::<StreamEvent>(256);
        let model = client.clone();
        let stream = tokio::task::spawn_blocking(move || model.stream_turn(&request, &tx));
        let mut streamed = String::new();
        let mut cancelled = false;
        loop {
            tokio::select! {
                event = rx.recv() => match event {
                    Some(StreamEvent::TextDelta(text)) => {
                        streamed.push_str(&text);
                        send(&frames, ServerFrame::TextDelta { conversation_id: conversation, text }).await;
                    }
                    Some(StreamEvent::ToolUseStarted { .. }) => {}
                    None => break,
                },
                _ = cancel.cancelled(), if !cancelled => {
                    cancelled = true;
                    // Closing the channel makes the blocking stream stop at its next event.
                    rx.close();
                }
            }
        }
        let result = stream
            .await
            .unwrap_or_else(|e| Err(LlmError::Fatal(format!("the model task failed: {e}"))));
        let turn = match result {
            Ok(turn) if !cancelled => turn,
            Ok(_) | Err(LlmError::Cancelled) => {
                save_partial(&deps, req.owner, conversation, &streamed, client.model()).await;
                complete(&frames, conversation, usage, "cancelled").await;
                return;
            }
            Err(LlmError::Retryable { message, partial }) => {
                let text: String = partial
                    .iter()
                    .filter_map(|b| match b {
                        ContentBlock::Text { text } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                save_partial(&deps, req.owner, conversation, &text, client.model()).await;
                send(
                    &frames,
                    ServerFrame::error(Some(conversation), "model_unavailable", message, true),
                )
                .await;
                return;
            }
            Err(LlmError::Fatal(message)) => {
                send(
                    &frames,
                    ServerFrame::error(Some(conversation), "model_error", message, false),
                )
                .await;
                return;
            }
        };
        usage.input_tokens += turn.usage.input_tokens;
        usage.output_tokens += turn.usage.output_tokens;
        let calls: Vec<(String, String, serde_json::Value)> = turn
            .content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::ToolUse { id, name, input } => {
                    Some((id.clone(), name.clone(), input.clone()))
                }
                _ => None,
            })
            .collect();
        if !turn.content.is_empty() {
            let message = Message {
                role: Role::Assistant,
                content: turn.content.clone(),
            };
            let usage_json = json!({"input_tokens": turn.usage.input_tokens, "output_tokens": turn.usage.output_tokens});
            if let Err(e) = chat::append(
                &deps.db,
                req.owner,
                conversation,
                &message,
                Some(client.model()),
                Some(usage_json),
            )
            .await
            {
                send(
                    &frames,
                    ServerFrame::error(Some(conversation), "internal", e.to_string(), true),
                )
                .await;
                return;
            }
            history.push(message);
        }
        for (id, name, input) in &calls {
            send(
                &frames,
                ServerFrame::ToolCall {
                    conversation_id: conversation,
                    id: id.clone(),
                    name: name.clone(),
                    input: input.clone(),
                },
            )
            .await;
        }
        if turn.stop_reason != StopReason::ToolUse || calls.is_empty() {
            let reason = match turn.stop_reason {
                StopReason::MaxTokens => "max_tokens",
                StopReason::Refusal => "refusal",
                StopReason::StopSequence => "stop_sequence",
                _ => "end_turn",
            };
            // A turn cut at max_tokens may hold tool calls that never ran: answer them so the
            // stored history stays valid for the next question.
            if !calls.is_empty() {
                answer_unrun(
                    &deps,
                    req.owner,
                    conversation,
                    &calls,
                    "not run: the answer was cut off",
                )
                .await;
            }
            complete(&frames, conversation, usage, reason).await;
            return;
        }
        let over_budget = usage.input_tokens + usage.output_tokens > deps.config.token_budget;
        if iteration + 1 == deps.config.max_iterations || over_budget {
            let why = if over_budget {
                "the token budget of this question is spent"
            } else {
                "the tool-call limit of this question was reached"
            };
            answer_unrun(
                &deps,
                req.owner,
                conversation,
                &calls,
                &format!("not run: {why}"),
            )
            .await;
            let code = if over_budget {
                "token_budget_exceeded"
            } else {
                "iteration_limit"
            };
            send(
                &frames,
                ServerFrame::error(
                    Some(conversation),
                    code,
                    format!("Stopped: {why}. Ask a narrower question."),
                    false,
                ),
            )
            .await;
            complete(&frames, conversation, usage, code).await;
            return;
        }
        let ctx = ToolContext {
            deps: &deps,
            org: req.owner.org_id,
            user: req.owner.user_id,
            conversation,
        };
        let outcomes = tokio::select! {
            outcomes = join_all(calls.iter().map(|(_, name, input)| tools::run(&ctx, name, input))) => outcomes,
            _ = cancel.cancelled() => {
                answer_unrun(&deps, req.owner, conversation, &calls, "cancelled by the user").await;
                complete(&frames, conversation, usage, "cancelled").await;
                return;
            }
        };
        let mut results = Vec::with_capacity(calls.len());
        for ((id, _, _), outcome) in calls.iter().zip(outcomes) {
            send(
                &frames,
                ServerFrame::ToolResult {
                    conversation_id: conversation,
                    id: id.clone(),
                    status: if outcome.is_error {
                        ToolStatus::Error
                    } else {
                        ToolStatus::Ok
                    },
                    summary: outcome.summary.clone(),
                    rows_preview: outcome.preview.clone(),
                },
            )
            .await;
            if let Some((artifact_id, title)) = &outcome.artifact {
                send(
                    &frames,
                    ServerFrame::ArtifactCreated {
                        conversation_id: conversation,
                        artifact_id: *artifact_id,
                        title: title.clone(),
                    },
                )
                .await;
            }
            results.push(result_block(id, &outcome));
        }
        let message = Message {
            role: Role::User,
            content: results,
        };
        if let Err(e) = chat::append(&deps.db, req.owner, conversation, &message, None, None).await
        {
            send(
                &frames,
                ServerFrame::error(Some(conversation), "internal", e.to_string(), true),
            )
            .await;
            return;
        }
        history.push(message);
    }
}

fn result_block(id: &str, outcome: &ToolOutcome) -> ContentBlock {
    ContentBlock::ToolResult {
        tool_use_id: id.to_owned(),
        content: outcome.content.clone(),
        is_error: outcome.is_error,
    }
}

async fn answer_unrun(
    deps: &AgentDeps,
    owner: Owner,
    conversation: Uuid,
    calls: &[(String, String, serde_json::Value)],
    why: &str,
) {
    let content = calls
        .iter()
        .map(|(id, _, _)| result_block(id, &ToolOutcome::error(why)))
        .collect();
    let _ = chat::append(
        &deps.db,
        owner,
        conversation,
        &Message {
            role: Role::User,
            content,
        },
        None,
        None,
    )
    .await;
}

async fn save_partial(deps: &AgentDeps, owner: Owner, conversation: Uuid, text: &str, model: &str) {
    if text.is_empty() {
        return;
    }
    let message = Message {
        role: Role::Assistant,
        content: vec![ContentBlock::Text {
            text: text.to_owned(),
        }],
    };
    let _ = chat::append(&deps.db, owner, conversation, &message, Some(model), None).await;
}

async fn complete(
    frames: &mpsc::Sender<ServerFrame>,
    conversation: Uuid,
    usage: Usage,
    reason: &str,
) {
    send(
        frames,
        ServerFrame::MessageComplete {
            conversation_id: conversation,
            usage,
            stop_reason: reason.into(),
        },
    )
    .await;
}

pub fn no_model(conversation: Option<Uuid>) -> ServerFrame {
    ServerFrame::error(
        conversation,
        "no_model_configured",
        "No language model is configured. Set ANTHROPIC_API_KEY (and optionally LLM_MODEL), or \
         LLM_PROVIDER=openai with OPENAI_BASE_URL for an OpenAI-compatible server, then restart Revtops.",
        false,
    )
}
