//! Accounts: local registration and login, logout, the current user, and Supabase user sync.

use std::net::IpAddr;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use super::auth::access::{AccessBus, AccessEvent};
use super::auth::local_tokens::IssuedToken;
use super::auth::throttle::LoginThrottle;
use super::auth::{AuthUser, Authenticator, Subject, VerifiedToken, passwords};
use super::invitations::claim_invitation;
use super::{ServiceError, ServiceResult, is_unique_violation, validate};
use crate::cache::Cache;
use crate::db::DbPool;
use crate::db::models::{NewUser, Organization, User};
use crate::db::schema::{organizations as orgs, revoked_tokens, users};

pub struct Registration {
    pub email: String,
    pub password: String,
    pub name: String,
    pub invite_token: Option<String>,
}

/// Whether someone may create an account without an invitation right now (local mode).
pub async fn signup_open(pool: &DbPool, auth: &Authenticator) -> ServiceResult<bool> {
    use crate::config::SignupPolicy;
    Ok(match auth.signup {
        SignupPolicy::Open => true,
        SignupPolicy::InvitationOnly => false,
        // Open until someone can sign in: that first person then invites the others.
        SignupPolicy::FirstUserOnly => {
            let mut conn = pool.get().await?;
            !diesel::select(diesel::dsl::exists(
                users::table
                    .filter(users::status.ne("crm_only"))
                    .filter(users::deleted_at.is_null()),
            ))
            .get_result::<bool>(&mut conn)
            .await?
        }
    })
}

/// Creates a local account (AUTH_MODE=local), optionally joining an organization through an
/// invitation token, and signs the user in.
pub async fn register(
    pool: &DbPool,
    auth: &Authenticator,
    input: Registration,
) -> ServiceResult<(User, IssuedToken)> {
    let tokens = auth.local_tokens()?;
    if input.invite_token.is_none() && !signup_open(pool, auth).await? {
        return Err(ServiceError::Forbidden(
            "sign-up is closed on this server: ask an admin of your organization for an invitation link"
                .into(),
        ));
    }
    let email = validate::email(&input.email)?;
    let name = validate::text("name", &input.name, 200)?;
    passwords::validate(&input.password)?;
    let hash = passwords::hash(input.password).await?;
    let mut conn = pool.get().await?;
    let user = conn
        .transaction::<_, ServiceError, _>(async |conn| {
            let invitation = match &input.invite_token {
                Some(token) => Some(claim_invitation(conn, token, &email).await?),
                None => None,
            };
            let new = NewUser {
                organization_id: invitation.as_ref().map(|i| i.organization_id),
                auth_subject: None,
                email: Some(&email),
                email_verified: false,
                name: Some(&name),
                avatar_url: None,
                role: invitation
                    .as_ref()
                    .map(|i| i.role.as_str())
                    .unwrap_or("member"),
                status: "active",
                password_hash: Some(&hash),
            };
            super::seats::seat_new_account(conn, &new).await
        })
        .await?;
    let token = tokens.issue(user.id)?;
    Ok((user, token))
}

/// Email + password sign-in with throttling per email and per client IP. Unknown emails and wrong
/// passwords take the same time and get the same answer.
pub async fn login(
    pool: &DbPool,
    auth: &Authenticator,
    cache: &Cache,
    email: &str,
    password: String,
    ip: Option<IpAddr>,
) -> ServiceResult<(User, IssuedToken)> {
    let tokens = auth.local_tokens()?;
    // PostgreSQL text cannot hold NUL, so such an address matches no account.
    let email = email.trim().to_lowercase().replace('\0', "");
    let throttle = LoginThrottle::new(cache);
    throttle.check(&email, ip).await?;
    let mut conn = pool.get().await?;
    let user: Option<User> = users::table
        .filter(users::email.eq(&email))
        .filter(users::deleted_at.is_null())
        .filter(users::status.eq("active"))
        .select(User::as_select())
        .first(&mut conn)
        .await
        .optional()?;
    drop(conn);
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok =
        password.chars().count() <= passwords::MAX_LEN && passwords::verify(password, stored).await;
    let Some(user) = user.filter(|_| ok) else {
        throttle.record_failure(&email, ip).await;
        return Err(ServiceError::Unauthenticated(
            "invalid email or password".into(),
        ));
    };
    throttle.record_success(&email, ip).await;
    let mut conn = pool.get().await?;
    diesel::update(users::table.find(user.id))
        .set(users::last_login_at.eq(Utc::now()))
        .execute(&mut conn)
        .await?;
    let token = tokens.issue(user.id)?;
    Ok((user, token))
}

/// A fresh local session for `user_id` (after their account moved onto another row, see
/// `seats`); None in supabase mode, where the Supabase session goes on working.
pub async fn new_session(
    pool: &DbPool,
    auth: &Authenticator,
    user_id: Uuid,
) -> ServiceResult<Option<(User, IssuedToken)>> {
    let Ok(tokens) = auth.local_tokens() else {
        return Ok(None);
    };
    let mut conn = pool.get().await?;
    let user = users::table
        .find(user_id)
        .select(User::as_select())
        .first(&mut conn)
        .await?;
    Ok(Some((user, tokens.issue(user_id)?)))
}

/// Revokes the caller's token until it would have expired anyway; sockets holding it close (on
/// every replica).
pub async fn logout(pool: &DbPool, access: &AccessBus, user: &AuthUser) -> ServiceResult<()> {
    let Some(token_id) = &user.token_id else {
        return Ok(());
    };
    let mut conn = pool.get().await?;
    diesel::insert_into(revoked_tokens::table)
        .values((
            revoked_tokens::token_id.eq(token_id),
            revoked_tokens::user_id.eq(user.user_id),
            revoked_tokens::expires_at.eq(user.token_expires_at),
        ))
        .on_conflict_do_nothing()
        .execute(&mut conn)
        .await?;
    access.publish(AccessEvent::TokenRevoked {
        token_id: token_id.clone(),
    });
    // Housekeeping: rows past their expiry protect nothing.
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(Utc::now())))
        .execute(&mut conn)
        .await?;
    Ok(())
}

pub async fn current(
    pool: &DbPool,
    user: &AuthUser,
) -> ServiceResult<(User, Option<Organization>)> {
    let mut conn = pool.get().await?;
    Ok(users::table
        .find(user.user_id)
        .left_join(orgs::table)
        .select((User::as_select(), Option::<Organization>::as_select()))
        .first(&mut conn)
        .await?)
}

/// Changes the caller's display name (blank clears it, so the email shows instead).
pub async fn update_profile(
    pool: &DbPool,
    user: &AuthUser,
    name: &str,
) -> ServiceResult<(User, Option<Organization>)> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = if name.is_empty() {
        None
    } else {
        Some(validate::text("name", &name, 200)?)
    };
    let mut conn = pool.get().await?;
    diesel::update(users::table.find(user.user_id))
        .set(users::name.eq(name))
        .execute(&mut conn)
        .await?;
    current(pool, user).await
}

/// Creates or refreshes the user behind a Supabase token from its claims alone (email, name,
/// avatar); whether the email is verified comes from Supabase Auth itself, asked with the
/// caller's `raw_token`. Nothing from the request body is trusted. A deleted user stays deleted.
pub async fn sync_supabase(
    pool: &DbPool,
    auth: &Authenticator,
    token: &VerifiedToken,
    raw_token: &str,
) -> ServiceResult<(User, Option<Organization>)> {
    let Subject::Supabase(subject) = &token.subject else {
        return Err(ServiceError::NotFound("user sync (AUTH_MODE=local)"));
    };
    let email = token
        .profile
        .email
        .as_deref()
        .ok_or_else(|| ServiceError::Invalid("the token carries no email address".into()))
        .and_then(validate::email)?;
    let email_verified = match &auth.confirmed_emails {
        Some(emails) => {
            emails
                .is_confirmed(subject, raw_token, &email, &token.profile.provider)
                .await
        }
        None => false,
    };
    let new = NewUser {
        organization_id: None,
        auth_subject: Some(subject),
        email: Some(&email),
        email_verified,
        name: token.profile.name.as_deref(),
        avatar_url: token.profile.avatar_url.as_deref(),
        role: "member",
        status: "active",
        password_hash: None,
    };
    let mut conn = pool.get().await?;
    if let Some(token_id) = &token.token_id {
        let revoked = diesel::select(diesel::dsl::exists(
            revoked_tokens::table.filter(revoked_tokens::token_id.eq(token_id)),
        ))
        .get_result::<bool>(&mut conn)
        .await?;
        if revoked {
            return Err(ServiceError::Unauthenticated("token revoked".into()));
        }
    }
    let deleted = diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::auth_subject.eq(subject))
            .filter(users::deleted_at.is_not_null()),
    ))
    .get_result::<bool>(&mut conn)
    .await?;
    if deleted {
        return Err(ServiceError::Unauthenticated(
            "this account has been deleted".into(),
        ));
    }
    let result = diesel::insert_into(users::table)
        .values(&new)
        .on_conflict(users::auth_subject)
        .do_update()
        .set((
            users::email.eq(&email),
            users::email_verified.eq(email_verified),
            users::name.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Text>,
            >("COALESCE(excluded.name, users.name)")),
            users::avatar_url.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Text>,
            >(
                // An avatar uploaded here wins over the identity provider's picture.
                "CASE WHEN users.avatar_url LIKE '/api/images/%' THEN users.avatar_url \
                 ELSE COALESCE(excluded.avatar_url, users.avatar_url) END",
            )),
            users::last_login_at.eq(Utc::now()),
        ))
        .returning(User::as_returning())
        .get_result(&mut conn)
        .await;
    match result {
        Ok(user) => {
            let org = match user.organization_id {
                Some(id) => orgs::table
                    .find(id)
                    .select(Organization::as_select())
                    .first(&mut conn)
                    .await
                    .optional()?,
                None => None,
            };
            Ok((user, org))
        }
        Err(e) if is_unique_violation(&e) => Err(ServiceError::Conflict(
            "another account already uses this email address".into(),
        )),
        Err(e) => Err(e.into()),
    }
}
