//! What people do with their own account: change the password, set a new one from a reset link
//! an admin issued, verify their email, delete the account. Password changes end every other
//! session of the account (tokens issued before are refused, open sockets close).

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::auth::access::{AccessBus, AccessEvent};
use super::auth::local_tokens::IssuedToken;
use super::auth::{AuthUser, Authenticator, passwords};
use super::links::{self, Purpose};
use super::mail::Mailer;
use super::organizations::{check_can_go, lock_member};
use super::seats::{self, Vacate};
use super::{ServiceError, ServiceResult};
use crate::db::DbPool;
use crate::db::models::User;
use crate::db::schema::{organizations as orgs, users};

/// A link for someone to follow, and whether it was emailed to them (otherwise whoever asked
/// for it passes it on).
pub struct SentLink {
    pub link: String,
    pub emailed: bool,
    pub expires_at: DateTime<Utc>,
}

/// Sets a new password and ends every session issued before now; returns a fresh session.
async fn set_password(
    conn: &mut AsyncPgConnection,
    auth: &Authenticator,
    access: &AccessBus,
    user_id: Uuid,
    hash: &str,
) -> ServiceResult<(User, IssuedToken)> {
    let tokens = auth.local_tokens()?;
    // Microseconds, as tokens record their issue time: every earlier session ends, the one
    // issued next stays valid.
    let now = Utc::now().trunc_subsecs(6);
    let user = diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::sessions_valid_after.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await?;
    access.publish(AccessEvent::UserChanged { user_id });
    let token = tokens.issue(user_id)?;
    Ok((user, token))
}

/// Changes the caller's password after checking the current one (local mode).
pub async fn change_password(
    pool: &DbPool,
    auth: &Authenticator,
    access: &AccessBus,
    user: &AuthUser,
    current: String,
    new: String,
) -> ServiceResult<(User, IssuedToken)> {
    auth.local_tokens()?;
    passwords::validate(&new)?;
    let mut conn = pool.get().await?;
    let stored: Option<String> = users::table
        .find(user.user_id)
        .select(users::password_hash)
        .first(&mut conn)
        .await?;
    drop(conn);
    if stored.is_none() || !passwords::verify(current, stored).await {
        return Err(ServiceError::Forbidden(
            "the current password is not correct".into(),
        ));
    }
    let hash = passwords::hash(new).await?;
    let mut conn = pool.get().await?;
    set_password(&mut conn, auth, access, user.user_id, &hash).await
}

/// An admin issues a one-time link with which a member of their organization sets a new
/// password (local mode); it is emailed to them when SMTP is configured.
pub async fn issue_password_reset(
    pool: &DbPool,
    auth: &Authenticator,
    mailer: &Mailer,
    admin: &AuthUser,
    member_id: Uuid,
) -> ServiceResult<SentLink> {
    auth.local_tokens()?;
    let org = admin.require_admin()?;
    let mut conn = pool.get().await?;
    let (member, org_name) = conn
        .transaction::<_, ServiceError, _>(async |conn| {
            let member = lock_member(conn, org, member_id).await?;
            if member.status != "active" {
                return Err(ServiceError::Conflict(
                    "CRM-only users have no password; invite them instead".into(),
                ));
            }
            let org_name: String = orgs::table.find(org).select(orgs::name).first(conn).await?;
            Ok((member, org_name))
        })
        .await?;
    let issued = links::issue(
        &mut conn,
        Purpose::PasswordReset,
        member.id,
        None,
        Some(admin.user_id),
    )
    .await?;
    drop(conn);
    let link = mailer.link(&format!("/reset-password/{}", issued.token));
    let emailed = match &member.email {
        Some(to) => {
            let body = format!(
                "An admin of {org_name} on Revtops issued you a link to choose a new password:\n\n\
                 {link}\n\nIt works once, until {}. If you did not expect this, ask your admin.",
                issued.expires_at.format("%Y-%m-%d %H:%M UTC")
            );
            mailer
                .send_or_log(to, "Choose a new Revtops password", body)
                .await
        }
        None => false,
    };
    Ok(SentLink {
        link,
        emailed,
        expires_at: issued.expires_at,
    })
}

/// Sets a new password with a reset link's token, and signs its owner in.
pub async fn reset_password(
    pool: &DbPool,
    auth: &Authenticator,
    access: &AccessBus,
    token: &str,
    new: String,
) -> ServiceResult<(User, IssuedToken)> {
    auth.local_tokens()?;
    passwords::validate(&new)?;
    let hash = passwords::hash(new).await?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let (user_id, _) = links::redeem(conn, Purpose::PasswordReset, token).await?;
        let live = diesel::select(diesel::dsl::exists(
            users::table
                .find(user_id)
                .filter(users::deleted_at.is_null())
                .filter(users::status.eq("active")),
        ))
        .get_result::<bool>(conn)
        .await?;
        if !live {
            return Err(ServiceError::NotFound("link"));
        }
        set_password(conn, auth, access, user_id, &hash).await
    })
    .await
}

/// Emails the caller a link that confirms their address (local mode, SMTP configured).
pub async fn send_verification(
    pool: &DbPool,
    auth: &Authenticator,
    mailer: &Mailer,
    user: &AuthUser,
) -> ServiceResult<DateTime<Utc>> {
    auth.local_tokens()?;
    if user.email_verified {
        return Err(ServiceError::Conflict(
            "your email is already verified".into(),
        ));
    }
    let email = user
        .email
        .clone()
        .ok_or_else(|| ServiceError::Invalid("your account has no email".into()))?;
    if !mailer.enabled() {
        return Err(ServiceError::Unavailable(
            "this server sends no email (SMTP_URL is not set): its operator can verify your \
             address with `revtops verify-email <address>`"
                .into(),
        ));
    }
    let mut conn = pool.get().await?;
    let issued = links::issue(
        &mut conn,
        Purpose::EmailVerification,
        user.user_id,
        Some(&email),
        Some(user.user_id),
    )
    .await?;
    drop(conn);
    let link = mailer.link(&format!("/verify-email/{}", issued.token));
    let body = format!(
        "Confirm that {email} is your address on Revtops:\n\n{link}\n\nThe link works once, \
         until {}. If you did not ask for it, ignore this email.",
        issued.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    mailer
        .send(&email, "Confirm your email for Revtops", body)
        .await
        .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
    Ok(issued.expires_at)
}

/// Confirms the address a verification link was sent to, if it is still the account's.
pub async fn verify_email(pool: &DbPool, access: &AccessBus, token: &str) -> ServiceResult<()> {
    let mut conn = pool.get().await?;
    let user_id = conn
        .transaction::<_, ServiceError, _>(async |conn| {
            let (user_id, email) = links::redeem(conn, Purpose::EmailVerification, token).await?;
            let updated = diesel::update(
                users::table
                    .find(user_id)
                    .filter(users::deleted_at.is_null())
                    .filter(users::email.eq(email)),
            )
            .set(users::email_verified.eq(true))
            .execute(conn)
            .await?;
            if updated == 0 {
                return Err(ServiceError::NotFound("link"));
            }
            Ok(user_id)
        })
        .await?;
    access.publish(AccessEvent::UserChanged { user_id });
    Ok(())
}

/// Marks an address verified for an operator (`revtops verify-email`) on a server without SMTP.
pub async fn mark_verified(pool: &DbPool, email: &str) -> ServiceResult<()> {
    let mut conn = pool.get().await?;
    let updated = diesel::update(
        users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .filter(users::deleted_at.is_null())
            .filter(users::status.eq("active")),
    )
    .set(users::email_verified.eq(true))
    .execute(&mut conn)
    .await?;
    if updated == 0 {
        return Err(ServiceError::NotFound("account with this email"));
    }
    Ok(())
}

/// Deletes the caller's account (see `seats::vacate`): their sign-in and personal details go,
/// as do their conversations and personal connections; reports they saved stay with the
/// organization, and CRM records they own keep their CRM owner. Refused for an organization's
/// last admin while others remain, and for its only member.
pub async fn delete_account(
    pool: &DbPool,
    access: &AccessBus,
    user: &AuthUser,
) -> ServiceResult<()> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let me = match user.org_id {
            Some(org) => {
                let me = lock_member(conn, org, user.user_id).await?;
                check_can_go(conn, org, &me, "delete your account").await?;
                me
            }
            None => users::table
                .find(user.user_id)
                .filter(users::organization_id.is_null())
                .filter(users::deleted_at.is_null())
                .for_update()
                .select(User::as_select())
                .first(conn)
                .await
                .optional()?
                .ok_or(ServiceError::Conflict(
                    "your organization changed meanwhile; reload and try again".into(),
                ))?,
        };
        seats::vacate(conn, &me, Vacate::DeleteAccount).await
    })
    .await?;
    access.publish(AccessEvent::UserChanged {
        user_id: user.user_id,
    });
    Ok(())
}
