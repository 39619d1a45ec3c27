//! What one authenticated chat socket does with the client's frames: start runs (questions and
//! retries), cancel them, and attach the socket to runs in flight so it sees their frames —
//! from the start or from where it left off. A question resent after a reconnect (same
//! `client_message_id`) is answered once, across replicas when Redis is configured.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::agent::orchestrator::{self, RunRequest};
use crate::agent::protocol::{ClientFrame, ServerFrame};
use crate::agent::runs::Run;
use crate::http::AppState;
use crate::services::auth::AuthUser;
use crate::services::chat::{self, Owner};
use crate::services::rate;

const MAX_QUESTION_CHARS: usize = 32_000;
/// How long a client message id is remembered: well past any reconnect.
const SENT_TTL: Duration = Duration::from_secs(15 * 60);
/// Marks a message id whose conversation is not known yet (the first copy is being handled).
const PENDING: &str = "pending";

pub struct Session {
    state: AppState,
    user: AuthUser,
    out: mpsc::Sender<ServerFrame>,
    /// The runs this socket follows, by conversation; one follower each.
    follows: HashMap<Uuid, JoinHandle<()>>,
}

/// A refusal before any run started.
fn refuse(conversation: Option<Uuid>, code: &str, message: impl Into<String>) -> ServerFrame {
    ServerFrame::error(conversation, code, message, false)
}

impl Session {
    pub fn new(state: AppState, user: AuthUser, out: mpsc::Sender<ServerFrame>) -> Self {
        Self {
            state,
            user,
            out,
            follows: HashMap::new(),
        }
    }

    /// Stops following every run (the runs themselves go on and persist their answers).
    pub fn close(&mut self) {
        for (_, follower) in self.follows.drain() {
            follower.abort();
        }
    }

    async fn reply(&self, frame: ServerFrame) {
        let _ = self.out.send(frame).await;
    }

    pub async fn handle(&mut self, frame: ClientFrame) {
        let Some(org_id) = self.user.org_id else {
            self.reply(refuse(
                None,
                "no_organization",
                "create or join an organization first",
            ))
            .await;
            return;
        };
        let owner = Owner {
            org_id,
            user_id: self.user.user_id,
        };
        match frame {
            ClientFrame::Ping => self.reply(ServerFrame::Pong).await,
            ClientFrame::Auth { .. } => {
                self.reply(refuse(None, "invalid_frame", "already authenticated"))
                    .await
            }
            ClientFrame::Cancel { conversation_id } => {
                if !self.owns(owner, conversation_id).await {
                    return;
                }
                if !self.state.agent.runs.cancel(conversation_id, owner.user_id) {
                    let msg = "nothing is running in this conversation";
                    self.reply(refuse(Some(conversation_id), "not_running", msg))
                        .await;
                }
            }
            ClientFrame::Subscribe {
                conversation_id,
                run_id,
                after_seq,
            } => {
                if self.owns(owner, conversation_id).await {
                    self.attach(conversation_id, None, run_id, after_seq).await;
                }
            }
            ClientFrame::Retry { conversation_id } => {
                if !self.owns(owner, conversation_id).await
                    || !self.admit(Some(conversation_id)).await
                {
                    return;
                }
                self.start(owner, conversation_id, None, None, None).await;
            }
            ClientFrame::SendMessage {
                conversation_id,
                text,
                time_zone,
                client_message_id,
            } => {
                self.send_message(owner, conversation_id, text, time_zone, client_message_id)
                    .await
            }
        }
    }

    /// Whether `conversation` is the user's; says "not found" otherwise.
    async fn owns(&self, owner: Owner, conversation: Uuid) -> bool {
        if chat::get(&self.state.db, owner, conversation).await.is_ok() {
            return true;
        }
        self.reply(refuse(
            Some(conversation),
            "conversation_not_found",
            "no such conversation",
        ))
        .await;
        false
    }

    /// The checks every new run passes: the question rate and a configured model.
    async fn admit(&self, conversation: Option<Uuid>) -> bool {
        match admit(&self.state, &self.user, conversation).await {
            Ok(()) => true,
            Err(refusal) => {
                self.reply(refusal).await;
                false
            }
        }
    }

    /// Forgets a message id that did not start a run, so sending it again is a new attempt.
    async fn forget(&self, sent_key: &Option<String>) {
        if let Some(key) = sent_key {
            let _ = self.state.cache.delete(key).await;
        }
    }

    async fn send_message(
        &mut self,
        owner: Owner,
        conversation_id: Option<Uuid>,
        text: String,
        time_zone: Option<String>,
        client_message_id: Option<Uuid>,
    ) {
        // PostgreSQL cannot store NUL (the message is JSONB), and it carries no meaning.
        let text = text.replace('\0', "").trim().to_owned();
        if text.is_empty() || text.chars().count() > MAX_QUESTION_CHARS {
            let msg = format!("the question must have 1 to {MAX_QUESTION_CHARS} characters");
            self.reply(
                refuse(conversation_id, "invalid_message", msg)
                    .with_client_message(client_message_id),
            )
            .await;
            return;
        }
        let sent_key = client_message_id.map(|id| format!("chat:sent:{}:{id}", owner.user_id));
        if let Some(key) = &sent_key {
            match self.state.cache.set_new(key, PENDING, SENT_TTL).await {
                Ok(true) => {}
                Ok(false) => return self.answer_duplicate(key, client_message_id).await,
                // Fail open: without the cache a resend may run twice, which beats losing it.
                Err(e) => tracing::warn!(error = %e, "chat message de-duplication unavailable"),
            }
        }
        if let Err(refusal) = admit(&self.state, &self.user, conversation_id).await {
            self.forget(&sent_key).await;
            self.reply(refusal.with_client_message(client_message_id))
                .await;
            return;
        }
        let conversation = match conversation_id {
            Some(id) => match chat::get(&self.state.db, owner, id).await {
                Ok(c) => c.id,
                Err(_) => {
                    self.forget(&sent_key).await;
                    self.reply(
                        refuse(Some(id), "conversation_not_found", "no such conversation")
                            .with_client_message(client_message_id),
                    )
                    .await;
                    return;
                }
            },
            None => match chat::create(&self.state.db, owner, &text).await {
                Ok(c) => {
                    self.reply(ServerFrame::ConversationCreated {
                        conversation_id: c.id,
                        title: c.title.clone().unwrap_or_default(),
                        client_message_id,
                    })
                    .await;
                    c.id
                }
                Err(e) => {
                    self.forget(&sent_key).await;
                    tracing::error!(error = %e, "cannot create a conversation");
                    let msg = "Revtops could not start the conversation just now; try again.";
                    let refusal = ServerFrame::error(None, "internal", msg, true);
                    self.reply(refusal.with_client_message(client_message_id))
                        .await;
                    return;
                }
            },
        };
        if let Some(key) = &sent_key {
            let _ = self
                .state
                .cache
                .set(key, &conversation.to_string(), SENT_TTL)
                .await;
        }
        let started = self
            .start(
                owner,
                conversation,
                Some(text),
                client_message_id,
                time_zone,
            )
            .await;
        if !started {
            self.forget(&sent_key).await;
        }
    }

    /// A message id seen before: say so, with the conversation it went to, and attach to its
    /// run if that is still going. A copy still being handled elsewhere is answered there.
    async fn answer_duplicate(&mut self, key: &str, client_message_id: Option<Uuid>) {
        for _ in 0..20 {
            match self.state.cache.get(key).await {
                Ok(Some(value)) if value != PENDING => {
                    if let Ok(conversation) = value.parse::<Uuid>() {
                        self.attach(conversation, client_message_id, None, None)
                            .await;
                    }
                    return;
                }
                Ok(Some(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
                _ => return,
            }
        }
    }

    /// Starts a run in `conversation` and follows it from its first frame. False when the
    /// conversation is busy (the client was told).
    async fn start(
        &mut self,
        owner: Owner,
        conversation: Uuid,
        question: Option<String>,
        client_message_id: Option<Uuid>,
        time_zone: Option<String>,
    ) -> bool {
        let agent = Arc::clone(&self.state.agent);
        let Some(run) = agent.runs.begin(conversation, owner.user_id) else {
            let msg = "an answer is still streaming in this conversation; cancel it or wait";
            let refusal = ServerFrame::error(Some(conversation), "conversation_busy", msg, true);
            self.reply(refusal.with_client_message(client_message_id))
                .await;
            return false;
        };
        self.follow(Arc::clone(&run), 0);
        let request = RunRequest {
            owner,
            conversation_id: conversation,
            question,
            client_message_id,
            time_zone,
        };
        // The run outlives this socket if it closes: the answer is persisted for a reload.
        tokio::spawn(orchestrator::run(agent, request, run));
        true
    }

    /// Tells the client whether a run is in flight in `conversation` and, if so, follows it:
    /// after `after_seq` when the client names the current run, from its start otherwise.
    async fn attach(
        &mut self,
        conversation: Uuid,
        client_message_id: Option<Uuid>,
        run_id: Option<Uuid>,
        after_seq: Option<u64>,
    ) {
        let run = self.state.agent.runs.get(conversation, self.user.user_id);
        self.reply(ServerFrame::Subscribed {
            conversation_id: conversation,
            running: run.is_some(),
            run_id: run.as_ref().map(|r| r.id),
            client_message_id,
        })
        .await;
        if let Some(run) = run {
            let from = match (run_id, after_seq) {
                (Some(id), Some(seq)) if id == run.id => seq as usize + 1,
                _ => 0,
            };
            self.follow(run, from);
        }
    }

    fn follow(&mut self, run: Arc<Run>, from: usize) {
        let follower = tokio::spawn(Arc::clone(&run).follow(from, self.out.clone()));
        if let Some(previous) = self.follows.insert(run.conversation_id, follower) {
            previous.abort();
        }
        self.follows.retain(|_, f| !f.is_finished());
    }
}

/// The question rate limit (per user), the organization's daily model budget (both shared
/// through the cache) and a configured model.
async fn admit(
    state: &AppState,
    user: &AuthUser,
    conversation: Option<Uuid>,
) -> Result<(), ServerFrame> {
    let key = format!("chat:questions:{}", user.user_id);
    let limit = state.config.chat.questions_per_minute;
    if let Err(wait) = rate::take(&state.cache, &key, limit, Duration::from_secs(60)).await {
        let msg = format!(
            "at most {limit} questions a minute; retry in {}s",
            wait.as_secs()
        );
        return Err(ServerFrame::error(conversation, "rate_limited", msg, true));
    }
    if let Some(org) = user.org_id
        && let Some(refusal) = orchestrator::over_daily_budget(&state.agent, org).await
    {
        return Err(ServerFrame::error(
            conversation,
            refusal.0,
            refusal.1,
            false,
        ));
    }
    if state.agent.llm.is_none() {
        return Err(orchestrator::no_model(conversation));
    }
    Ok(())
}
