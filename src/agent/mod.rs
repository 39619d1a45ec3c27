//! The chat agent: language-model clients, the tools it may call and the orchestration loop.

pub mod llm;
pub mod orchestrator;
pub mod protocol;
pub mod schema;
pub mod tools;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::config::{ChatConfig, LlmProvider};
use crate::db::DbPool;
use crate::sql::SqlEngine;
use llm::LlmClient;

/// Everything a chat run needs, shared by all sockets of this replica.
pub struct AgentDeps {
    pub db: DbPool,
    pub sql: Arc<SqlEngine>,
    pub llm: Option<Arc<dyn LlmClient>>,
    pub config: ChatConfig,
    /// Bounds concurrent model streams: each holds a blocking thread for its whole length.
    pub streams: Arc<Semaphore>,
    /// Cancellation handles of the runs in flight, one per conversation.
    runs: Mutex<HashMap<Uuid, CancellationToken>>,
    /// Server shutdown: every run's token is a child of it, so runs stop at a safe point
    /// (partial text persisted, tool calls answered) instead of being cut mid-write.
    shutdown: CancellationToken,
}

pub fn client_for(config: &ChatConfig) -> Option<Arc<dyn LlmClient>> {
    match config.provider.as_ref()? {
        LlmProvider::Anthropic { base_url, api_key } => {
            Some(Arc::new(llm::anthropic::AnthropicClient::new(
                base_url.as_str(),
                api_key.expose(),
                &config.model,
            )))
        }
        LlmProvider::OpenAi { base_url, api_key } => {
            Some(Arc::new(llm::openai::OpenAiClient::new(
                base_url.as_str(),
                api_key.as_ref().map(|k| k.expose().as_str()),
                &config.model,
            )))
        }
    }
}

impl AgentDeps {
    pub fn new(
        db: DbPool,
        sql: Arc<SqlEngine>,
        llm: Option<Arc<dyn LlmClient>>,
        config: ChatConfig,
        shutdown: CancellationToken,
    ) -> Self {
        let streams = Arc::new(Semaphore::new(config.max_concurrent_streams));
        Self {
            db,
            sql,
            llm,
            config,
            streams,
            runs: Mutex::new(HashMap::new()),
            shutdown,
        }
    }

    fn runs(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, CancellationToken>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims the conversation for one run; None if a run is already in flight.
    pub fn begin_run(&self, conversation: Uuid) -> Option<CancellationToken> {
        let mut runs = self.runs();
        if runs.contains_key(&conversation) {
            return None;
        }
        let token = self.shutdown.child_token();
        runs.insert(conversation, token.clone());
        Some(token)
    }

    pub fn end_run(&self, conversation: Uuid) {
        self.runs().remove(&conversation);
    }

    /// Cancels the run of `conversation`, if any. Returns whether one was running.
    pub fn cancel_run(&self, conversation: Uuid) -> bool {
        self.runs()
            .get(&conversation)
            .map(CancellationToken::cancel)
            .is_some()
    }
}
