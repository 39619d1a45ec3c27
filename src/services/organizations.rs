//! Organizations and membership: create (claiming a verified, non-public email domain), look up
//! and join by domain, members, invitations, roles. Every query is scoped to the caller's own
//! organization; another organization's rows are "not found", never "forbidden".

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::auth::access::{AccessBus, AccessEvent};
use super::auth::{AuthUser, Role};
use super::seats;
use super::{ServiceError, ServiceResult, is_unique_violation, validate};
use crate::db::DbPool;
use crate::db::models::{Organization, User};
use crate::db::schema::{organizations as orgs, users};

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

pub async fn join_by_domain(pool: &DbPool, user: &AuthUser) -> ServiceResult<seats::Joined> {
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
        Ok(seats::Joined {
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

/// Locks the organization row (serialising membership changes) and loads the target member, who
/// must belong to the same organization.
pub(crate) async fn lock_member(
    conn: &mut AsyncPgConnection,
    org: Uuid,
    member_id: Uuid,
) -> ServiceResult<User> {
    lock(conn, org).await?;
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

/// Removes a member from the organization. Their account remains, without an organization (see
/// `seats::vacate` for what stays behind); their open sockets close (on every replica).
pub async fn remove_member(
    pool: &DbPool,
    access: &AccessBus,
    user: &AuthUser,
    member_id: Uuid,
) -> ServiceResult<()> {
    let org = user.require_admin()?;
    if member_id == user.user_id {
        return Err(ServiceError::Conflict(
            "you cannot remove yourself; leave the organization from your profile instead".into(),
        ));
    }
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
        seats::vacate(conn, &member, seats::Vacate::KeepAccount).await
    })
    .await?;
    access.publish(AccessEvent::UserChanged { user_id: member_id });
    Ok(())
}

/// The caller leaves their organization (see `seats::vacate`): refused for its last admin while
/// others remain, and for its only member. Returns the id the account continues with.
pub async fn leave(pool: &DbPool, access: &AccessBus, user: &AuthUser) -> ServiceResult<Uuid> {
    let org = user.require_org()?;
    let mut conn = pool.get().await?;
    let continues = conn
        .transaction::<_, ServiceError, _>(async |conn| {
            let me = lock_member(conn, org, user.user_id).await?;
            check_can_go(conn, org, &me, "leave").await?;
            seats::vacate(conn, &me, seats::Vacate::KeepAccount).await
        })
        .await?;
    access.publish(AccessEvent::UserChanged {
        user_id: user.user_id,
    });
    continues.ok_or_else(|| ServiceError::Internal("kept account has no row".into()))
}

/// Whether `member` may leave (or delete their account) without leaving the organization
/// without an admin, or without anyone at all.
pub(crate) async fn check_can_go(
    conn: &mut AsyncPgConnection,
    org: Uuid,
    member: &User,
    verb: &str,
) -> ServiceResult<()> {
    let members: i64 = users::table
        .filter(users::organization_id.eq(org))
        .filter(users::status.eq("active"))
        .filter(users::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    if members <= 1 {
        return Err(ServiceError::Conflict(format!(
            "you are the only member of this organization: invite someone and make them an \
             admin before you {verb}"
        )));
    }
    if member.role == "admin" && admin_count(conn, org).await? <= 1 {
        return Err(ServiceError::Conflict(format!(
            "you are the last admin: make someone else an admin before you {verb}"
        )));
    }
    Ok(())
}

/// The caller's organization row, locked: membership changes are serialised on it.
pub(crate) async fn lock(conn: &mut AsyncPgConnection, org: Uuid) -> ServiceResult<()> {
    orgs::table
        .find(org)
        .select(orgs::id)
        .for_update()
        .first::<Uuid>(conn)
        .await?;
    Ok(())
}
