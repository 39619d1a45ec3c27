//! Provider connectors: for each provider a blocking HTTP client, its wire types and a pure
//! mapping into the normalized rows of [`rows`]. The sync engine (`crate::sync`) drives them one
//! page at a time through [`Connector`] and owns everything about the database.
//!
//! Connectors are blocking (ureq) like the model clients: the engine calls them on tokio's
//! blocking pool.

pub mod direct;
pub mod google_calendar;
pub mod hubspot;
pub mod nango;
pub mod provider;
pub mod retry;
pub mod rows;
pub mod salesforce;
pub mod slack;

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use serde_json::Value;

pub use provider::{Provider, Scope};
pub use rows::Rows;

/// Which normalized table an object's rows land in; objects are synced in the connector's order,
/// so rows can reference rows of earlier objects by source id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Users,
    PipelineStages,
    Accounts,
    Contacts,
    Deals,
    Activities,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::PipelineStages => "pipeline_stages",
            Self::Accounts => "accounts",
            Self::Contacts => "contacts",
            Self::Deals => "deals",
            Self::Activities => "activities",
        }
    }
}

/// One provider object a connector syncs (e.g. HubSpot `deals`, `calls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectSpec {
    /// Stable key: names the cursor in `integrations.sync_cursors` and the counts of a run.
    pub name: &'static str,
    pub table: Table,
}

/// A provider record the mapping could not use: counted on the run and skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    pub source_id: Option<String>,
    pub reason: String,
}

/// One page of one object.
#[derive(Debug)]
pub struct Page {
    pub rows: Rows,
    pub skipped: Vec<SkippedRecord>,
    /// Persisted in the same transaction as this page's rows; handed back on the next call (also
    /// after a crash), so the object resumes right after the last committed page.
    pub cursor: Value,
    /// The object is caught up: `cursor` is what the next run starts from.
    pub done: bool,
}

/// Failures that end a run (everything transient was already retried by the client).
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The credentials were refused even after one refresh, or cannot be obtained.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// A quota that waiting seconds will not fix (e.g. HubSpot's DAILY policy).
    #[error("rate limit exhausted: {0}")]
    RateLimited(String),
    /// Retries exhausted, or a response that retrying cannot fix.
    #[error("{0}")]
    Api(String),
    /// The run was cancelled (shutdown) between two requests.
    #[error("cancelled")]
    Cancelled,
}

/// The provider limits the rate: the connector waits `wait` before asking again (the run is
/// throttled, not stuck), and, when it can tell, expects to be done in about `done_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub wait: Duration,
    pub done_in: Option<Duration>,
}

/// Told, from the connector's thread, each time the provider holds the run back.
pub type ThrottleNotice = std::sync::Arc<dyn Fn(Throttle) + Send + Sync>;

/// What every connector is given besides its credentials.
#[derive(Clone)]
pub struct ConnectorOptions {
    /// First retry delay (doubles per attempt, with jitter).
    pub retry_base: Duration,
    /// Attempts per request before the run fails.
    pub max_attempts: u32,
    /// How far before the last change seen the next incremental run starts.
    pub overlap: Duration,
    /// Checked between requests and while waiting to retry.
    pub cancel: CancellationToken,
    /// Told when the provider's rate limit makes the connector wait.
    pub on_throttle: Option<ThrottleNotice>,
}

impl ConnectorOptions {
    pub fn from_config(
        sync: &crate::config::SyncConfig,
        cancel: CancellationToken,
        on_throttle: ThrottleNotice,
    ) -> Self {
        Self {
            retry_base: sync.retry_base,
            max_attempts: sync.max_attempts,
            overlap: Duration::from_secs(300),
            cancel,
            on_throttle: Some(on_throttle),
        }
    }
}

impl Default for ConnectorOptions {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_millis(500),
            max_attempts: 6,
            overlap: Duration::from_secs(300),
            cancel: CancellationToken::new(),
            on_throttle: None,
        }
    }
}

/// Access tokens for a provider connection, fetched right before use and never stored.
pub trait Credentials: Send + Sync {
    /// The current access token; `force_refresh` asks the broker to refresh it first (once, after
    /// the provider answered 401). Blocking.
    fn access_token(&self, force_refresh: bool) -> Result<String, ConnectorError>;

    /// Where the provider serves this connection when it is not a fixed host (Salesforce's
    /// `instance_url`); None: the configured host. Blocking.
    fn instance_url(&self) -> Result<Option<String>, ConnectorError> {
        Ok(None)
    }
}

/// A provider's sync contract.
pub trait Connector: Send + Sync {
    fn provider(&self) -> &'static str;
    /// The objects to sync, in dependency order.
    fn objects(&self) -> &'static [ObjectSpec];
    /// Fetches the page that follows `cursor` (`Value::Null`: nothing synced yet, a full backfill).
    /// Blocking.
    fn fetch_page(&self, object: &ObjectSpec, cursor: &Value) -> Result<Page, ConnectorError>;
}
