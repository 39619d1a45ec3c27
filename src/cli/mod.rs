//! Command-line entry point: `serve`, `migrate`, `sync`, `demo`, `verify-email`.

mod demo;
mod migrate;
mod serve;
mod sync;
mod verify_email;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};

#[derive(Debug, Parser)]
#[command(name = "revtops", version = crate::build_info::long_version(), about = "Revtops: a revenue copilot for sales and RevOps teams")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API, chat WebSocket, sync workers and the embedded UI
    Serve(serve::ServeArgs),
    /// Create the database if needed and apply pending migrations
    Migrate,
    /// Sync one provider for an organization in the foreground
    Sync {
        /// hubspot | salesforce | slack | google_calendar
        #[arg(long)]
        provider: String,
        /// Organization id or email domain (default: the only organization)
        #[arg(long)]
        org: Option<String>,
        /// For personal providers (google_calendar): whose calendar, by email (default: the
        /// only member with one connected)
        #[arg(long)]
        user: Option<String>,
        /// Ignore cursors and re-read everything
        #[arg(long)]
        full: bool,
    },
    /// Load a realistic synthetic dataset to try the product without connecting anything
    Demo {
        /// Organization id or email domain (default: create a demo organization)
        #[arg(long)]
        org: Option<String>,
        /// small ≈ 1k deals, medium ≈ 10k deals, large ≈ 1M rows in total
        #[arg(long, value_enum, default_value = "small")]
        size: crate::demo::DemoSize,
    },
    /// Mark a local account's email address verified (for servers without SMTP_URL)
    VerifyEmail {
        /// The account's email address
        email: String,
    },
}

/// tokio's own default for `max_blocking_threads`.
const DEFAULT_BLOCKING_THREADS: usize = 512;

/// Exit code for bad configuration or a command that cannot run here.
const EXIT_USAGE: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // A missing .env is normal; a malformed one is worth saying.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("error: cannot read .env: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => return config_error(&e),
    };
    crate::telemetry::init(config.log_format, &config.log_filter);
    // Every streaming model answer holds a blocking thread (ureq) for as long as it streams, so
    // tokio's default of 512 would make answers beyond that wait silently for a free thread
    // (the semaphore admitting CHAT_MAX_CONCURRENT_STREAMS of them would not be the limit). The
    // default's headroom stays for everything else that blocks: password hashing, provider HTTP.
    let blocking_threads = config.chat.max_concurrent_streams + DEFAULT_BLOCKING_THREADS;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(config, args).await,
            Command::Migrate => migrate::run(&config).await,
            Command::Sync {
                provider,
                org,
                user,
                full,
            } => {
                let target = sync::Target {
                    org: org.as_deref(),
                    user: user.as_deref(),
                };
                sync::run(&config, &provider, target, full).await
            }
            Command::Demo { org, size } => demo::run(&config, org.as_deref(), size).await,
            Command::VerifyEmail { email } => verify_email::run(&config, &email).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<NotAvailable>() => {
            eprintln!("{e}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_error(e: &ConfigError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(EXIT_USAGE)
}

/// A command that cannot run as asked (exit code 2, like bad configuration).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct NotAvailable(pub String);
