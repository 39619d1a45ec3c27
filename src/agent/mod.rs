//! The chat agent: language-model clients, the tools it may call and the orchestration loop.

pub mod llm;
pub mod orchestrator;
pub mod prompt;
pub mod protocol;
pub mod runs;
pub mod schema;
pub mod tools;

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::cache::Cache;
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
    /// Where each organization's daily model spend is counted (shared by replicas with Redis).
    pub cache: Cache,
    /// Bounds concurrent model streams: each holds a blocking thread for its whole length.
    pub streams: Arc<Semaphore>,
    /// The runs in flight, one per conversation, with the frames they produced so far.
    pub runs: runs::RunHub,
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
        cache: Cache,
        shutdown: CancellationToken,
    ) -> Self {
        let streams = Arc::new(Semaphore::new(config.max_concurrent_streams));
        Self {
            db,
            sql,
            llm,
            config,
            cache,
            streams,
            runs: runs::RunHub::new(shutdown),
        }
    }
}
