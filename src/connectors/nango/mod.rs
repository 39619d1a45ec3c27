//! Nango, the OAuth broker in front of every provider: a blocking API client (connect sessions,
//! connections and their credentials), its wire types, webhook verification, and
//! [`NangoCredentials`], which hands connectors a fresh access token.

mod client;
pub mod types;
pub mod webhook;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use client::NangoClient;
pub use types::{
    ConnectSession, ConnectSessionRequest, Connection, ConnectionCredentials, TAG_END_USER_EMAIL,
    TAG_END_USER_ID, TAG_ORGANIZATION_ID, Tags,
};

use super::{ConnectorError, Credentials};

/// A failed Nango call. Messages are Nango's own (never containing the secret key).
#[derive(Debug, thiserror::Error)]
pub enum NangoError {
    /// Nango refused the secret key (401/403): a configuration problem on our side.
    #[error("Nango refused the secret key (HTTP {status}): {message}")]
    Unauthorized { status: u16, message: String },
    /// Unknown connection or integration.
    #[error("Nango does not know this connection: {message}")]
    NotFound { code: String, message: String },
    /// Any other non-success answer.
    #[error("Nango answered HTTP {status} ({code}): {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// Nango could not be reached.
    #[error("Nango is unreachable: {0}")]
    Transport(String),
    /// A success answer we could not read.
    #[error("unexpected answer from Nango: {0}")]
    Decode(String),
}

/// How long a connection Nango handed out is used again before asking Nango anew. Nango
/// refreshes an OAuth token whenever it is fetched within 15 minutes of its expiry, so a token
/// it hands out stays valid for longer than this. Asking before every provider request doubled
/// a sync's HTTP requests; a token rotated or revoked in Nango is still picked up within this
/// window, and at once wherever the provider refuses it (connectors then force a refresh).
const REUSE_FOR: Duration = Duration::from_secs(60);

/// A connection is used again only while its token has at least this long left to live.
const EXPIRY_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The credentials of one Nango connection, fetched from Nango and kept in memory only, for at
/// most [`REUSE_FOR`] (never stored).
#[derive(Debug, Clone)]
pub struct NangoCredentials {
    client: Arc<NangoClient>,
    connection_id: String,
    /// The Nango integration id (provider config key).
    provider_config_key: String,
    fetched: Arc<Mutex<Option<(Instant, Connection)>>>,
}

impl NangoCredentials {
    pub fn new(
        client: Arc<NangoClient>,
        connection_id: String,
        provider_config_key: String,
    ) -> Self {
        Self {
            client,
            connection_id,
            provider_config_key,
            fetched: Arc::default(),
        }
    }

    fn connection(&self, force_refresh: bool) -> Result<Connection, ConnectorError> {
        // Held across the fetch: callers arriving meanwhile reuse its answer instead of each
        // asking Nango.
        let mut fetched = self.fetched.lock().unwrap_or_else(|p| p.into_inner());
        if !force_refresh
            && let Some((at, connection)) = fetched.as_ref()
            && at.elapsed() < REUSE_FOR
        {
            return Ok(connection.clone());
        }
        let connection = self
            .client
            .get_connection(
                &self.connection_id,
                &self.provider_config_key,
                force_refresh,
            )
            .map_err(|e| match e {
                NangoError::NotFound { .. } | NangoError::Unauthorized { .. } => {
                    ConnectorError::Auth(e.to_string())
                }
                other => ConnectorError::Api(other.to_string()),
            })?;
        *fetched = lives_long_enough(&connection).then(|| (Instant::now(), connection.clone()));
        Ok(connection)
    }
}

/// Whether the connection's token outlives the reuse window by a margin (a token without an
/// expiry, such as an API key, does).
fn lives_long_enough(connection: &Connection) -> bool {
    let Some(expires_at) = connection
        .credentials
        .as_ref()
        .and_then(|c| c.expires_at.as_deref())
    else {
        return true;
    };
    chrono::DateTime::parse_from_rfc3339(expires_at)
        .is_ok_and(|at| at.to_utc() > chrono::Utc::now() + EXPIRY_MARGIN + REUSE_FOR)
}

impl Credentials for NangoCredentials {
    fn instance_url(&self) -> Result<Option<String>, ConnectorError> {
        Ok(self.connection(false)?.instance_url().map(str::to_owned))
    }

    fn access_token(&self, force_refresh: bool) -> Result<String, ConnectorError> {
        let connection = self.connection(force_refresh)?;
        connection
            .credentials
            .as_ref()
            .and_then(ConnectionCredentials::token)
            .map(str::to_owned)
            .ok_or_else(|| {
                ConnectorError::Auth(format!(
                    "Nango connection {} has no access token",
                    self.connection_id
                ))
            })
    }
}
