//! Which connector syncs an integration: the production factory reaches each provider through
//! the credentials Nango holds for the integration's connection, fetched right before use, or
//! through the credential an admin entered directly, opened with CREDENTIALS_KEY.

use std::sync::Arc;

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::SyncError;
use crate::config::{IntegrationsConfig, SyncConfig};
use crate::connectors::direct::{DirectCredential, SealError};
use crate::connectors::google_calendar::{GoogleCalendarConnector, Window as CalendarWindow};
use crate::connectors::hubspot::HubSpotConnector;
use crate::connectors::nango::{NangoClient, NangoCredentials};
use crate::connectors::salesforce::SalesforceConnector;
use crate::connectors::slack::{
    DISTRIBUTED_APP_HISTORY_LIMIT, INTERNAL_APP_HISTORY_LIMIT, SlackConnector,
};
use crate::connectors::{Connector, ConnectorOptions, Credentials, Provider, ThrottleNotice};

/// The integration a run syncs, as the engine reads it.
#[derive(Clone, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::db::schema::integrations)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct IntegrationRef {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub provider: String,
    /// The member a personal connection (a calendar) belongs to; None for organization ones.
    pub user_id: Option<Uuid>,
    pub nango_connection_id: Option<String>,
    /// A directly entered credential: its kind and sealed bytes (see `connectors::direct`).
    pub credential_kind: Option<String>,
    pub credential_ciphertext: Option<Vec<u8>>,
    pub is_active: bool,
    pub sync_cursors: Value,
}

impl std::fmt::Debug for IntegrationRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntegrationRef")
            .field("id", &self.id)
            .field("organization_id", &self.organization_id)
            .field("provider", &self.provider)
            .field("user_id", &self.user_id)
            .field("nango_connection_id", &self.nango_connection_id)
            .field("credential_kind", &self.credential_kind)
            .field("is_active", &self.is_active)
            .finish_non_exhaustive()
    }
}

/// Builds the connector for an integration; a seam so the engine does not know about Nango.
pub trait ConnectorFactory: Send + Sync {
    fn build(
        &self,
        integration: &IntegrationRef,
        cancel: CancellationToken,
        on_throttle: ThrottleNotice,
    ) -> Result<Box<dyn Connector>, SyncError>;
}

/// Production connectors: credentials from Nango, provider hosts from configuration.
pub struct NangoConnectors {
    pub nango: Option<Arc<NangoClient>>,
    pub integrations: IntegrationsConfig,
    pub sync: SyncConfig,
}

impl NangoConnectors {
    /// A Nango client is made from the configuration when NANGO_SECRET_KEY is set.
    pub fn new(integrations: IntegrationsConfig, sync: SyncConfig) -> Arc<Self> {
        let nango = integrations
            .nango_secret_key
            .as_ref()
            .map(|key| Arc::new(NangoClient::new(&integrations.nango_host, key.clone())));
        Self::with_client(nango, integrations, sync)
    }

    pub fn with_client(
        nango: Option<Arc<NangoClient>>,
        integrations: IntegrationsConfig,
        sync: SyncConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            nango,
            integrations,
            sync,
        })
    }
}

impl NangoConnectors {
    /// The integration's credentials: the one an admin entered, else its Nango connection's.
    fn credentials(
        &self,
        integration: &IntegrationRef,
        provider: Provider,
    ) -> Result<Arc<dyn Credentials>, SyncError> {
        if let Some((kind, sealed)) = entered_credential(integration) {
            let key = self
                .integrations
                .credentials_key
                .as_ref()
                .ok_or_else(|| SyncError::Unavailable(SealError::NoKey.to_string()))?;
            let credential =
                DirectCredential::open(key.expose(), integration.organization_id, kind, sealed)
                    .map_err(|e| SyncError::Unavailable(e.to_string()))?;
            if credential.provider() != provider {
                return Err(SyncError::Unavailable(format!(
                    "the stored credential is for {}, not {}",
                    credential.provider().as_str(),
                    provider.as_str()
                )));
            }
            return Ok(credential.into_credentials());
        }
        let nango = self.nango.clone().ok_or_else(|| {
            SyncError::Unavailable(
                "NANGO_SECRET_KEY is not set and no token was entered for this integration: \
                 connect it through Nango or enter a token on the data sources page"
                    .into(),
            )
        })?;
        let connection_id = integration.nango_connection_id.clone().ok_or_else(|| {
            SyncError::Unavailable(format!(
                "the {} integration has no Nango connection; reconnect it",
                integration.provider
            ))
        })?;
        Ok(Arc::new(NangoCredentials::new(
            nango,
            connection_id,
            provider.integration_id(&self.integrations).to_owned(),
        )))
    }
}

/// The credential an admin entered for the integration (kind, sealed), if any: it takes
/// precedence over a Nango connection.
fn entered_credential(integration: &IntegrationRef) -> Option<(&String, &Vec<u8>)> {
    integration
        .credential_kind
        .as_ref()
        .zip(integration.credential_ciphertext.as_ref())
}

impl ConnectorFactory for NangoConnectors {
    fn build(
        &self,
        integration: &IntegrationRef,
        cancel: CancellationToken,
        on_throttle: ThrottleNotice,
    ) -> Result<Box<dyn Connector>, SyncError> {
        let provider = Provider::parse(&integration.provider)
            .filter(|p| p.syncable())
            .ok_or_else(|| {
                SyncError::Unavailable(format!(
                    "syncing {} is not available in this build",
                    integration.provider
                ))
            })?;
        let credentials = self.credentials(integration, provider)?;
        let options = ConnectorOptions::from_config(&self.sync, cancel, on_throttle);
        match provider {
            Provider::Hubspot => Ok(Box::new(HubSpotConnector::new(
                self.integrations.hubspot_base_url.clone(),
                credentials,
                options,
            ))),
            Provider::Salesforce => Ok(Box::new(SalesforceConnector::new(
                self.integrations.salesforce_api_version.clone(),
                credentials,
                options,
            ))),
            Provider::Slack => Ok(Box::new(SlackConnector::new(
                self.integrations.slack_base_url.clone(),
                credentials,
                options,
                self.sync.slack_backfill,
                // A bot token entered directly is the workspace's own app.
                match entered_credential(integration) {
                    Some(_) => INTERNAL_APP_HISTORY_LIMIT,
                    None => DISTRIBUTED_APP_HISTORY_LIMIT,
                },
            ))),
            Provider::GoogleCalendar => Ok(Box::new(GoogleCalendarConnector::new(
                self.integrations.google_calendar_base_url.clone(),
                credentials,
                options,
                CalendarWindow {
                    past: self.sync.calendar_past,
                    future: self.sync.calendar_future,
                },
            ))),
        }
    }
}
