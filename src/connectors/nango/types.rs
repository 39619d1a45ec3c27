//! Nango's wire format: connect sessions, connections with their credentials, error bodies.
//! Only the fields Revtops reads are modelled; everything else is ignored on input.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Connection tags: small key/value strings copied from the connect session onto the connection
/// and into auth webhooks. Revtops sets the three below.
pub type Tags = BTreeMap<String, String>;

pub const TAG_ORGANIZATION_ID: &str = "organization_id";
pub const TAG_END_USER_ID: &str = "end_user_id";
pub const TAG_END_USER_EMAIL: &str = "end_user_email";

/// `POST /connect/sessions` body.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectSessionRequest {
    pub tags: Tags,
    /// Integration ids (provider config keys) the session may connect.
    pub allowed_integrations: Vec<String>,
}

/// `POST /connect/sessions` answers `{"data": {...}}`.
#[derive(Debug, Deserialize)]
pub(super) struct ConnectSessionEnvelope {
    pub data: ConnectSession,
}

/// A short-lived (30 min) session the frontend SDK (or the connect link) uses to authorize.
#[derive(Clone, Deserialize)]
pub struct ConnectSession {
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
    #[serde(default)]
    pub connect_link: Option<String>,
}

impl fmt::Debug for ConnectSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectSession")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// `GET /connections/{id}`: a connection with its (fresh) credentials.
#[derive(Debug, Clone, Deserialize)]
pub struct Connection {
    pub connection_id: String,
    pub provider_config_key: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub tags: Option<Tags>,
    #[serde(default)]
    pub connection_config: serde_json::Value,
    #[serde(default)]
    pub credentials: Option<ConnectionCredentials>,
}

impl Connection {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.as_ref()?.get(key).map(String::as_str)
    }

    /// Salesforce's instance host: in `connection_config`, else in the raw token response.
    pub fn instance_url(&self) -> Option<&str> {
        self.connection_config
            .get("instance_url")
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .or_else(|| self.credentials.as_ref()?.raw_field("instance_url"))
    }
}

/// The credential object; its shape depends on `type` (OAUTH2, API_KEY, APP, …). Kept out of
/// Debug output.
#[derive(Clone, Deserialize)]
pub struct ConnectionCredentials {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default, rename = "apiKey")]
    api_key: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    /// The provider's token response as Nango received it (Salesforce puts `instance_url` here).
    #[serde(default)]
    raw: serde_json::Value,
}

impl ConnectionCredentials {
    /// A string field of the provider's raw token response.
    pub fn raw_field(&self, key: &str) -> Option<&str> {
        self.raw.get(key)?.as_str().filter(|v| !v.is_empty())
    }

    /// The bearer token to call the provider with (OAuth access token, or API key).
    pub fn token(&self) -> Option<&str> {
        self.access_token
            .as_deref()
            .or(self.api_key.as_deref())
            .filter(|t| !t.is_empty())
    }
}

impl fmt::Debug for ConnectionCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionCredentials")
            .field("kind", &self.kind)
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Nango's error body: `{"error": {"code": "...", "message": "..."}}` (message sometimes absent;
/// a few legacy routes answer `{"error": "..."}`).
#[derive(Debug, Deserialize)]
pub(super) struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum ErrorBody {
    Structured {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
    Text(String),
}
