//! Triggering syncs and reading their state for the caller's organization. The organization in
//! the path must be the caller's own; any other is "not found". Members may queue incremental
//! syncs; a full re-read of an organization's connection is an admin's decision. A personal
//! connection (a calendar) is its owner's: they sync it, fully if they like, and nobody else
//! sees its runs.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::auth::AuthUser;
use super::{ServiceError, ServiceResult};
use crate::connectors::Scope;
use crate::db::models::SyncRun;
use crate::db::schema::{integrations, sync_runs};
use crate::sync::queue::{self, Enqueued, NewRun, Trigger};
use crate::sync::{Provider, SyncEngine, SyncError};

impl From<SyncError> for ServiceError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Db(e) => Self::Db(e),
            SyncError::Pool(e) => e.into(),
            SyncError::Unavailable(m) => Self::Unavailable(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// The caller's organization, when `org_id` names it.
fn own_org(user: &AuthUser, org_id: Uuid) -> ServiceResult<Uuid> {
    match user.org_id {
        Some(own) if own == org_id => Ok(own),
        Some(_) => Err(ServiceError::NotFound("organization")),
        None => user.require_org(),
    }
}

pub fn provider(raw: &str) -> ServiceResult<Provider> {
    Provider::parse(raw).ok_or(ServiceError::NotFound("provider"))
}

fn syncable(provider: Provider) -> ServiceResult<Provider> {
    if provider.syncable() {
        Ok(provider)
    } else {
        let available: Vec<&str> = Provider::ALL
            .into_iter()
            .filter(|p| p.syncable())
            .map(Provider::as_str)
            .collect();
        Err(ServiceError::Conflict(format!(
            "syncing {} is not available in this build; {} can be synced",
            provider.as_str(),
            available.join(", ")
        )))
    }
}

/// The integration the caller syncs for a provider: the organization's, or for a personal
/// provider the caller's own.
fn own_integration(
    user: &AuthUser,
    org: Uuid,
    provider: Provider,
) -> integrations::BoxedQuery<'static, diesel::pg::Pg> {
    let query = integrations::table
        .filter(integrations::organization_id.eq(org))
        .filter(integrations::provider.eq(provider.as_str()))
        .into_boxed();
    match provider.scope() {
        Scope::Organization => query.filter(integrations::scope.eq(Scope::Organization.as_str())),
        Scope::User => query
            .filter(integrations::scope.eq(Scope::User.as_str()))
            .filter(integrations::user_id.eq(user.user_id)),
    }
}

/// (id, is_active) of [`own_integration`].
async fn integration(
    conn: &mut diesel_async::AsyncPgConnection,
    user: &AuthUser,
    org: Uuid,
    provider: Provider,
) -> ServiceResult<Option<(Uuid, bool)>> {
    Ok(own_integration(user, org, provider)
        .select((integrations::id, integrations::is_active))
        .first(conn)
        .await
        .optional()?)
}

/// A full re-read of the organization's data is an admin's call; of one's own calendar, the
/// owner's.
fn check_full(user: &AuthUser, provider: Provider, full: bool) -> ServiceResult<()> {
    if full && provider.scope() == Scope::Organization {
        user.require_admin()?;
    }
    Ok(())
}

/// Queues a sync of one provider (or returns the run already queued or running).
pub async fn trigger(
    engine: &SyncEngine,
    user: &AuthUser,
    org_id: Uuid,
    provider: Provider,
    full: bool,
) -> ServiceResult<Enqueued> {
    let org = own_org(user, org_id)?;
    check_full(user, provider, full)?;
    let provider = syncable(provider)?;
    let mut conn = engine.pool.get().await?;
    let Some((integration_id, true)) = integration(&mut conn, user, org, provider).await? else {
        let whose = match provider.scope() {
            Scope::Organization => "",
            Scope::User => "your ",
        };
        return Err(ServiceError::Conflict(format!(
            "{whose}{} is not connected; connect it first",
            provider.display_name()
        )));
    };
    let enqueued = queue::enqueue(
        &mut conn,
        NewRun {
            organization_id: org,
            integration_id,
            provider: provider.as_str().into(),
            trigger: Trigger::Manual,
            full_sync: full,
            requested_by: Some(user.user_id),
        },
    )
    .await?;
    engine.wake.notify_one();
    Ok(enqueued)
}

/// Queues the first (full) sync of a newly connected or reconnected integration. A reconnect
/// may point at another account upstream, so the run re-reads everything. Not for providers
/// this build cannot sync.
pub async fn start_initial(
    engine: &SyncEngine,
    integration: &crate::db::models::Integration,
    requested_by: Option<Uuid>,
) -> ServiceResult<Option<Enqueued>> {
    let syncable = Provider::parse(&integration.provider).is_some_and(|p| p.syncable());
    if !syncable || !integration.is_active {
        return Ok(None);
    }
    let mut conn = engine.pool.get().await?;
    let enqueued = queue::enqueue(
        &mut conn,
        NewRun {
            organization_id: integration.organization_id,
            integration_id: integration.id,
            provider: integration.provider.clone(),
            trigger: Trigger::Initial,
            full_sync: true,
            requested_by,
        },
    )
    .await?;
    engine.wake.notify_one();
    Ok(Some(enqueued))
}

/// Queues a sync of every active, syncable integration of the organization.
pub async fn trigger_all(
    engine: &SyncEngine,
    user: &AuthUser,
    org_id: Uuid,
    full: bool,
) -> ServiceResult<Vec<Enqueued>> {
    let org = own_org(user, org_id)?;
    let mut out = Vec::new();
    for provider in Provider::ALL.into_iter().filter(|p| p.syncable()) {
        check_full(user, provider, full)?;
        let mut conn = engine.pool.get().await?;
        if let Some((_, true)) = integration(&mut conn, user, org, provider).await? {
            drop(conn);
            out.push(trigger(engine, user, org_id, provider, full).await?);
        }
    }
    Ok(out)
}

/// The integration's sync state: the run in progress (if any) and the last finished one.
pub struct SyncStatus {
    pub provider: Provider,
    pub connected: bool,
    pub last_sync_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
    pub active: Option<SyncRun>,
    pub last: Option<SyncRun>,
}

pub async fn status(
    engine: &SyncEngine,
    user: &AuthUser,
    org_id: Uuid,
    provider: Provider,
) -> ServiceResult<SyncStatus> {
    let org = own_org(user, org_id)?;
    let mut conn = engine.pool.get().await?;
    type Row = (
        Uuid,
        bool,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<String>,
    );
    let row: Option<Row> = own_integration(user, org, provider)
        .select((
            integrations::id,
            integrations::is_active,
            integrations::last_sync_at,
            integrations::last_error,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    let Some((integration_id, connected, last_sync_at, last_error)) = row else {
        return Ok(SyncStatus {
            provider,
            connected: false,
            last_sync_at: None,
            last_error: None,
            active: None,
            last: None,
        });
    };
    let runs = |active: bool| {
        let statuses: &[&str] = if active {
            &["queued", "running"]
        } else {
            &["succeeded", "failed", "cancelled"]
        };
        sync_runs::table
            .filter(sync_runs::organization_id.eq(org))
            .filter(sync_runs::integration_id.eq(integration_id))
            .filter(sync_runs::status.eq_any(statuses.to_vec()))
            .order(sync_runs::queued_at.desc())
            .select(SyncRun::as_select())
    };
    let active = runs(true).first(&mut conn).await.optional()?;
    let last = runs(false).first(&mut conn).await.optional()?;
    Ok(SyncStatus {
        provider,
        connected,
        last_sync_at,
        last_error,
        active,
        last,
    })
}

/// The organization's recent runs, newest first: those of organization connections and of the
/// caller's own personal ones.
pub async fn history(
    engine: &SyncEngine,
    user: &AuthUser,
    provider: Option<Provider>,
    limit: i64,
) -> ServiceResult<Vec<SyncRun>> {
    let org = user.require_org()?;
    let mut conn = engine.pool.get().await?;
    Ok(queue::history(
        &mut conn,
        org,
        user.user_id,
        provider.map(Provider::as_str),
        limit.clamp(1, 200),
    )
    .await?)
}
