//! Runtime configuration: read once from the environment (and an optional `.env`) into a typed
//! struct that is passed down explicitly. Every variable read here is documented in `env.example`.

use std::net::SocketAddr;
use std::time::Duration;

use url::Url;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/revtops";
pub const DEFAULT_BIND_ADDR: &str = "0.0.0.0:8000";
/// The role migrations create for analytics SQL.
pub const ANALYTICS_ROLE: &str = "revtops_analytics";

mod accounts;
mod limits;
#[cfg(test)]
mod tests;
mod values;
mod vars;

pub use accounts::{AccountsConfig, SignupPolicy};
pub use limits::{LimitsConfig, TrustedProxies};

pub use values::{DatabaseUrl, Secret};
use vars::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Email + password accounts with Revtops-issued JWTs (self-hosting).
    Local,
    /// Google sign-in through Supabase; Revtops verifies Supabase access tokens.
    Supabase,
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub mode: AuthMode,
    pub supabase_url: Option<Url>,
    pub supabase_jwks_url: Option<Url>,
    pub supabase_jwt_secret: Option<Secret<String>>,
    /// The project's public (anon) key: the browser needs it to start Google sign-in.
    pub supabase_anon_key: Option<String>,
    pub jwt_secret: Option<Secret<String>>,
    /// How long a verified session is reused without reading the database (0: never).
    pub session_cache: Duration,
}

/// Limits and the login of the analytics SQL engine (agent tool, SQL explorer, live artifacts).
#[derive(Debug, Clone)]
pub struct SqlConfig {
    /// Login of the analytics role: a member of nothing with SELECT on the analytics tables only.
    pub database_url: DatabaseUrl,
    pub pool_size: usize,
    pub statement_timeout: Duration,
    pub max_rows: usize,
    pub max_result_bytes: usize,
    /// Analytics connections one organization may hold at once (its fair share of the pool).
    pub org_concurrency: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LlmProvider {
    Anthropic {
        base_url: Url,
        api_key: Secret<String>,
    },
    OpenAi {
        base_url: Url,
        api_key: Option<Secret<String>>,
    },
}

/// The chat agent: which model, and the limits of one run.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// None: chat answers with a "no model configured" frame naming these settings.
    pub provider: Option<LlmProvider>,
    pub model: String,
    pub max_tokens: u32,
    pub max_iterations: usize,
    pub token_budget: u64,
    pub max_concurrent_streams: usize,
    pub max_frame_bytes: usize,
    /// Questions one user may ask per minute (all sockets and replicas together, via the cache).
    pub questions_per_minute: i64,
    /// Model tokens (input + output) one organization may spend per UTC day; 0: no cap.
    pub daily_tokens_per_org: u64,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub database_pool_size: usize,
    pub auto_migrate: bool,
    pub redis_url: Option<Secret<Url>>,
    pub bind_addr: SocketAddr,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub max_body_bytes: usize,
    pub shutdown_timeout: Duration,
    /// The one origin allowed to call the API from another origin (the Vite dev server, a
    /// separately hosted UI); None: same-origin only.
    pub frontend_url: Option<Url>,
    /// Whether `GET /api/health` names the build's git revision (it tells an attacker which
    /// code runs, so only on request).
    pub health_shows_revision: bool,
    /// How long a healthy `GET /api/health` answer is reused, so a load balancer polling it
    /// costs no database round trip per call (0: probe every time).
    pub health_cache: Duration,
    pub auth: AuthConfig,
    pub accounts: AccountsConfig,
    pub limits: LimitsConfig,
    pub sql: SqlConfig,
    pub chat: ChatConfig,
    pub integrations: IntegrationsConfig,
    pub sync: SyncConfig,
}

/// Nango (OAuth broker for every provider) and the provider API hosts.
#[derive(Debug, Clone)]
pub struct IntegrationsConfig {
    pub nango_host: Url,
    /// Where Nango's Connect UI (the iframe the web app opens) is served from.
    pub nango_connect_url: Url,
    /// None: connecting providers is unavailable (endpoints answer 503 naming the variable).
    pub nango_secret_key: Option<Secret<String>>,
    /// Signing key of Nango webhooks; None disables the webhook receiver.
    pub nango_webhook_secret: Option<Secret<String>>,
    pub hubspot_integration_id: String,
    pub salesforce_integration_id: String,
    pub slack_integration_id: String,
    pub google_calendar_integration_id: String,
    pub hubspot_base_url: Url,
    /// Salesforce REST API version (`v62.0`); the host is the connection's `instance_url`.
    pub salesforce_api_version: String,
    /// Hosts an admin may enter as a Salesforce `instance_url` (the server calls it): `.x.com`
    /// entries match that domain's subdomains over https; other entries match exactly, over
    /// http or https (a proxy or a test double).
    pub salesforce_instance_hosts: Vec<String>,
    /// Slack Web API base (`https://slack.com/api`).
    pub slack_base_url: Url,
    /// Google Calendar API v3 base (`https://www.googleapis.com/calendar/v3`).
    pub google_calendar_base_url: Url,
    /// Encrypts direct provider tokens at rest (32 bytes); None: direct tokens are unavailable.
    pub credentials_key: Option<Secret<[u8; 32]>>,
}

/// The background sync engine.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// How often the scheduler enqueues an incremental sync of every active integration.
    pub interval: Duration,
    /// Sync workers inside `serve` (0: this replica runs none).
    pub workers: usize,
    /// A running sync whose heartbeat is older than this is taken over by another worker.
    pub stale_after: Duration,
    /// First retry delay of provider calls (doubles per attempt, with jitter).
    pub retry_base: Duration,
    /// Attempts per provider call before the run fails.
    pub max_attempts: u32,
    /// How far back a first Slack sync reads channel history.
    pub slack_backfill: Duration,
    /// The window of a full calendar sync: this far back and this far ahead of now.
    pub calendar_past: Duration,
    pub calendar_future: Duration,
}

/// One invalid variable: rendered as a single line naming it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the process environment (after `.env`, which the CLI loads first).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars { lookup };
        let database_url = vars.parse(
            "DATABASE_URL",
            DatabaseUrl::parse(DEFAULT_DATABASE_URL).expect("default URL is valid"),
            DatabaseUrl::parse,
        )?;
        let database_pool_size = vars.parse("DATABASE_POOL_SIZE", 16, parse_number(1, 1024))?;
        let auto_migrate = vars.parse("AUTO_MIGRATE", true, parse_bool)?;
        let redis_url = vars.optional("REDIS_URL", parse_redis_url)?;

        let port = vars.optional("PORT", parse_number(1u16, u16::MAX))?;
        let default_bind: SocketAddr = match port {
            Some(port) => SocketAddr::from(([0, 0, 0, 0], port)),
            None => DEFAULT_BIND_ADDR.parse().expect("default address is valid"),
        };
        let bind_addr = vars.parse("BIND_ADDR", default_bind, parse_socket_addr)?;

        let log_format = vars.parse("LOG_FORMAT", LogFormat::Pretty, |raw| {
            match raw.to_ascii_lowercase().as_str() {
                "pretty" | "text" => Ok(LogFormat::Pretty),
                "json" => Ok(LogFormat::Json),
                _ => Err(format!("expected `pretty` or `json`, got `{raw}`")),
            }
        })?;
        let log_filter = vars.parse("RUST_LOG", "info".to_owned(), |raw| {
            tracing_subscriber::EnvFilter::try_new(raw)
                .map(|_| raw.to_owned())
                .map_err(|e| e.to_string())
        })?;
        let max_body_bytes = vars.parse("MAX_BODY_BYTES", 1 << 20, parse_number(1024, 1 << 30))?;
        let shutdown_timeout = Duration::from_secs(vars.parse(
            "SHUTDOWN_TIMEOUT_SECS",
            30,
            parse_number(0u64, 3600),
        )?);

        let frontend_url = vars.optional("FRONTEND_URL", parse_http_url)?;
        let health_shows_revision = vars.parse("HEALTH_SHOWS_REVISION", false, parse_bool)?;
        let health_cache = Duration::from_millis(vars.parse(
            "HEALTH_CACHE_MS",
            1_000,
            parse_number(0u64, 600_000),
        )?);
        let auth = Self::auth(&vars)?;
        let limits = limits::limits(&vars)?;
        let accounts = accounts::accounts(&vars)?;
        let sql = Self::sql(&vars, &database_url)?;
        let chat = Self::chat(&vars)?;
        let integrations = Self::integrations(&vars)?;
        let sync = Self::sync(&vars)?;
        Ok(Self {
            database_url,
            database_pool_size,
            auto_migrate,
            redis_url,
            bind_addr,
            log_format,
            log_filter,
            max_body_bytes,
            shutdown_timeout,
            frontend_url,
            health_shows_revision,
            health_cache,
            auth,
            accounts,
            limits,
            sql,
            chat,
            integrations,
            sync,
        })
    }

    fn integrations<F: Fn(&str) -> Option<String>>(
        vars: &Vars<F>,
    ) -> Result<IntegrationsConfig, ConfigError> {
        let id = |var: &'static str, default: &str| {
            vars.parse(var, default.to_owned(), |raw| Ok(raw.to_owned()))
        };
        Ok(IntegrationsConfig {
            nango_host: vars.parse(
                "NANGO_HOST",
                Url::parse("https://api.nango.dev").expect("valid URL"),
                parse_http_url,
            )?,
            nango_connect_url: vars.parse(
                "NANGO_CONNECT_URL",
                Url::parse("https://connect.nango.dev").expect("valid URL"),
                parse_http_url,
            )?,
            nango_secret_key: vars
                .optional("NANGO_SECRET_KEY", |raw| Ok(Secret::new(raw.to_owned())))?,
            nango_webhook_secret: vars.optional("NANGO_WEBHOOK_SECRET", parse_secret(8))?,
            hubspot_integration_id: id("NANGO_HUBSPOT_INTEGRATION_ID", "hubspot")?,
            salesforce_integration_id: id("NANGO_SALESFORCE_INTEGRATION_ID", "salesforce")?,
            slack_integration_id: id("NANGO_SLACK_INTEGRATION_ID", "slack")?,
            google_calendar_integration_id: id(
                "NANGO_GOOGLE_CALENDAR_INTEGRATION_ID",
                "google-calendar",
            )?,
            hubspot_base_url: vars.parse(
                "HUBSPOT_BASE_URL",
                Url::parse("https://api.hubapi.com").expect("valid URL"),
                parse_http_url,
            )?,
            salesforce_api_version: vars.parse(
                "SALESFORCE_API_VERSION",
                "v62.0".to_owned(),
                parse_salesforce_version,
            )?,
            salesforce_instance_hosts: vars.parse(
                "SALESFORCE_INSTANCE_HOSTS",
                [
                    ".salesforce.com",
                    ".force.com",
                    ".cloudforce.com",
                    ".salesforce.mil",
                ]
                .map(str::to_owned)
                .to_vec(),
                parse_host_list,
            )?,
            slack_base_url: vars.parse(
                "SLACK_BASE_URL",
                Url::parse("https://slack.com/api").expect("valid URL"),
                parse_http_url,
            )?,
            google_calendar_base_url: vars.parse(
                "GOOGLE_CALENDAR_BASE_URL",
                Url::parse("https://www.googleapis.com/calendar/v3").expect("valid URL"),
                parse_http_url,
            )?,
            credentials_key: vars.optional("CREDENTIALS_KEY", parse_key)?,
        })
    }

    fn sync<F: Fn(&str) -> Option<String>>(vars: &Vars<F>) -> Result<SyncConfig, ConfigError> {
        Ok(SyncConfig {
            interval: vars.parse("SYNC_INTERVAL", Duration::from_secs(900), |raw| {
                parse_duration(
                    raw,
                    Duration::from_secs(10),
                    Duration::from_secs(7 * 86_400),
                )
            })?,
            workers: vars.parse("SYNC_WORKERS", 2, parse_number(0, 64))?,
            stale_after: Duration::from_secs(vars.parse(
                "SYNC_STALE_AFTER_SECS",
                120,
                parse_number(5u64, 86_400),
            )?),
            retry_base: Duration::from_millis(vars.parse(
                "SYNC_RETRY_BASE_MS",
                1_000,
                parse_number(1u64, 60_000),
            )?),
            max_attempts: vars.parse("SYNC_MAX_ATTEMPTS", 6, parse_number(1u32, 20))?,
            slack_backfill: days(vars.parse(
                "SLACK_BACKFILL_DAYS",
                90,
                parse_number(1u64, 3650),
            )?),
            calendar_past: days(vars.parse(
                "GOOGLE_CALENDAR_DAYS_BACK",
                90,
                parse_number(0u64, 3650),
            )?),
            calendar_future: days(vars.parse(
                "GOOGLE_CALENDAR_DAYS_AHEAD",
                30,
                parse_number(0u64, 3650),
            )?),
        })
    }

    fn chat<F: Fn(&str) -> Option<String>>(vars: &Vars<F>) -> Result<ChatConfig, ConfigError> {
        let anthropic_key =
            vars.optional("ANTHROPIC_API_KEY", |raw| Ok(Secret::new(raw.to_owned())))?;
        let anthropic_url = vars.parse(
            "ANTHROPIC_BASE_URL",
            Url::parse("https://api.anthropic.com").expect("valid URL"),
            parse_http_url,
        )?;
        let openai_url = vars.optional("OPENAI_BASE_URL", parse_http_url)?;
        let openai_key = vars.optional("OPENAI_API_KEY", |raw| Ok(Secret::new(raw.to_owned())))?;
        let default_provider = if anthropic_key.is_some() {
            "anthropic"
        } else if openai_url.is_some() {
            "openai"
        } else {
            "none"
        };
        let chosen = vars.parse("LLM_PROVIDER", default_provider.to_owned(), |raw| match raw
            .to_ascii_lowercase()
            .as_str()
        {
            p @ ("anthropic" | "openai" | "none") => Ok(p.to_owned()),
            _ => Err(format!(
                "expected `anthropic`, `openai` or `none`, got `{raw}`"
            )),
        })?;
        let provider = match chosen.as_str() {
            "anthropic" => Some(LlmProvider::Anthropic {
                base_url: anthropic_url,
                api_key: anthropic_key.ok_or(ConfigError {
                    var: "ANTHROPIC_API_KEY",
                    reason: "required when LLM_PROVIDER=anthropic".into(),
                })?,
            }),
            "openai" => Some(LlmProvider::OpenAi {
                base_url: openai_url.ok_or(ConfigError {
                    var: "OPENAI_BASE_URL",
                    reason: "required when LLM_PROVIDER=openai".into(),
                })?,
                api_key: openai_key,
            }),
            _ => None,
        };
        Ok(ChatConfig {
            provider,
            model: vars.parse("LLM_MODEL", "claude-opus-4-5".to_owned(), |raw| {
                Ok(raw.to_owned())
            })?,
            max_tokens: vars.parse("LLM_MAX_TOKENS", 4096, parse_number(256, 128_000))?,
            max_iterations: vars.parse("CHAT_MAX_ITERATIONS", 8, parse_number(1, 50))?,
            token_budget: vars.parse(
                "CHAT_TOKEN_BUDGET",
                400_000,
                parse_number(1_000u64, 10_000_000),
            )?,
            max_concurrent_streams: vars.parse(
                "CHAT_MAX_CONCURRENT_STREAMS",
                256,
                parse_number(1, 10_000),
            )?,
            max_frame_bytes: vars.parse(
                "WS_MAX_FRAME_BYTES",
                64 * 1024,
                parse_number(1024, 16 << 20),
            )?,
            questions_per_minute: vars.parse(
                "CHAT_QUESTIONS_PER_MINUTE",
                20,
                parse_number(1i64, 10_000),
            )?,
            daily_tokens_per_org: vars.parse(
                "CHAT_DAILY_TOKENS_PER_ORG",
                5_000_000,
                parse_number(0u64, u64::MAX),
            )?,
        })
    }

    fn sql<F: Fn(&str) -> Option<String>>(
        vars: &Vars<F>,
        main: &DatabaseUrl,
    ) -> Result<SqlConfig, ConfigError> {
        let password = vars.optional("ANALYTICS_DATABASE_PASSWORD", |raw| Ok(raw.to_owned()))?;
        let derived = main.with_login(ANALYTICS_ROLE, password.as_deref());
        let pool_size = vars.parse("ANALYTICS_POOL_SIZE", 8, parse_number(1, 256))?;
        Ok(SqlConfig {
            database_url: vars.parse("ANALYTICS_DATABASE_URL", derived, DatabaseUrl::parse)?,
            pool_size,
            statement_timeout: Duration::from_millis(vars.parse(
                "SQL_STATEMENT_TIMEOUT_MS",
                10_000,
                parse_number(100u64, 600_000),
            )?),
            max_rows: vars.parse("SQL_MAX_ROWS", 1_000, parse_number(1, 100_000))?,
            max_result_bytes: vars.parse(
                "SQL_MAX_RESULT_BYTES",
                5 << 20,
                parse_number(1024, 256 << 20),
            )?,
            org_concurrency: vars.parse(
                "ANALYTICS_ORG_CONCURRENCY",
                (pool_size / 2).max(1),
                parse_number(1, 256),
            )?,
        })
    }

    fn auth<F: Fn(&str) -> Option<String>>(vars: &Vars<F>) -> Result<AuthConfig, ConfigError> {
        let supabase_url = vars.optional("SUPABASE_URL", parse_http_url)?;
        let supabase_jwks_url = vars.optional("SUPABASE_JWKS_URL", parse_http_url)?;
        let supabase_jwt_secret = vars.optional("SUPABASE_JWT_SECRET", parse_secret(32))?;
        let supabase_anon_key =
            vars.optional("SUPABASE_ANON_KEY", |raw| Ok(raw.trim().to_owned()))?;
        let jwt_secret = vars.optional("JWT_SECRET", parse_secret(32))?;
        let session_cache = Duration::from_millis(vars.parse(
            "SESSION_CACHE_MS",
            5_000,
            parse_number(0u64, 60_000),
        )?);
        let default_mode = if supabase_url.is_some() {
            AuthMode::Supabase
        } else {
            AuthMode::Local
        };
        let mode = vars.parse("AUTH_MODE", default_mode, |raw| {
            match raw.to_ascii_lowercase().as_str() {
                "local" => Ok(AuthMode::Local),
                "supabase" => Ok(AuthMode::Supabase),
                _ => Err(format!("expected `local` or `supabase`, got `{raw}`")),
            }
        })?;
        if mode == AuthMode::Supabase && supabase_url.is_none() {
            return Err(ConfigError {
                var: "SUPABASE_URL",
                reason: "required when AUTH_MODE=supabase".into(),
            });
        }
        Ok(AuthConfig {
            mode,
            supabase_url,
            supabase_jwks_url,
            supabase_jwt_secret,
            supabase_anon_key,
            jwt_secret,
            session_cache,
        })
    }
}
