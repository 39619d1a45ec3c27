//! Invitations: an admin invites an email address (with a role); the link's one-time token,
//! bound to that address, lets its owner register into the organization or join with their
//! existing account. Admins list pending invitations and revoke them.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::auth::{AuthUser, Role};
use super::mail::Mailer;
use super::seats::{self, Joined};
use super::{ServiceError, ServiceResult, secret_tokens, validate};
use crate::db::DbPool;
use crate::db::models::{Invitation, Organization};
use crate::db::schema::{invitations, organizations as orgs, users};

const INVITATION_TTL_DAYS: i64 = 7;

pub struct Invited {
    pub invitation: Invitation,
    /// Shown once to the admin; only its hash is stored.
    pub token: String,
    /// The page that accepts it (absolute with PUBLIC_URL).
    pub link: String,
    /// Whether the invitation went out by email (SMTP configured).
    pub emailed: bool,
}

/// Invites `email` into the admin's organization; the link is emailed when SMTP is configured,
/// and always returned for the admin to share.
pub async fn invite(
    pool: &DbPool,
    mailer: &Mailer,
    user: &AuthUser,
    email: &str,
    role: Role,
) -> ServiceResult<Invited> {
    let org = user.require_admin()?;
    let email = validate::email(email)?;
    let (token, hash) = secret_tokens::new_token()?;
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
    let link = mailer.link(&format!("/invite/{token}"));
    let emailed = send_invitation(pool, mailer, user, &invitation, &link).await?;
    Ok(Invited {
        invitation,
        token,
        link,
        emailed,
    })
}

/// Whether the invitation email went out; a mail server failure leaves the admin the link.
async fn send_invitation(
    pool: &DbPool,
    mailer: &Mailer,
    user: &AuthUser,
    invitation: &Invitation,
    link: &str,
) -> ServiceResult<bool> {
    if !mailer.enabled() {
        return Ok(false);
    }
    let mut conn = pool.get().await?;
    let (org_name, inviter): (String, Option<String>) = orgs::table
        .find(invitation.organization_id)
        .inner_join(users::table.on(users::id.eq(user.user_id)))
        .select((orgs::name, users::name))
        .first(&mut conn)
        .await?;
    drop(conn);
    let inviter = inviter.unwrap_or_else(|| "An admin".into());
    let body = format!(
        "{inviter} invited you to join {org_name} on Revtops, the revenue copilot.\n\n\
         Accept the invitation:\n{link}\n\nThe link works once, until {}.",
        invitation.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    let subject = format!("Join {org_name} on Revtops");
    Ok(mailer.send_or_log(&invitation.email, &subject, body).await)
}

/// Marks the invitation behind `token` accepted if it is pending, unexpired and addressed to
/// `email`. Any mismatch is the same "not found" so tokens cannot be probed.
pub(crate) async fn claim_invitation(
    conn: &mut AsyncPgConnection,
    token: &str,
    email: &str,
) -> ServiceResult<Invitation> {
    let invitation: Invitation = invitations::table
        .filter(invitations::token_hash.eq(secret_tokens::hash(token)))
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
        .filter(invitations::token_hash.eq(secret_tokens::hash(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(Utc::now()))
        .select((Invitation::as_select(), orgs::name))
        .first(&mut conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("invitation"))
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

/// The organization's invitations nobody has accepted yet, newest first (admins); expired ones
/// included, so an admin sees why a link stopped working.
pub async fn pending(pool: &DbPool, user: &AuthUser) -> ServiceResult<Vec<Invitation>> {
    let org = user.require_admin()?;
    let mut conn = pool.get().await?;
    Ok(invitations::table
        .filter(invitations::organization_id.eq(org))
        .filter(invitations::accepted_at.is_null())
        .order(invitations::created_at.desc())
        .select(Invitation::as_select())
        .load(&mut conn)
        .await?)
}

/// Revokes a pending invitation (admins): its link stops working at once.
pub async fn revoke(pool: &DbPool, user: &AuthUser, id: Uuid) -> ServiceResult<()> {
    let org = user.require_admin()?;
    let mut conn = pool.get().await?;
    let deleted = diesel::delete(
        invitations::table
            .find(id)
            .filter(invitations::organization_id.eq(org))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(&mut conn)
    .await?;
    if deleted == 0 {
        return Err(ServiceError::NotFound("invitation"));
    }
    Ok(())
}
