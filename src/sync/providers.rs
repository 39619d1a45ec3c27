//! Which connector syncs an integration: the production factory reaches each provider through
//! the credentials Nango holds for the integration's connection.

use std::sync::Arc;

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::SyncError;
use crate::config::{IntegrationsConfig, SyncConfig};
use crate::connectors::Connector;

/// Providers an organization can connect; the string is the `integrations.provider` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Hubspot,
    Salesforce,
    Slack,
    GoogleCalendar,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Self::Hubspot,
        Self::Salesforce,
        Self::Slack,
        Self::GoogleCalendar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hubspot => "hubspot",
            Self::Salesforce => "salesforce",
            Self::Slack => "slack",
            Self::GoogleCalendar => "google_calendar",
        }
    }

    /// Accepts the stored name and the Nango-style spelling (`google-calendar`).
    pub fn parse(raw: &str) -> Option<Self> {
        let norm = raw.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|p| p.as_str() == norm)
    }

    /// Whether this build has a connector that can sync it.
    pub fn syncable(self) -> bool {
        matches!(self, Self::Hubspot)
    }
}

/// The integration a run syncs, as the engine reads it.
#[derive(Debug, Clone)]
pub struct IntegrationRef {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub provider: String,
    pub nango_connection_id: Option<String>,
    pub is_active: bool,
    pub sync_cursors: Value,
}

/// Builds the connector for an integration; a seam so the engine does not know about Nango.
pub trait ConnectorFactory: Send + Sync {
    fn build(
        &self,
        integration: &IntegrationRef,
        cancel: CancellationToken,
    ) -> Result<Box<dyn Connector>, SyncError>;
}

/// Production connectors: credentials from Nango, provider hosts from configuration.
pub struct NangoConnectors {
    pub integrations: IntegrationsConfig,
    pub sync: SyncConfig,
}

impl NangoConnectors {
    pub fn new(integrations: IntegrationsConfig, sync: SyncConfig) -> Arc<Self> {
        Arc::new(Self { integrations, sync })
    }
}

impl ConnectorFactory for NangoConnectors {
    fn build(
        &self,
        integration: &IntegrationRef,
        _cancel: CancellationToken,
    ) -> Result<Box<dyn Connector>, SyncError> {
        Err(SyncError::Unavailable(format!(
            "syncing {} is not available in this build",
            integration.provider
        )))
    }
}
