//! Nango, the OAuth broker in front of every provider: a blocking API client (connect sessions,
//! connections and their credentials), its wire types, webhook verification, and
//! [`NangoCredentials`], which hands connectors a fresh access token right before each use.

mod client;
pub mod types;
pub mod webhook;

use std::sync::Arc;

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

/// The credentials of one Nango connection, fetched from Nango right before each use and never
/// stored.
#[derive(Debug, Clone)]
pub struct NangoCredentials {
    pub client: Arc<NangoClient>,
    pub connection_id: String,
    /// The Nango integration id (provider config key).
    pub provider_config_key: String,
}

impl NangoCredentials {
    fn connection(&self, force_refresh: bool) -> Result<Connection, ConnectorError> {
        self.client
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
            })
    }
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
