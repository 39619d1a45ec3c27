//! Organizations and membership: create (claiming a verified, non-public email domain), look up
//! and join by domain, members, invitations, roles. Every query is scoped to the caller's own
//! organization; another organization's rows are "not found", never "forbidden".

use base64::Engine;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::auth::access::{AccessBus, AccessEvent};
use super::auth::{AuthUser, Role};
use super::seats;
use super::{ServiceError, ServiceResult, is_unique_violation, validate};
use crate::db::DbPool;
use crate::db::models::{Invitation, Organization, User};
use crate::db::schema::{invitations, organizations as orgs, users};

const INVITATION_TTL_DAYS: i64 = 7;

/// Claims `domain` for a new organization only if it is the caller's verified email domain and
/// not a public mail provider.
fn claimable_domain(user: &AuthUser, raw: &str) -> ServiceResult<String> {
    let domain = validate::domain(raw)?;
    if validate::is_public_mail_domain(&domain) {
        return Err(ServiceError::Forbidden(format!(
            "{domain} is a public mail domain and cannot be claimed"
        )));
    }
    if user.verified_domain() != Some(domain.as_str()) {
        return Err(ServiceError::Forbidden(
            "you can only claim the domain of your own verified email address".into(),
        ));
    }
    Ok(domain)
}

pub async fn create(
    pool: &DbPool,
    user: &AuthUser,
    name: &str,
    email_domain: Option<&str>,
) -> ServiceResult<Organization> {
    if user.org_id.is_some() {
        return Err(ServiceError::Conflict(
            "you already belong to an organization".into(),
        ));
    }
    let name = validate::text("name", name, 200)?;
    let domain = email_domain
        .map(|d| claimable_domain(user, d))
        .transpose()?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let org: Organization = diesel::insert_into(orgs::table)
            .values((orgs::name.eq(&name), orgs::email_domain.eq(&domain)))
            .returning(Organization::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    ServiceError::Conflict(
                        "an organization already uses this domain; join it instead".into(),
                    )
                } else {
                    e.into()
                }
            })?;
        // Guarded by `organization_id IS NULL` so two concurrent creates cannot both move the user.
        let moved = diesel::update(
            users::table
                .find(user.user_id)
                .filter(users::organization_id.is_null()),
        )
        .set((users::organization_id.eq(org.id), users::role.eq("admin")))
        .execute(conn)
        .await?;
        if moved == 0 {
            return Err(ServiceError::Conflict(
                "you already belong to an organization".into(),
            ));
        }
        Ok(org)
    })
    .await
}

pub struct DomainLookup {
    pub domain: String,
    pub name: Option<String>,
}

/// Whether an organization exists for the caller's own verified domain. Other domains are refused,
/// so this cannot be used to enumerate customers.
pub async fn lookup_domain(
    pool: &DbPool,
    user: &AuthUser,
    raw: &str,
) -> ServiceResult<DomainLookup> {
    let domain = validate::domain(raw)?;
    if user.verified_domain() != Some(domain.as_str()) {
        return Err(ServiceError::Forbidden(
            "you can only look up the domain of your verified email".into(),
        ));
    }
    let mut conn = pool.get().await?;
    let name = orgs::table
        .filter(orgs::email_domain.eq(&domain))
        .select(orgs::name)
        .first::<String>(&mut conn)
        .await
        .optional()?;
    Ok(DomainLookup { domain, name })
}

pub async fn join_by_domain(pool: &DbPool, user: &AuthUser) -> ServiceResult<Joined> {
    if user.org_id.is_some() {
        return Err(ServiceError::Conflict(
            "you already belong to an organization".into(),
        ));
    }
    let domain = user
        .verified_domain()
        .ok_or_else(|| {
            ServiceError::Forbidden("joining by domain needs a verified email address".into())
        })?
        .to_owned();
    if validate::is_public_mail_domain(&domain) {
        return Err(ServiceError::Forbidden(
            "public mail domains do not identify an organization".into(),
        ));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let organization: Organization = orgs::table
            .filter(orgs::email_domain.eq(&domain))
            .select(Organization::as_select())
            .first(conn)
            .await
            .optional()?
            .ok_or(ServiceError::NotFound("organization for your email domain"))?;
        let user_id = seats::seat_account(conn, user.user_id, organization.id, "member").await?;
        Ok(Joined {
            organization,
            user_id,
        })
    })
    .await
}

pub async fn members(pool: &DbPool, user: &AuthUser) -> ServiceResult<Vec<User>> {
    let org = user.require_org()?;
    let mut conn = pool.get().await?;
    Ok(users::table
        .filter(users::organization_id.eq(org))
        .filter(users::deleted_at.is_null())
        .order((users::status.asc(), users::name.asc(), users::email.asc()))
        .select(User::as_select())
        .load(&mut conn)
        .await?)
}

pub async fn update(
    pool: &DbPool,
    user: &AuthUser,
    name: Option<&str>,
    logo_url: Option<Option<&str>>,
) -> ServiceResult<Organization> {
    let org = user.require_admin()?;
    let name = name.map(|n| validate::text("name", n, 200)).transpose()?;
    let logo = match logo_url {
        Some(Some(url)) if !url.trim().is_empty() => {
            Some(Some(validate::http_url("logo_url", url)?))
        }
        Some(_) => Some(None),
        None => None,
    };
    let mut conn = pool.get().await?;
    let target = orgs::table.find(org);
    if let Some(name) = &name {
        diesel::update(target)
            .set(orgs::name.eq(name))
            .execute(&mut conn)
            .await?;
    }
    if let Some(logo) = &logo {
        diesel::update(target)
            .set(orgs::logo_url.eq(logo))
            .execute(&mut conn)
            .await?;
    }
    Ok(target
        .select(Organization::as_select())
        .first(&mut conn)
        .await?)
}

pub struct Invited {
    pub invitation: Invitation,
    /// Shown once to the admin; only its hash is stored.
    pub token: String,
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub async fn invite(
    pool: &DbPool,
    user: &AuthUser,
    email: &str,
    role: Role,
) -> ServiceResult<Invited> {
    let org = user.require_admin()?;
    let email = validate::email(email)?;
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let hash = token_hash(&token);
    let mut conn = pool.get().await?;
    let invitation = conn
        .transaction::<_, ServiceError, _>(async |conn| {
            let already_member = diesel::select(diesel::dsl::exists(
                users::table
                    .filter(users::organization_id.eq(org))
                    .filter(users::email.eq(&email))
                    .filter(users::deleted_at.is_null())
                    .filter(users::status.ne("crm_only")),
            ))
            .get_result::<bool>(conn)
            .await?;
            if already_member {
                return Err(ServiceError::Conflict(
                    "this person is already a member".into(),
                ));
            }
            // A new invitation replaces a pending one, invalidating the old link.
            diesel::delete(
                invitations::table
                    .filter(invitations::organization_id.eq(org))
                    .filter(invitations::email.eq(&email))
                    .filter(invitations::accepted_at.is_null()),
            )
            .execute(conn)
            .await?;
            Ok(diesel::insert_into(invitations::table)
                .values((
                    invitations::organization_id.eq(org),
                    invitations::email.eq(&email),
                    invitations::role.eq(role.as_str()),
                    invitations::token_hash.eq(&hash),
                    invitations::invited_by.eq(user.user_id),
                    invitations::expires_at.eq(Utc::now() + Duration::days(INVITATION_TTL_DAYS)),
                ))
                .returning(Invitation::as_returning())
                .get_result(conn)
                .await?)
        })
        .await?;
    Ok(Invited { invitation, token })
}

/// Marks the invitation behind `token` accepted if it is pending, unexpired and addressed to
/// `email`. Any mismatch is the same "not found" so tokens cannot be probed.
pub(crate) async fn claim_invitation(
    conn: &mut AsyncPgConnection,
    token: &str,
    email: &str,
) -> ServiceResult<Invitation> {
    let invitation: Invitation = invitations::table
        .filter(invitations::token_hash.eq(token_hash(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(Utc::now()))
        .filter(invitations::email.eq(email))
        .for_update()
        .select(Invitation::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("invitation"))?;
    diesel::update(invitations::table.find(invitation.id))
        .set(invitations::accepted_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(invitation)
}

/// What an invitation link offers, for the page it opens: which organization, for which email,
/// with which role. Unknown, used and expired tokens are all "not found".
pub async fn preview_invitation(pool: &DbPool, token: &str) -> ServiceResult<(Invitation, String)> {
    let mut conn = pool.get().await?;
    invitations::table
        .inner_join(orgs::table)
        .filter(invitations::token_hash.eq(token_hash(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(Utc::now()))
        .select((Invitation::as_select(), orgs::name))
        .first(&mut conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("invitation"))
}

/// Where a join left the caller: the organization, and the user id that now signs in there
/// (another than the caller's when their account took over a CRM owner's row, see `seats`).
pub struct Joined {
    pub organization: Organization,
    pub user_id: Uuid,
}

/// An existing account without an organization accepts an invitation addressed to its email.
pub async fn accept_invitation(
    pool: &DbPool,
    user: &AuthUser,
    token: &str,
) -> ServiceResult<Joined> {
    if user.org_id.is_some() {
        return Err(ServiceError::Conflict(
            "you already belong to an organization".into(),
        ));
    }
    let email = user
        .email
        .clone()
        .ok_or(ServiceError::NotFound("invitation"))?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let invitation = claim_invitation(conn, token, &email).await?;
        let user_id = seats::seat_account(
            conn,
            user.user_id,
            invitation.organization_id,
            &invitation.role,
        )
        .await?;
        let organization = orgs::table
            .find(invitation.organization_id)
            .select(Organization::as_select())
            .first(conn)
            .await?;
        Ok(Joined {
            organization,
            user_id,
        })
    })
    .await
}

/// Locks the organization row (serialising membership changes) and loads the target member, who
/// must belong to the same organization.
async fn lock_member(
    conn: &mut AsyncPgConnection,
    org: Uuid,
    member_id: Uuid,
) -> ServiceResult<User> {
    orgs::table
        .find(org)
        .select(orgs::id)
        .for_update()
        .first::<Uuid>(conn)
        .await?;
    users::table
        .filter(users::id.eq(member_id))
        .filter(users::organization_id.eq(org))
        .filter(users::deleted_at.is_null())
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("member"))
}

async fn admin_count(conn: &mut AsyncPgConnection, org: Uuid) -> ServiceResult<i64> {
    Ok(users::table
        .filter(users::organization_id.eq(org))
        .filter(users::role.eq("admin"))
        .filter(users::status.eq("active"))
        .filter(users::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

pub async fn change_role(
    pool: &DbPool,
    access: &AccessBus,
    user: &AuthUser,
    member_id: Uuid,
    role: Role,
) -> ServiceResult<User> {
    let org = user.require_admin()?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let member = lock_member(conn, org, member_id).await?;
        if member.status == "crm_only" {
            return Err(ServiceError::Conflict(
                "CRM-only users have no role to change".into(),
            ));
        }
        if member.role == "admin" && role == Role::Member && admin_count(conn, org).await? <= 1 {
            return Err(ServiceError::Conflict(
                "the last admin cannot be demoted; promote someone else first".into(),
            ));
        }
        Ok(diesel::update(users::table.find(member.id))
            .set(users::role.eq(role.as_str()))
            .returning(User::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
    .inspect(|member| access.publish(AccessEvent::UserChanged { user_id: member.id }))
}

/// Removes a member from the organization. Their account remains, without an organization; their
/// open sockets close (on every replica).
pub async fn remove_member(
    pool: &DbPool,
    access: &AccessBus,
    user: &AuthUser,
    member_id: Uuid,
) -> ServiceResult<()> {
    let org = user.require_admin()?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let member = lock_member(conn, org, member_id).await?;
        if member.status == "crm_only" {
            return Err(ServiceError::Conflict(
                "CRM-only users are managed by sync, not removed by hand".into(),
            ));
        }
        if member.role == "admin" && admin_count(conn, org).await? <= 1 {
            return Err(ServiceError::Conflict(
                "the last admin cannot be removed; promote someone else first".into(),
            ));
        }
        diesel::update(users::table.find(member.id))
            .set((
                users::organization_id.eq(None::<Uuid>),
                users::role.eq("member"),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await?;
    access.publish(AccessEvent::UserChanged { user_id: member_id });
    Ok(())
}
