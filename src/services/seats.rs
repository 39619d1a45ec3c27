//! Taking a seat in an organization. Someone joining (at registration with an invitation, by
//! accepting one, by their email domain) may already be there as a CRM record owner: a
//! `crm_only` row with their email that deals, accounts and activities point at (a HubSpot owner,
//! a demo rep). Their account then takes over that row, keeping its id, so what they own in the
//! CRM is theirs from their first sign-in ("my deals" works at once); otherwise the account
//! itself joins.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{ServiceError, ServiceResult, is_unique_violation};
use crate::db::models::{NewUser, User};
use crate::db::schema::users;

/// The organization's CRM-only owner with this email, locked for the takeover.
async fn crm_owner(
    conn: &mut AsyncPgConnection,
    org: Uuid,
    email: &str,
) -> ServiceResult<Option<User>> {
    Ok(users::table
        .filter(users::organization_id.eq(org))
        .filter(users::email.eq(email))
        .filter(users::status.eq("crm_only"))
        .filter(users::deleted_at.is_null())
        .for_update()
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

fn taken(e: diesel::result::Error) -> ServiceError {
    if is_unique_violation(&e) {
        ServiceError::Conflict("an account with this email already exists".into())
    } else {
        e.into()
    }
}

/// A new account that joins `new.organization_id` as it is created (registration with an
/// invitation): the CRM owner's row becomes the login, or a new row is inserted.
pub async fn seat_new_account(
    conn: &mut AsyncPgConnection,
    new: &NewUser<'_>,
) -> ServiceResult<User> {
    let existing = match (new.organization_id, new.email) {
        (Some(org), Some(email)) => crm_owner(conn, org, email).await?,
        _ => None,
    };
    let Some(owner) = existing else {
        return diesel::insert_into(users::table)
            .values(new)
            .returning(User::as_returning())
            .get_result(conn)
            .await
            .map_err(taken);
    };
    diesel::update(users::table.find(owner.id))
        .set((
            users::auth_subject.eq(new.auth_subject),
            users::password_hash.eq(new.password_hash),
            users::email_verified.eq(new.email_verified),
            users::name.eq(new.name.or(owner.name.as_deref())),
            users::avatar_url.eq(new.avatar_url.or(owner.avatar_url.as_deref())),
            users::role.eq(new.role),
            users::status.eq("active"),
            users::updated_at.eq(Utc::now()),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .map_err(taken)
}

/// An existing account without an organization joins `org` as `role`. Returns the id that now
/// signs in: the CRM owner's row when the account took it over (the old row is retired, its
/// sign-in identity moved over), the account's own otherwise.
pub async fn seat_account(
    conn: &mut AsyncPgConnection,
    account_id: Uuid,
    org: Uuid,
    role: &str,
) -> ServiceResult<Uuid> {
    let already = || ServiceError::Conflict("you already belong to an organization".into());
    let account: User = users::table
        .find(account_id)
        .filter(users::organization_id.is_null())
        .filter(users::deleted_at.is_null())
        .for_update()
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(already)?;
    let owner = match account.email.as_deref() {
        Some(email) => crm_owner(conn, org, email).await?,
        None => None,
    };
    let Some(owner) = owner else {
        diesel::update(users::table.find(account.id))
            .set((users::organization_id.eq(org), users::role.eq(role)))
            .execute(conn)
            .await?;
        return Ok(account.id);
    };
    // Retire the account's own row first: its email and sign-in subject must be free before
    // the CRM owner's row takes them (both are unique among live sign-in users).
    diesel::update(users::table.find(account.id))
        .set((
            users::deleted_at.eq(Utc::now()),
            users::auth_subject.eq(None::<String>),
        ))
        .execute(conn)
        .await?;
    diesel::update(users::table.find(owner.id))
        .set((
            users::auth_subject.eq(&account.auth_subject),
            users::password_hash.eq(&account.password_hash),
            users::email_verified.eq(account.email_verified),
            users::name.eq(account.name.as_ref().or(owner.name.as_ref())),
            users::avatar_url.eq(account.avatar_url.as_ref().or(owner.avatar_url.as_ref())),
            users::role.eq(role),
            users::status.eq("active"),
            users::last_login_at.eq(account.last_login_at),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await
        .map_err(taken)?;
    Ok(owner.id)
}
