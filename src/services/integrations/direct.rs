//! Provider credentials entered by an admin instead of a Nango connection: validated, sealed
//! under CREDENTIALS_KEY and recorded on the organization's integration. Nothing here ever
//! returns or logs them; the connector factory is the only reader.

use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::upsert::DecoratableTarget;
use diesel_async::RunQueryDsl;
use url::Url;

use super::{Provider, Scope, authorize};
use crate::config::IntegrationsConfig;
use crate::connectors::direct::DirectCredential;
use crate::db::DbPool;
use crate::db::models::Integration;
use crate::db::schema::integrations;
use crate::services::auth::AuthUser;
use crate::services::{ServiceError, ServiceResult};

/// What the form sends; which fields are needed depends on the provider.
#[derive(Debug, Default)]
pub struct TokenInput {
    pub token: Option<String>,
    pub instance_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Stores `input` as the organization's credential for `provider` (replacing a Nango connection
/// or an earlier token) and activates the integration; the caller queues its first sync.
pub async fn store_token(
    pool: &DbPool,
    config: &IntegrationsConfig,
    user: &AuthUser,
    provider: Provider,
    input: TokenInput,
) -> ServiceResult<Integration> {
    if provider.scope() != Scope::Organization {
        return Err(ServiceError::Invalid(format!(
            "{} is connected by each member through Nango; tokens can be entered for hubspot, \
             slack and salesforce",
            provider.as_str()
        )));
    }
    let owner = authorize(user, provider)?;
    let key = config.credentials_key.as_ref().ok_or_else(|| {
        ServiceError::IntegrationsUnavailable(
            "entering provider tokens is unavailable: this server has no CREDENTIALS_KEY to \
             encrypt them with"
                .into(),
        )
    })?;
    let credential = credential(config, provider, input)?;
    let sealed = credential
        .seal(key.expose(), owner.org)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut conn = pool.get().await?;
    let values = (
        integrations::organization_id.eq(owner.org),
        integrations::provider.eq(provider.as_str()),
        integrations::scope.eq(Scope::Organization.as_str()),
        integrations::credential_kind.eq(credential.kind()),
        integrations::credential_ciphertext.eq(&sealed),
        integrations::is_active.eq(true),
        integrations::created_by.eq(user.user_id),
    );
    // A Nango connection the integration had is detached, not deleted: disconnecting through
    // Nango later is still possible from Nango's dashboard.
    let changes = (
        integrations::credential_kind.eq(credential.kind()),
        integrations::credential_ciphertext.eq(&sealed),
        integrations::nango_connection_id.eq(None::<String>),
        integrations::is_active.eq(true),
        integrations::last_error.eq(None::<String>),
        integrations::updated_at.eq(diesel::dsl::now),
    );
    Ok(diesel::insert_into(integrations::table)
        .values(values)
        .on_conflict((integrations::organization_id, integrations::provider))
        .filter_target(diesel::dsl::sql::<Bool>("scope = 'organization'"))
        .do_update()
        .set(changes)
        .returning(Integration::as_returning())
        .get_result(&mut conn)
        .await?)
}

fn required(field: &'static str, value: Option<String>) -> ServiceResult<String> {
    let value = value.map(|v| v.trim().to_owned()).unwrap_or_default();
    if value.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} is required")));
    }
    if value.chars().count() > 4096 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ServiceError::Invalid(format!(
            "{field} must be at most 4096 characters without spaces"
        )));
    }
    Ok(value)
}

fn credential(
    config: &IntegrationsConfig,
    provider: Provider,
    input: TokenInput,
) -> ServiceResult<DirectCredential> {
    match provider {
        Provider::Hubspot => Ok(DirectCredential::HubspotPrivateApp {
            token: required("token", input.token)?,
        }),
        Provider::Slack => {
            let token = required("token", input.token)?;
            if !token.starts_with("xoxb-") {
                return Err(ServiceError::Invalid(
                    "a Slack bot token starts with xoxb- (find it under OAuth & Permissions in \
                     the Slack app's settings); user and app-level tokens cannot read channels \
                     as the bot"
                        .into(),
                ));
            }
            Ok(DirectCredential::SlackBotToken { token })
        }
        Provider::Salesforce => Ok(DirectCredential::SalesforceClientCredentials {
            instance_url: instance_url(config, &required("instance_url", input.instance_url)?)?,
            client_id: required("client_id", input.client_id)?,
            client_secret: required("client_secret", input.client_secret)?,
        }),
        Provider::GoogleCalendar => Err(ServiceError::Invalid(
            "google_calendar has no directly entered tokens".into(),
        )),
    }
}

/// The server will call this URL, so only Salesforce's own domains (or hosts the operator
/// listed in SALESFORCE_INSTANCE_HOSTS) are accepted.
fn instance_url(config: &IntegrationsConfig, raw: &str) -> ServiceResult<String> {
    let invalid = || {
        ServiceError::Invalid(format!(
            "instance_url must be your Salesforce My Domain URL, such as \
             https://acme.my.salesforce.com (got {raw:?})"
        ))
    };
    let url = Url::parse(raw).map_err(|_| invalid())?;
    let host = url.host_str().ok_or_else(invalid)?.to_ascii_lowercase();
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    let allowed = config.salesforce_instance_hosts.iter().any(|entry| {
        if entry.starts_with('.') {
            url.scheme() == "https" && url.port().is_none() && host.ends_with(entry.as_str())
        } else {
            matches!(url.scheme(), "https" | "http") && host == *entry
        }
    });
    if !allowed || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid());
    }
    Ok(format!("{}://{host}", url.scheme()))
}
