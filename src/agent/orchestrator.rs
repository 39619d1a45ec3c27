//! One chat run: persist the question, stream model turns (text deltas go out as they arrive),
//! run the requested tools (concurrently) and loop until the model answers, with an iteration cap,
//! a token budget and cancellation. Every block is persisted, so a reload shows what streamed;
//! every frame goes into the run's log ([`Run::emit`]), so a reload mid-answer can catch up.
//! A run always ends with exactly one `message_complete`.

use std::sync::{Arc, Mutex};

use futures_util::future::join_all;
use serde_json::json;
use uuid::Uuid;

use super::AgentDeps;
use super::llm::{
    ContentBlock, LlmClient, LlmError, LlmRequest, Message, Role, StopReason, StreamEvent,
    TurnEvents, Usage,
};
use super::prompt;
use super::protocol::{RunEvent, ServerFrame, ToolStatus};
use super::runs::Run;
use super::tools::{self, ToolContext, ToolOutcome};
use crate::services::chat::{self, Owner};
use crate::services::rate::DailyTokens;

pub struct RunRequest {
    pub owner: Owner,
    pub conversation_id: Uuid,
    /// None for a retry: the model runs again on the stored conversation.
    pub question: Option<String>,
    pub client_message_id: Option<Uuid>,
    pub time_zone: Option<String>,
}

/// How a run ended: its `message_complete`, preceded by an error frame when it failed.
struct End {
    stop_reason: &'static str,
    error: Option<RunEvent>,
}

impl End {
    fn stopped(stop_reason: &'static str) -> Self {
        Self {
            stop_reason,
            error: None,
        }
    }

    /// The run could not read or write the conversation. The cause is logged here, once; the
    /// client hears only that it can try again (database text never reaches a socket).
    fn storage(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "a chat run could not use the database");
        Self::failed(
            "internal",
            "Revtops could not save this conversation just now; try again.",
            true,
        )
    }

    fn failed(code: &'static str, message: impl Into<String>, retryable: bool) -> Self {
        Self {
            stop_reason: "error",
            error: Some(RunEvent::error(code, message, retryable)),
        }
    }

    /// A limit stopped the run: the stop reason is the limit's code.
    fn limited(code: &'static str, message: String) -> Self {
        Self {
            stop_reason: code,
            error: Some(RunEvent::error(code, message, false)),
        }
    }
}

/// Runs the question to completion (or cancellation), then ends the run in the hub.
pub async fn run(deps: Arc<AgentDeps>, req: RunRequest, run: Arc<Run>) {
    let mut usage = Usage::default();
    let end = drive(&deps, &req, &run, &mut usage).await;
    if let Some(error) = end.error {
        run.emit(error);
    }
    run.emit(RunEvent::MessageComplete {
        usage,
        stop_reason: end.stop_reason.into(),
    });
    deps.runs.finish(&run);
}

/// Stores the question (or, for a retry, drops the partial answer being replaced) and announces
/// the run. Returns the conversation as model input.
async fn open(deps: &AgentDeps, req: &RunRequest, run: &Run) -> Result<Vec<Message>, End> {
    let conversation = req.conversation_id;
    let question_message_id = match &req.question {
        Some(text) => {
            let question = Message {
                role: Role::User,
                content: vec![ContentBlock::Text { text: text.clone() }],
            };
            match chat::append(&deps.db, req.owner, conversation, &question, None, None).await {
                Ok(id) => Some(id),
                Err(e) => {
                    run.emit(started(req, None));
                    return Err(End::storage(e));
                }
            }
        }
        None => None,
    };
    run.emit(started(req, question_message_id));
    if req.question.is_none()
        && let Err(e) = chat::drop_partial_answer(&deps.db, req.owner, conversation).await
    {
        return Err(End::storage(e));
    }
    let history = match chat::messages(&deps.db, req.owner, conversation).await {
        Ok(rows) => chat::history(&rows),
        Err(e) => return Err(End::storage(e)),
    };
    if history.last().is_none_or(|m| m.role != Role::User) {
        return Err(End::failed(
            "nothing_to_retry",
            "there is no unanswered question in this conversation",
            false,
        ));
    }
    Ok(history)
}

fn started(req: &RunRequest, question_message_id: Option<Uuid>) -> RunEvent {
    RunEvent::RunStarted {
        question: req.question.clone(),
        question_message_id,
        client_message_id: req.client_message_id,
    }
}

async fn drive(deps: &AgentDeps, req: &RunRequest, run: &Arc<Run>, usage: &mut Usage) -> End {
    let conversation = req.conversation_id;
    let Some(client) = deps.llm.clone() else {
        run.emit(started(req, None));
        return End::failed("no_model_configured", NO_MODEL, false);
    };
    let mut history = match open(deps, req, run).await {
        Ok(history) => history,
        Err(end) => return end,
    };
    let _permit = match deps.streams.clone().try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            run.emit(RunEvent::Queued);
            tokio::select! {
                p = deps.streams.clone().acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => return End::stopped("cancelled"),
                },
                _ = run.cancel.cancelled() => return End::stopped("cancelled"),
            }
        }
    };
    let system = prompt::system(deps, req.owner, req.time_zone.as_deref()).await;
    for iteration in 0..deps.config.max_iterations {
        let turn = match stream_turn(deps, &client, &system, &history, run).await {
            Ok(turn) => turn,
            Err((streamed, end)) => {
                save_partial(deps, req.owner, conversation, &streamed, client.model()).await;
                return end;
            }
        };
        usage.input_tokens += turn.usage.input_tokens;
        usage.output_tokens += turn.usage.output_tokens;
        DailyTokens::of(&deps.cache, req.owner.org_id)
            .add(turn.usage.input_tokens + turn.usage.output_tokens)
            .await;
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
                return End::storage(e);
            }
            history.push(message);
        }
        for (id, name, input) in &calls {
            run.emit(RunEvent::ToolCall {
                id: id.clone(),
                name: name.clone(),
                input: input.clone(),
            });
        }
        if turn.stop_reason != StopReason::ToolUse || calls.is_empty() {
            // A turn cut at max_tokens may hold tool calls that never ran: answer them so the
            // stored history stays valid for the next question.
            if !calls.is_empty() {
                answer_unrun(
                    deps,
                    req.owner,
                    conversation,
                    &calls,
                    "not run: the answer was cut off",
                )
                .await;
            }
            return End::stopped(match turn.stop_reason {
                StopReason::MaxTokens => "max_tokens",
                StopReason::Refusal => "refusal",
                StopReason::StopSequence => "stop_sequence",
                _ => "end_turn",
            });
        }
        if let Some((code, message)) = over_daily_budget(deps, req.owner.org_id).await {
            answer_unrun(
                deps,
                req.owner,
                conversation,
                &calls,
                "not run: the daily budget is spent",
            )
            .await;
            return End::limited(code, message);
        }
        let over_budget = usage.input_tokens + usage.output_tokens > deps.config.token_budget;
        if iteration + 1 == deps.config.max_iterations || over_budget {
            let (code, why) = if over_budget {
                (
                    "token_budget_exceeded",
                    "the token budget of this question is spent",
                )
            } else {
                (
                    "iteration_limit",
                    "the tool-call limit of this question was reached",
                )
            };
            answer_unrun(
                deps,
                req.owner,
                conversation,
                &calls,
                &format!("not run: {why}"),
            )
            .await;
            return End::limited(code, format!("Stopped: {why}. Ask a narrower question."));
        }
        let ctx = ToolContext {
            deps,
            org: req.owner.org_id,
            user: req.owner.user_id,
            conversation,
        };
        let outcomes = tokio::select! {
            outcomes = join_all(calls.iter().map(|(_, name, input)| tools::run(&ctx, name, input))) => outcomes,
            _ = run.cancel.cancelled() => {
                answer_unrun(deps, req.owner, conversation, &calls, "cancelled by the user").await;
                return End::stopped("cancelled");
            }
        };
        let mut results = Vec::with_capacity(calls.len());
        for ((id, _, _), outcome) in calls.iter().zip(outcomes) {
            run.emit(RunEvent::ToolResult {
                id: id.clone(),
                status: if outcome.is_error {
                    ToolStatus::Error
                } else {
                    ToolStatus::Ok
                },
                summary: outcome.summary.clone(),
                output: Some(outcome.output.clone()),
            });
            if let Some((artifact_id, title)) = &outcome.artifact {
                run.emit(RunEvent::ArtifactCreated {
                    artifact_id: *artifact_id,
                    title: title.clone(),
                });
            }
            results.push(result_block(id, &outcome));
        }
        let message = Message {
            role: Role::User,
            content: results,
        };
        if let Err(e) = chat::append(&deps.db, req.owner, conversation, &message, None, None).await
        {
            return End::storage(e);
        }
        history.push(message);
    }
    End::stopped("end_turn")
}

/// Streams one model turn, sending its text as it arrives. On failure or cancellation, returns
/// the text that streamed (to keep) with how the run ends.
async fn stream_turn(
    deps: &AgentDeps,
    client: &Arc<dyn LlmClient>,
    system: &str,
    history: &[Message],
    run: &Arc<Run>,
) -> Result<super::llm::Turn, (String, End)> {
    let request = LlmRequest {
        system: system.to_owned(),
        messages: history.to_vec(),
        tools: tools::specs().to_vec(),
        max_tokens: deps.config.max_tokens,
    };
    let events = Arc::new(RunEvents {
        run: Arc::clone(run),
        streamed: Mutex::new(String::new()),
    });
    let (model, listener) = (client.clone(), Arc::clone(&events));
    let result = tokio::task::spawn_blocking(move || model.stream_turn(&request, &*listener))
        .await
        .unwrap_or_else(|e| Err(LlmError::Fatal(format!("the model task failed: {e}"))));
    // Also a cancellation that came after the stream's last event: the run must stop here.
    let cancelled = run.cancel.is_cancelled();
    let streamed = std::mem::take(&mut *events.streamed.lock().unwrap_or_else(|p| p.into_inner()));
    match result {
        Ok(turn) if !cancelled => Ok(turn),
        Ok(_) | Err(LlmError::Cancelled) => Err((streamed, End::stopped("cancelled"))),
        Err(LlmError::Retryable { message, partial }) => {
            let text: String = partial
                .iter()
                .filter_map(|b| match b {
                    ContentBlock::Text { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            Err((text, End::failed("model_unavailable", message, true)))
        }
        Err(LlmError::Fatal(message)) => {
            Err((streamed, End::failed("model_error", message, false)))
        }
    }
}

/// A turn's events, taken on the thread that reads the model's stream: text goes straight
/// into the run's log (no task in between), and a cancelled run stops the stream at its next
/// event.
struct RunEvents {
    run: Arc<Run>,
    /// The text so far, kept if the turn fails or is cancelled.
    streamed: Mutex<String>,
}

impl TurnEvents for RunEvents {
    // The stream checks `is_closed` before it reads each event, so `send` need not.
    fn send(&self, event: StreamEvent) -> Result<(), LlmError> {
        if let StreamEvent::TextDelta(text) = event {
            self.streamed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push_str(&text);
            self.run.emit(RunEvent::TextDelta { text });
        }
        Ok(())
    }

    fn is_closed(&self) -> bool {
        self.run.cancel.is_cancelled()
    }
}

fn result_block(id: &str, outcome: &ToolOutcome) -> ContentBlock {
    ContentBlock::ToolResult {
        tool_use_id: id.to_owned(),
        content: outcome.output.to_string(),
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

const NO_MODEL: &str = "No language model is configured. Set ANTHROPIC_API_KEY (and optionally \
     LLM_MODEL), or LLM_PROVIDER=openai with OPENAI_BASE_URL for an OpenAI-compatible server, then \
     restart Revtops.";

/// Why a new run may not start because the organization's model budget for today is spent:
/// (code, message), or None.
pub async fn over_daily_budget(deps: &AgentDeps, org: Uuid) -> Option<(&'static str, String)> {
    let cap = deps.config.daily_tokens_per_org;
    if cap == 0 || DailyTokens::of(&deps.cache, org).spent().await < cap {
        return None;
    }
    Some((
        "spend_cap_reached",
        format!(
            "Your organization has used its {cap} model tokens for today (CHAT_DAILY_TOKENS_PER_ORG). \
             Chat is available again after midnight UTC; an administrator can raise the cap."
        ),
    ))
}

pub fn no_model(conversation: Option<Uuid>) -> ServerFrame {
    ServerFrame::error(conversation, "no_model_configured", NO_MODEL, false)
}
