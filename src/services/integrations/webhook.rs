//! Nango webhooks, authenticated only by their HMAC signature. A successful auth `creation` or
//! `override` records the connection for the organization in its tags, after the same checks as
//! the frontend callback (confirmed with Nango, tags naming an existing organization and a member
//! allowed to connect). A failed token `refresh` marks the integration's `last_error`. Anything
//! else is acknowledged and ignored.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{Broker, Owner, check_tags, fetch_connection, upsert};
use crate::connectors::nango::webhook::{Webhook, verify_signature};
use crate::connectors::nango::{TAG_END_USER_ID, TAG_ORGANIZATION_ID};
use crate::connectors::{Provider, Scope};
use crate::db::DbPool;
use crate::db::models::Integration;
use crate::db::schema::{integrations, users};
use crate::services::{ServiceError, ServiceResult};

const MAX_ERROR_LEN: usize = 500;

/// What a webhook did.
#[derive(Debug)]
pub enum WebhookOutcome {
    /// A new or re-authorized connection was recorded.
    Recorded(Box<Integration>),
    /// A failed token refresh was noted on this many integrations.
    RefreshFailed(usize),
    /// Acknowledged without effect, and why.
    Ignored(String),
}

/// Verifies `signature` over the raw `body`, then acts on the webhook.
pub async fn receive_webhook(
    pool: &DbPool,
    broker: Broker<'_>,
    body: &[u8],
    signature: Option<&str>,
) -> ServiceResult<WebhookOutcome> {
    let secret = broker.config.nango_webhook_secret.as_ref().ok_or_else(|| {
        ServiceError::IntegrationsUnavailable(
            "the Nango webhook receiver is disabled: this server has no NANGO_WEBHOOK_SECRET"
                .into(),
        )
    })?;
    let signature = signature.filter(|s| !s.is_empty()).ok_or_else(|| {
        ServiceError::Unauthenticated("missing X-Nango-Hmac-Sha256 signature".into())
    })?;
    if !verify_signature(secret.expose().as_bytes(), body, signature) {
        return Err(ServiceError::Unauthenticated(
            "invalid X-Nango-Hmac-Sha256 signature".into(),
        ));
    }
    let hook: Webhook = serde_json::from_slice(body)
        .map_err(|e| ServiceError::Invalid(format!("not a Nango webhook: {e}")))?;
    if hook.kind != "auth" {
        return Ok(ignored(format!("webhook type {}", hook.kind)));
    }
    let (Some(connection_id), Some(key)) = (&hook.connection_id, &hook.provider_config_key) else {
        return Ok(ignored(
            "auth webhook without connectionId/providerConfigKey",
        ));
    };
    let Some(provider) = Provider::from_integration_id(broker.config, key) else {
        return Ok(ignored(format!(
            "integration {key} is not a Revtops provider"
        )));
    };
    match (hook.operation.as_deref(), hook.success) {
        (Some("creation" | "override"), Some(true)) => {
            record(pool, broker, provider, connection_id).await
        }
        (Some("refresh"), Some(false)) => {
            let reason = hook
                .error
                .as_ref()
                .and_then(|e| e.description.clone().or_else(|| e.kind.clone()))
                .unwrap_or_else(|| "unknown error".into());
            let mut message = format!("token refresh failed: {reason}");
            if message.len() > MAX_ERROR_LEN {
                let cut = (0..=MAX_ERROR_LEN)
                    .rev()
                    .find(|i| message.is_char_boundary(*i))
                    .unwrap_or(0);
                message.truncate(cut);
            }
            let mut conn = pool.get().await?;
            let updated = diesel::update(
                integrations::table
                    .filter(integrations::nango_connection_id.eq(connection_id))
                    .filter(integrations::provider.eq(provider.as_str())),
            )
            .set((
                integrations::last_error.eq(&message),
                integrations::updated_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)
            .await?;
            Ok(WebhookOutcome::RefreshFailed(updated))
        }
        (op, success) => Ok(ignored(format!(
            "auth operation {} with success={success:?}",
            op.unwrap_or("(none)")
        ))),
    }
}

fn ignored(why: impl Into<String>) -> WebhookOutcome {
    WebhookOutcome::Ignored(why.into())
}

/// Records a connection for the organization and member its Nango tags name, if that member
/// belongs to the organization and may connect the provider.
async fn record(
    pool: &DbPool,
    broker: Broker<'_>,
    provider: Provider,
    connection_id: &str,
) -> ServiceResult<WebhookOutcome> {
    let client = broker.client()?;
    // Nango's copy of the tags is the authority, not the webhook's.
    let connection = match fetch_connection(client, broker, provider, connection_id).await {
        Ok(c) => c,
        // Deleted since (or never ours): retrying will not change that.
        Err(ServiceError::NotFound(_)) => {
            return Ok(ignored("Nango does not know this connection (any more)"));
        }
        Err(e) => return Err(e),
    };
    let tagged = |key| connection.tag(key).and_then(|v| Uuid::parse_str(v).ok());
    let (Some(org), Some(user_id)) = (tagged(TAG_ORGANIZATION_ID), tagged(TAG_END_USER_ID)) else {
        return Ok(ignored(
            "connection is not tagged with a Revtops organization and user",
        ));
    };
    let mut conn = pool.get().await?;
    let role: Option<String> = users::table
        .find(user_id)
        .filter(users::organization_id.eq(org))
        .filter(users::deleted_at.is_null())
        .filter(users::status.eq("active"))
        .select(users::role)
        .first(&mut conn)
        .await
        .optional()?;
    let Some(role) = role else {
        return Ok(ignored(
            "the tagged user is not an active member of the tagged organization",
        ));
    };
    let owner = match provider.scope() {
        Scope::Organization if role != "admin" => {
            return Ok(ignored(
                "the tagged user may not connect organization providers",
            ));
        }
        Scope::Organization => Owner { org, user: None },
        Scope::User => Owner {
            org,
            user: Some(user_id),
        },
    };
    check_tags(&connection, owner)?;
    let row = upsert(&mut conn, owner, provider, connection_id, Some(user_id)).await?;
    Ok(WebhookOutcome::Recorded(Box::new(row)))
}
