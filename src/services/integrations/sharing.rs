//! A member's choice to share their calendar with the organization. Until they do, every event
//! of it is theirs alone (`activities.private_to`); sharing opens the events they did not mark
//! private, and stopping closes them all again, in the same transaction as the choice.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::{Owner, Provider, Scope, authorize, owned_by};
use crate::db::DbPool;
use crate::db::models::Integration;
use crate::db::schema::integrations;
use crate::services::auth::AuthUser;
use crate::services::{ServiceError, ServiceResult};

/// Shares (or stops sharing) the caller's own connection of a personal provider; returns it.
pub async fn set_shared(
    pool: &DbPool,
    user: &AuthUser,
    provider: Provider,
    shared: bool,
) -> ServiceResult<Integration> {
    if provider.scope() != Scope::User {
        return Err(ServiceError::Invalid(format!(
            "{} is connected for the whole organization; only personal connections such as \
             google_calendar have a sharing choice",
            provider.as_str()
        )));
    }
    let owner: Owner = authorize(user, provider)?;
    let member = owner.user.unwrap_or(user.user_id);
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let id: uuid::Uuid = owned_by(owner, provider)
            .select(integrations::id)
            .first(conn)
            .await
            .optional()?
            .ok_or(ServiceError::NotFound("connected integration"))?;
        // The update takes the row lock before the events are re-marked: a sync page in flight
        // (which reads the choice under that lock, `sync::runner::shared_now`) commits first and
        // is re-marked here, and the next page reads the new choice.
        let row = diesel::update(integrations::table.find(id))
            .set((
                integrations::shared.eq(shared),
                integrations::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Integration::as_returning())
            .get_result(conn)
            .await?;
        diesel::sql_query(
            "UPDATE activities
                SET private_to = CASE WHEN $3 AND NOT is_private THEN NULL ELSE $4::uuid END
              WHERE organization_id = $1 AND source_system = $2
                AND source_id LIKE $4::text || ':%'",
        )
        .bind::<diesel::sql_types::Uuid, _>(owner.org)
        .bind::<Text, _>(provider.as_str())
        .bind::<Bool, _>(shared)
        .bind::<diesel::sql_types::Uuid, _>(member)
        .execute(conn)
        .await?;
        Ok(row)
    })
    .await
}
