//! The chat agent: language-model clients, the tools it may call and the orchestration loop.

pub mod llm;
