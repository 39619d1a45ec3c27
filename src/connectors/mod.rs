//! Provider connectors: for each provider a blocking HTTP client, its wire types and a pure
//! mapping into the normalized rows of [`rows`]. The sync engine (`crate::sync`) drives them one
//! page at a time through [`Connector`] and owns everything about the database.
//!
//! Connectors are blocking (ureq) like the model clients: the engine calls them on tokio's
//! blocking pool.

pub mod hubspot;
pub mod nango;
pub mod provider;
pub mod rows;

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

/// Told, from the connector's thread, that the provider limits the rate and the connector now
/// waits this long before asking again (the run is throttled, not stuck).
pub type ThrottleNotice = std::sync::Arc<dyn Fn(std::time::Duration) + Send + Sync>;

/// Access tokens for a provider connection, fetched right before use and never stored.
pub trait Credentials: Send + Sync {
    /// The current access token; `force_refresh` asks the broker to refresh it first (once, after
    /// the provider answered 401). Blocking.
    fn access_token(&self, force_refresh: bool) -> Result<String, ConnectorError>;
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
