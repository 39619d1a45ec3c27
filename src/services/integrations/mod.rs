//! Provider connections through Nango: what can be connected, connect sessions tagged with the
//! caller's organization and user, recording a connection only after Nango confirms it carries
//! those tags, listing and disconnecting. Organization-scope providers (HubSpot, Salesforce,
//! Slack) are connected by admins; user-scope ones (Google Calendar) by each member for
//! themselves. The organization always comes from the caller's user row. Syncing is not done
//! here: the API layer enqueues it with the integration this module returns.

mod direct;
mod sharing;
mod webhook;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::upsert::{DecoratableTarget, excluded};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub use crate::connectors::{Provider, Scope};
pub use direct::{TokenInput, store_token};
pub use sharing::set_shared;
pub use webhook::{WebhookOutcome, receive_webhook};

use super::auth::{AuthUser, Role};
use super::{ServiceError, ServiceResult};
use crate::config::IntegrationsConfig;
use crate::connectors::nango::{
    ConnectSession, ConnectSessionRequest, Connection, NangoClient, NangoError, TAG_END_USER_EMAIL,
    TAG_END_USER_ID, TAG_ORGANIZATION_ID, Tags,
};
use crate::db::DbPool;
use crate::db::models::Integration;
use crate::db::schema::integrations;

/// Nango as the services see it: the client (None without NANGO_SECRET_KEY) and the settings.
#[derive(Clone, Copy)]
pub struct Broker<'a> {
    pub client: Option<&'a Arc<NangoClient>>,
    pub config: &'a IntegrationsConfig,
}

impl Broker<'_> {
    pub fn is_configured(&self) -> bool {
        self.client.is_some()
    }

    fn client(&self) -> ServiceResult<Arc<NangoClient>> {
        self.client.cloned().ok_or_else(|| {
            ServiceError::IntegrationsUnavailable(
                "connecting providers is unavailable: this server has no NANGO_SECRET_KEY".into(),
            )
        })
    }
}

/// Who a connection is recorded for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Owner {
    org: Uuid,
    /// The member, for user-scope providers.
    user: Option<Uuid>,
}

/// Whether `user` may connect or disconnect `provider`, and for whom.
fn authorize(user: &AuthUser, provider: Provider) -> ServiceResult<Owner> {
    let org = user.require_org()?;
    match provider.scope() {
        Scope::Organization => {
            if user.role != Role::Admin {
                return Err(ServiceError::Forbidden(format!(
                    "only organization admins can connect or disconnect {}",
                    provider.display_name()
                )));
            }
            Ok(Owner { org, user: None })
        }
        Scope::User => Ok(Owner {
            org,
            user: Some(user.user_id),
        }),
    }
}

/// One provider in the catalogue.
#[derive(Debug, Clone)]
pub struct Availability {
    pub provider: Provider,
    /// Nango is configured on this server, so the provider can be connected.
    pub configured: bool,
    /// An active connection exists: the organization's, or for user-scope providers the
    /// caller's own.
    pub connected: bool,
    /// User-scope providers: the members with an active connection of their own (who, never
    /// what: their data stays theirs).
    pub connected_users: Vec<Uuid>,
    /// An admin can enter a token for it (organization-scope, and CREDENTIALS_KEY is set).
    pub direct_tokens: bool,
}

pub async fn available(
    pool: &DbPool,
    broker: Broker<'_>,
    user: &AuthUser,
) -> ServiceResult<Vec<Availability>> {
    let (connected, personal): (Vec<String>, Vec<(String, Option<Uuid>)>) = match user.org_id {
        Some(org) => {
            let mut conn = pool.get().await?;
            let connected = visible(org, user.user_id)
                .filter(integrations::is_active)
                .select(integrations::provider)
                .load(&mut conn)
                .await?;
            let personal = integrations::table
                .filter(integrations::organization_id.eq(org))
                .filter(integrations::scope.eq(Scope::User.as_str()))
                .filter(integrations::is_active)
                .order(integrations::created_at.asc())
                .select((integrations::provider, integrations::user_id))
                .load(&mut conn)
                .await?;
            (connected, personal)
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(Provider::ALL
        .into_iter()
        .map(|provider| Availability {
            provider,
            configured: broker.is_configured(),
            connected: connected.iter().any(|p| p == provider.as_str()),
            connected_users: personal
                .iter()
                .filter(|(p, _)| p == provider.as_str())
                .filter_map(|(_, u)| *u)
                .collect(),
            direct_tokens: provider.scope() == Scope::Organization
                && broker.config.credentials_key.is_some(),
        })
        .collect())
}

/// A connect session for the frontend SDK (or the connect link).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub provider: Provider,
    pub integration_id: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// Nango's hosted connect page for this session (absent on old self-hosted servers).
    pub connect_link: Option<String>,
}

/// Creates a Nango connect session for `provider`, tagged with the caller's organization and
/// user, and limited to that provider's integration.
pub async fn connect_session(
    broker: Broker<'_>,
    user: &AuthUser,
    provider: Provider,
) -> ServiceResult<NewSession> {
    let owner = authorize(user, provider)?;
    let client = broker.client()?;
    let integration_id = provider.integration_id(broker.config).to_owned();
    let mut tags = Tags::new();
    tags.insert(TAG_ORGANIZATION_ID.into(), owner.org.to_string());
    tags.insert(TAG_END_USER_ID.into(), user.user_id.to_string());
    if let Some(email) = &user.email {
        tags.insert(TAG_END_USER_EMAIL.into(), email.clone());
    }
    let request = ConnectSessionRequest {
        tags,
        allowed_integrations: vec![integration_id.clone()],
    };
    let ConnectSession {
        token,
        expires_at,
        connect_link,
    } = nango(move || client.create_connect_session(&request))
        .await?
        .map_err(nango_error)?;
    let expires_at = DateTime::parse_from_rfc3339(&expires_at)
        .map_err(|e| {
            ServiceError::Unavailable(format!(
                "unexpected answer from Nango: expires_at {expires_at:?} ({e})"
            ))
        })?
        .with_timezone(&Utc);
    Ok(NewSession {
        provider,
        integration_id,
        token,
        expires_at,
        connect_link,
    })
}

/// Records the connection the frontend reports after the Nango flow, once Nango confirms it
/// exists for this provider's integration and carries the caller's tags. Reactivates a
/// previously disconnected integration and replaces its connection id. The sync engine enqueues
/// the initial sync of the returned row.
pub async fn record_connection(
    pool: &DbPool,
    broker: Broker<'_>,
    user: &AuthUser,
    provider: Provider,
    connection_id: &str,
) -> ServiceResult<Integration> {
    let owner = authorize(user, provider)?;
    let connection_id = valid_connection_id(connection_id)?;
    let client = broker.client()?;
    let connection = fetch_connection(client, broker, provider, &connection_id).await?;
    check_tags(&connection, owner)?;
    let mut conn = pool.get().await?;
    Ok(upsert(
        &mut conn,
        owner,
        provider,
        &connection_id,
        Some(user.user_id),
    )
    .await?)
}

/// The caller's organization's integrations: organization-scope ones and the caller's own
/// user-scope ones, active or not.
pub async fn list(pool: &DbPool, user: &AuthUser) -> ServiceResult<Vec<Integration>> {
    let org = user.require_org()?;
    let mut conn = pool.get().await?;
    Ok(visible(org, user.user_id)
        .order((integrations::provider.asc(), integrations::created_at.asc()))
        .select(Integration::as_select())
        .load(&mut conn)
        .await?)
}

/// Deletes the Nango connection (already gone is fine) and marks the integration inactive;
/// synced data is kept. Not found unless an active integration exists.
pub async fn disconnect(
    pool: &DbPool,
    broker: Broker<'_>,
    user: &AuthUser,
    provider: Provider,
) -> ServiceResult<Integration> {
    let owner = authorize(user, provider)?;
    let mut conn = pool.get().await?;
    let row: Integration = owned_by(owner, provider)
        .filter(integrations::is_active)
        .select(Integration::as_select())
        .first(&mut conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("connected integration"))?;
    if let Some(connection_id) = row.nango_connection_id.clone() {
        let client = broker.client()?;
        let key = provider.integration_id(broker.config).to_owned();
        let cid = connection_id.clone();
        match nango(move || client.delete_connection(&cid, &key)).await? {
            Ok(()) => {}
            Err(NangoError::NotFound { message, .. }) => {
                tracing::info!(
                    integration_id = %row.id,
                    connection_id = %connection_id,
                    upstream = %message,
                    "Nango connection already gone; disconnecting anyway"
                );
            }
            Err(e) => return Err(nango_error(e)),
        }
    }
    Ok(diesel::update(integrations::table.find(row.id))
        .set((
            integrations::is_active.eq(false),
            // A token entered directly is forgotten with the connection.
            integrations::credential_kind.eq(None::<String>),
            integrations::credential_ciphertext.eq(None::<Vec<u8>>),
            integrations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Integration::as_returning())
        .get_result(&mut conn)
        .await?)
}

/// Rows of `org` the caller sees: organization-scope ones and their own user-scope ones.
fn visible(org: Uuid, user: Uuid) -> integrations::BoxedQuery<'static, diesel::pg::Pg> {
    integrations::table
        .filter(integrations::organization_id.eq(org))
        .filter(
            integrations::scope
                .eq(Scope::Organization.as_str())
                .or(integrations::user_id.eq(user)),
        )
        .into_boxed()
}

/// The one row an owner has for a provider.
fn owned_by(owner: Owner, provider: Provider) -> integrations::BoxedQuery<'static, diesel::pg::Pg> {
    let query = integrations::table
        .filter(integrations::organization_id.eq(owner.org))
        .filter(integrations::provider.eq(provider.as_str()))
        .into_boxed();
    match owner.user {
        None => query.filter(integrations::scope.eq(Scope::Organization.as_str())),
        Some(user) => query
            .filter(integrations::scope.eq(Scope::User.as_str()))
            .filter(integrations::user_id.eq(user)),
    }
}

fn valid_connection_id(raw: &str) -> ServiceResult<String> {
    let id = raw.trim();
    if id.is_empty() || id.chars().count() > 255 || id.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(
            "connection_id must be a Nango connection id (1-255 printable characters)".into(),
        ));
    }
    Ok(id.to_owned())
}

/// The connection as Nango knows it, for this provider's integration.
async fn fetch_connection(
    client: Arc<NangoClient>,
    broker: Broker<'_>,
    provider: Provider,
    connection_id: &str,
) -> ServiceResult<Connection> {
    let key = provider.integration_id(broker.config).to_owned();
    let (cid, k) = (connection_id.to_owned(), key.clone());
    let connection = nango(move || client.get_connection(&cid, &k, false))
        .await?
        .map_err(|e| match e {
            NangoError::NotFound { .. } => ServiceError::NotFound("Nango connection"),
            other => nango_error(other),
        })?;
    if connection.provider_config_key != key {
        return Err(ServiceError::Forbidden(format!(
            "this Nango connection belongs to another integration, not {}",
            provider.display_name()
        )));
    }
    Ok(connection)
}

/// A connection may only be attached by the organization (and, for user-scope providers, the
/// member) its connect session was created for.
fn check_tags(connection: &Connection, owner: Owner) -> ServiceResult<()> {
    if connection.tag(TAG_ORGANIZATION_ID) != Some(owner.org.to_string().as_str()) {
        return Err(ServiceError::Forbidden(
            "this Nango connection was not created for your organization".into(),
        ));
    }
    if let Some(user) = owner.user
        && connection.tag(TAG_END_USER_ID) != Some(user.to_string().as_str())
    {
        return Err(ServiceError::Forbidden(
            "this Nango connection belongs to another member".into(),
        ));
    }
    Ok(())
}

/// Inserts or reactivates the owner's integration for `provider` with `connection_id`.
async fn upsert(
    conn: &mut AsyncPgConnection,
    owner: Owner,
    provider: Provider,
    connection_id: &str,
    created_by: Option<Uuid>,
) -> QueryResult<Integration> {
    let scope = match owner.user {
        None => Scope::Organization,
        Some(_) => Scope::User,
    };
    let values = (
        integrations::organization_id.eq(owner.org),
        integrations::provider.eq(provider.as_str()),
        integrations::scope.eq(scope.as_str()),
        integrations::user_id.eq(owner.user),
        integrations::nango_connection_id.eq(connection_id),
        integrations::is_active.eq(true),
        integrations::created_by.eq(created_by),
    );
    let changes = (
        integrations::nango_connection_id.eq(excluded(integrations::nango_connection_id)),
        // A Nango connection replaces a token entered earlier.
        integrations::credential_kind.eq(None::<String>),
        integrations::credential_ciphertext.eq(None::<Vec<u8>>),
        integrations::is_active.eq(true),
        integrations::last_error.eq(None::<String>),
        integrations::updated_at.eq(diesel::dsl::now),
    );
    // The unique indexes are partial (one per scope), so the conflict target repeats their
    // predicate as a literal for PostgreSQL to infer the index.
    match scope {
        Scope::Organization => {
            diesel::insert_into(integrations::table)
                .values(values)
                .on_conflict((integrations::organization_id, integrations::provider))
                .filter_target(diesel::dsl::sql::<Bool>("scope = 'organization'"))
                .do_update()
                .set(changes)
                .returning(Integration::as_returning())
                .get_result(conn)
                .await
        }
        Scope::User => {
            diesel::insert_into(integrations::table)
                .values(values)
                .on_conflict((
                    integrations::organization_id,
                    integrations::provider,
                    integrations::user_id,
                ))
                .filter_target(diesel::dsl::sql::<Bool>("scope = 'user'"))
                .do_update()
                .set(changes)
                .returning(Integration::as_returning())
                .get_result(conn)
                .await
        }
    }
}

/// Runs a blocking Nango call on the blocking pool.
async fn nango<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, NangoError> + Send + 'static,
) -> ServiceResult<Result<T, NangoError>> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| ServiceError::Internal(format!("Nango call panicked: {e}")))
}

fn nango_error(e: NangoError) -> ServiceError {
    match e {
        NangoError::Unauthorized { .. } => {
            ServiceError::IntegrationsUnavailable(format!("{e}; check NANGO_SECRET_KEY"))
        }
        NangoError::NotFound { .. } => ServiceError::NotFound("Nango connection"),
        other => ServiceError::Unavailable(other.to_string()),
    }
}
