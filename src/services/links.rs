//! One-time links bound to a user: a password reset an admin issues, or an email verification.
//! Each works once, before it expires; a newer link of the same kind replaces older ones.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{ServiceError, ServiceResult, secret_tokens};
use crate::db::schema::one_time_links;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailVerification,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::EmailVerification => "email_verification",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            Self::PasswordReset => Duration::hours(24),
            Self::EmailVerification => Duration::days(3),
        }
    }
}

pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// A new link for `user`, replacing any unused one of the same purpose.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    purpose: Purpose,
    user: Uuid,
    email: Option<&str>,
    created_by: Option<Uuid>,
) -> ServiceResult<Issued> {
    let (token, hash) = secret_tokens::new_token()?;
    let expires_at = Utc::now() + purpose.lifetime();
    diesel::update(
        one_time_links::table
            .filter(one_time_links::user_id.eq(user))
            .filter(one_time_links::purpose.eq(purpose.as_str()))
            .filter(one_time_links::used_at.is_null()),
    )
    .set(one_time_links::used_at.eq(Utc::now()))
    .execute(conn)
    .await?;
    diesel::insert_into(one_time_links::table)
        .values((
            one_time_links::purpose.eq(purpose.as_str()),
            one_time_links::user_id.eq(user),
            one_time_links::email.eq(email),
            one_time_links::token_hash.eq(&hash),
            one_time_links::created_by.eq(created_by),
            one_time_links::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(Issued { token, expires_at })
}

/// Uses the link behind `token`: its user and (for verifications) the email it confirms. Unknown,
/// used and expired links are the same "not found".
pub async fn redeem(
    conn: &mut AsyncPgConnection,
    purpose: Purpose,
    token: &str,
) -> ServiceResult<(Uuid, Option<String>)> {
    let (id, user, email): (Uuid, Uuid, Option<String>) = one_time_links::table
        .filter(one_time_links::token_hash.eq(secret_tokens::hash(token)))
        .filter(one_time_links::purpose.eq(purpose.as_str()))
        .filter(one_time_links::used_at.is_null())
        .filter(one_time_links::expires_at.gt(Utc::now()))
        .for_update()
        .select((
            one_time_links::id,
            one_time_links::user_id,
            one_time_links::email,
        ))
        .first(conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("link"))?;
    diesel::update(one_time_links::table.find(id))
        .set(one_time_links::used_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok((user, email))
}
