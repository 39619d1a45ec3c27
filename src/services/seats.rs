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
use crate::db::models::{NewUser, Organization, User};
use crate::db::schema::users;

/// Where a join left the caller: the organization, and the user id that now signs in there
/// (another than the caller's when their account took over a CRM owner's row, see `seats`).
pub struct Joined {
    pub organization: Organization,
    pub user_id: Uuid,
}

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

/// Whether the account leaving keeps a login (it left, or was removed) or is gone (deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vacate {
    KeepAccount,
    DeleteAccount,
}

/// Takes `member` out of their organization (the caller has locked the organization and checked
/// the admin rules). Their private conversations and personal connections there go; saved
/// reports stay with the organization. A row that came from the CRM goes back to being the
/// CRM owner record, so the deals and activities it owns keep their owner; a kept account then
/// continues on a new row without an organization, and sessions of the old id end. Returns the
/// id the account signs in with afterwards (None once deleted).
pub async fn vacate(
    conn: &mut AsyncPgConnection,
    member: &User,
    how: Vacate,
) -> ServiceResult<Option<Uuid>> {
    use crate::db::schema::{conversations, integrations};
    let now = Utc::now();
    if let Some(org) = member.organization_id {
        diesel::delete(
            conversations::table
                .filter(conversations::organization_id.eq(org))
                .filter(conversations::user_id.eq(member.id)),
        )
        .execute(conn)
        .await?;
        diesel::delete(
            integrations::table
                .filter(integrations::organization_id.eq(org))
                .filter(integrations::user_id.eq(member.id)),
        )
        .execute(conn)
        .await?;
    }
    let from_crm: Option<String> = users::table
        .find(member.id)
        .select(users::source_system)
        .first(conn)
        .await?;
    if from_crm.is_some() && member.organization_id.is_some() {
        diesel::update(users::table.find(member.id))
            .set((
                users::auth_subject.eq(None::<String>),
                users::password_hash.eq(None::<String>),
                users::email_verified.eq(false),
                users::role.eq("member"),
                users::status.eq("crm_only"),
                users::last_login_at.eq(None::<chrono::DateTime<Utc>>),
                users::sessions_valid_after.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        if how == Vacate::DeleteAccount {
            super::images::avatar_follows(conn, member.id, None).await?;
            // The CRM's own picture stays on its owner row; one uploaded here went with the account.
            diesel::update(users::table.find(member.id))
                .filter(users::avatar_url.like("/api/images/%"))
                .set(users::avatar_url.eq(None::<String>))
                .execute(conn)
                .await?;
            return Ok(None);
        }
        let account = NewUser {
            organization_id: None,
            auth_subject: member.auth_subject.as_deref(),
            email: member.email.as_deref(),
            email_verified: member.email_verified,
            name: member.name.as_deref(),
            avatar_url: member.avatar_url.as_deref(),
            role: "member",
            status: "active",
            password_hash: member.password_hash.as_deref(),
        };
        let id = diesel::insert_into(users::table)
            .values(&account)
            .returning(users::id)
            .get_result(conn)
            .await
            .map_err(taken)?;
        super::images::avatar_follows(conn, member.id, Some(id)).await?;
        return Ok(Some(id));
    }
    match how {
        Vacate::KeepAccount => {
            diesel::update(users::table.find(member.id))
                .set((
                    users::organization_id.eq(None::<Uuid>),
                    users::role.eq("member"),
                    users::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            Ok(Some(member.id))
        }
        // What identified the person goes; the row stays so that what referenced it (reports
        // they saved) keeps a valid reference.
        Vacate::DeleteAccount => {
            diesel::update(users::table.find(member.id))
                .set((
                    users::deleted_at.eq(now),
                    users::auth_subject.eq(None::<String>),
                    users::password_hash.eq(None::<String>),
                    users::email.eq(None::<String>),
                    users::email_verified.eq(false),
                    users::name.eq(None::<String>),
                    users::avatar_url.eq(None::<String>),
                    users::sessions_valid_after.eq(now),
                    users::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            super::images::avatar_follows(conn, member.id, None).await?;
            Ok(None)
        }
    }
}
