//! Revtops: a revenue copilot. One binary serving the REST API, chat, sync workers and the UI.

pub mod agent;
pub mod backoff;
pub mod build_info;
pub mod cache;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod db;
pub mod demo;
pub mod http;
pub mod services;
pub mod sql;
pub mod startup;
pub mod sync;
pub mod telemetry;
