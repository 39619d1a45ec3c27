//! Provider credentials an admin enters directly, for self-hosters without Nango: a HubSpot
//! private-app token, a Slack bot token, or a Salesforce connected app's client credentials.
//! They are sealed with AES-256-GCM under CREDENTIALS_KEY before they reach the database, bound
//! (as associated data) to their organization and kind so a ciphertext copied onto another row
//! does not open, and opened only by the connector factory right before a run.

mod salesforce_oauth;

use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use salesforce_oauth::SalesforceClientCredentials;

use super::{ConnectorError, Credentials, Provider};

/// A credential as entered. Debug never shows the secret parts.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DirectCredential {
    HubspotPrivateApp {
        token: String,
    },
    SlackBotToken {
        token: String,
    },
    SalesforceClientCredentials {
        instance_url: String,
        client_id: String,
        client_secret: String,
    },
}

impl fmt::Debug for DirectCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DirectCredential({}, [redacted])", self.kind())
    }
}

/// Why a stored credential cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("CREDENTIALS_KEY is not set, so directly entered provider tokens cannot be used")]
    NoKey,
    #[error(
        "the stored credential cannot be opened with the configured CREDENTIALS_KEY (was the key \
         changed?); an admin must enter it again"
    )]
    Unreadable,
    #[error("cannot seal the credential: the system's random source failed")]
    Random,
}

impl DirectCredential {
    /// The `integrations.credential_kind` value.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::HubspotPrivateApp { .. } => "hubspot_private_app",
            Self::SlackBotToken { .. } => "slack_bot_token",
            Self::SalesforceClientCredentials { .. } => "salesforce_client_credentials",
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            Self::HubspotPrivateApp { .. } => Provider::Hubspot,
            Self::SlackBotToken { .. } => Provider::Slack,
            Self::SalesforceClientCredentials { .. } => Provider::Salesforce,
        }
    }

    /// `nonce ‖ ciphertext ‖ tag`.
    pub fn seal(&self, key: &[u8; 32], org: Uuid) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        // A fresh random nonce per seal: 96 bits make a collision under one key negligible at
        // the handful of credentials an organization stores.
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealError::Random)?;
        let mut sealed = serde_json::to_vec(self).map_err(|_| SealError::Random)?;
        let aad = associated_data(org, self.kind());
        cipher(key)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| SealError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Self::seal`] produced for `org` and `kind`.
    pub fn open(key: &[u8; 32], org: Uuid, kind: &str, sealed: &[u8]) -> Result<Self, SealError> {
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Unreadable);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Unreadable)?;
        let mut body = body.to_vec();
        let aad = associated_data(org, kind);
        let plain = cipher(key)
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut body)
            .map_err(|_| SealError::Unreadable)?;
        let credential: Self = serde_json::from_slice(plain).map_err(|_| SealError::Unreadable)?;
        if credential.kind() != kind {
            return Err(SealError::Unreadable);
        }
        Ok(credential)
    }

    /// The connector's credentials.
    pub fn into_credentials(self) -> std::sync::Arc<dyn Credentials> {
        match self {
            Self::HubspotPrivateApp { token } => std::sync::Arc::new(StaticToken {
                token,
                provider: "HubSpot",
            }),
            Self::SlackBotToken { token } => std::sync::Arc::new(StaticToken {
                token,
                provider: "Slack",
            }),
            Self::SalesforceClientCredentials {
                instance_url,
                client_id,
                client_secret,
            } => std::sync::Arc::new(SalesforceClientCredentials::new(
                instance_url,
                client_id,
                client_secret,
            )),
        }
    }
}

fn cipher(key: &[u8; 32]) -> LessSafeKey {
    let Ok(key) = UnboundKey::new(&AES_256_GCM, key) else {
        unreachable!("a 32-byte key is a valid AES-256 key")
    };
    LessSafeKey::new(key)
}

fn associated_data(org: Uuid, kind: &str) -> String {
    format!("revtops/credential/v1/{org}/{kind}")
}

/// A token that does not expire and cannot be refreshed (private-app and bot tokens): when the
/// provider refuses it, an admin has to enter a new one.
struct StaticToken {
    token: String,
    provider: &'static str,
}

impl Credentials for StaticToken {
    fn access_token(&self, force_refresh: bool) -> Result<String, ConnectorError> {
        if force_refresh {
            return Err(ConnectorError::Auth(format!(
                "{} refused the token an admin entered; enter a valid one on the data sources page",
                self.provider
            )));
        }
        Ok(self.token.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn slack() -> DirectCredential {
        DirectCredential::SlackBotToken {
            token: "xoxb-123-secret".into(),
        }
    }

    #[test]
    fn sealed_credentials_open_only_for_their_org_kind_and_key() {
        let org = Uuid::new_v4();
        let sealed = slack().seal(&KEY, org).unwrap();
        assert!(
            !sealed.windows(6).any(|w| w == b"secret"),
            "no plaintext at rest"
        );
        assert_eq!(
            DirectCredential::open(&KEY, org, "slack_bot_token", &sealed),
            Ok(slack())
        );
        assert_ne!(
            sealed,
            slack().seal(&KEY, org).unwrap(),
            "fresh nonce per seal"
        );
        let unreadable = Err(SealError::Unreadable);
        assert_eq!(
            DirectCredential::open(&KEY, Uuid::new_v4(), "slack_bot_token", &sealed),
            unreadable
        );
        assert_eq!(
            DirectCredential::open(&KEY, org, "hubspot_private_app", &sealed),
            unreadable
        );
        assert_eq!(
            DirectCredential::open(&[8; 32], org, "slack_bot_token", &sealed),
            unreadable
        );
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(
            DirectCredential::open(&KEY, org, "slack_bot_token", &tampered),
            unreadable
        );
        assert_eq!(
            DirectCredential::open(&KEY, org, "slack_bot_token", &sealed[..5]),
            unreadable
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!("{:?}", slack());
        assert!(!text.contains("secret") && text.contains("slack_bot_token"));
    }

    #[test]
    fn static_tokens_cannot_be_refreshed() {
        let credentials = slack().into_credentials();
        assert_eq!(credentials.access_token(false).unwrap(), "xoxb-123-secret");
        let err = credentials.access_token(true).unwrap_err().to_string();
        assert!(err.contains("enter a valid one"), "{err}");
        assert!(!err.contains("secret"));
    }
}
