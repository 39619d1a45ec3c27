//! The blocking Nango API client (ureq): connect sessions, connections and their credentials.
//! Every request carries `Authorization: Bearer <NANGO_SECRET_KEY>`; the key never appears in
//! errors or logs.

use std::time::Duration;

use url::Url;

use super::NangoError;
use super::types::{
    ConnectSession, ConnectSessionEnvelope, ConnectSessionRequest, Connection, ErrorBody,
    ErrorEnvelope,
};
use crate::config::Secret;

/// Upper bound on an error body we read for its message.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// Upper bound on a success body (connections carry raw token responses).
const BODY_LIMIT: u64 = 1024 * 1024;

pub struct NangoClient {
    base: Url,
    secret: Secret<String>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for NangoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NangoClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl NangoClient {
    /// `host` is the Nango API base (`https://api.nango.dev`, or a self-hosted server, possibly
    /// under a path prefix).
    pub fn new(host: &Url, secret_key: Secret<String>) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(20)))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            base: host.clone(),
            secret: secret_key,
            agent,
        }
    }

    /// `POST /connect/sessions`: a session tagged with `request.tags`, limited to
    /// `request.allowed_integrations`.
    pub fn create_connect_session(
        &self,
        request: &ConnectSessionRequest,
    ) -> Result<ConnectSession, NangoError> {
        let url = self.url(&["connect", "sessions"], &[]);
        let resp = self
            .agent
            .post(url.as_str())
            .header("Authorization", &self.bearer())
            .send_json(request)
            .map_err(transport)?;
        let envelope: ConnectSessionEnvelope = self.read(resp)?;
        Ok(envelope.data)
    }

    /// `GET /connections/{id}?provider_config_key=…&force_refresh=…`: the connection and its
    /// credentials (refreshed by Nango when expired, or always with `force_refresh`).
    pub fn get_connection(
        &self,
        connection_id: &str,
        provider_config_key: &str,
        force_refresh: bool,
    ) -> Result<Connection, NangoError> {
        let url = self.url(
            &["connections", connection_id],
            &[
                ("provider_config_key", provider_config_key),
                (
                    "force_refresh",
                    if force_refresh { "true" } else { "false" },
                ),
            ],
        );
        let resp = self
            .agent
            .get(url.as_str())
            .header("Authorization", &self.bearer())
            .call()
            .map_err(transport)?;
        self.read(resp)
    }

    /// `DELETE /connections/{id}?provider_config_key=…`. An unknown connection is
    /// `NangoError::NotFound`, so callers can treat "already gone" as done.
    pub fn delete_connection(
        &self,
        connection_id: &str,
        provider_config_key: &str,
    ) -> Result<(), NangoError> {
        let url = self.url(
            &["connections", connection_id],
            &[("provider_config_key", provider_config_key)],
        );
        let resp = self
            .agent
            .delete(url.as_str())
            .header("Authorization", &self.bearer())
            .call()
            .map_err(transport)?;
        self.read::<serde_json::Value>(resp).map(|_| ())
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.secret.expose())
    }

    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    fn read<T: serde::de::DeserializeOwned>(
        &self,
        mut resp: ureq::http::Response<ureq::Body>,
    ) -> Result<T, NangoError> {
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            return resp
                .body_mut()
                .with_config()
                .limit(BODY_LIMIT)
                .read_json::<T>()
                .map_err(|e| NangoError::Decode(self.redact(e.to_string())));
        }
        let text = resp
            .body_mut()
            .with_config()
            .limit(ERROR_BODY_LIMIT)
            .read_to_string()
            .unwrap_or_default();
        let (code, message) = match serde_json::from_str::<ErrorEnvelope>(&text) {
            Ok(ErrorEnvelope {
                error: ErrorBody::Structured { code, message },
            }) => (code, message),
            Ok(ErrorEnvelope {
                error: ErrorBody::Text(message),
            }) => (None, Some(message)),
            Err(_) => (None, None),
        };
        let code = code.unwrap_or_default();
        let message = self.redact(message.unwrap_or_else(|| {
            if code.is_empty() {
                format!("HTTP {status}")
            } else {
                code.clone()
            }
        }));
        Err(match status {
            401 | 403 => NangoError::Unauthorized { status, message },
            404 => NangoError::NotFound { code, message },
            // Nango answers 400 `unknown_connection` / `unknown_provider_config` for ids it
            // does not know on some routes.
            400 if code.starts_with("unknown_") => NangoError::NotFound { code, message },
            _ => NangoError::Api {
                status,
                code,
                message,
            },
        })
    }

    /// Upstream text never carries the secret key, whatever Nango echoes.
    fn redact(&self, text: String) -> String {
        let secret = self.secret.expose();
        if secret.is_empty() || !text.contains(secret.as_str()) {
            text
        } else {
            text.replace(secret.as_str(), "[redacted]")
        }
    }
}

fn transport(e: ureq::Error) -> NangoError {
    NangoError::Transport(e.to_string())
}
