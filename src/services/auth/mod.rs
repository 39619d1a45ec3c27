//! Identity: turning a bearer token into a verified `AuthUser`. Tokens are either Revtops-issued
//! (AUTH_MODE=local) or Supabase access tokens; either way the user and organization come from
//! our own `users` row, never from anything the client sends.

pub mod access;
pub mod local_tokens;
pub mod passwords;
pub mod session_listener;
pub mod sessions;
pub mod supabase;
pub mod supabase_email;
pub mod throttle;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::config::{AuthConfig, AuthMode};
use crate::db::models::{Organization, User};
use crate::db::schema::{organizations, revoked_tokens, users};
use crate::db::{DbError, DbPool};
use crate::services::{ServiceError, ServiceResult};
use local_tokens::LocalTokens;
use sessions::{Session, SessionCache};
use supabase::SupabaseVerifier;

/// Who the token says it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A Revtops user id (local mode).
    Local(Uuid),
    /// A Supabase auth user id (`sub`), matched against `users.auth_subject`.
    Supabase(String),
}

/// Profile claims a Supabase token carries (empty for local tokens).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub email: Option<String>,
    /// `app_metadata.provider`: how the user signed in (set by Supabase, not by the user).
    pub provider: String,
    pub name: Option<String>,
    pub avatar_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub subject: Subject,
    /// `jti` (or Supabase `session_id`): what logout revokes.
    pub token_id: Option<String>,
    /// `iat`: sessions older than the user's `sessions_valid_after` no longer sign in.
    pub issued_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub profile: Profile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn parse(raw: &str) -> Self {
        if raw == "admin" {
            Self::Admin
        } else {
            Self::Member
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }
}

/// The caller of an authenticated request, resolved from a verified token and our users table.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: Uuid,
    /// None until the user creates or joins an organization.
    pub org_id: Option<Uuid>,
    pub role: Role,
    pub email: Option<String>,
    pub email_verified: bool,
    pub token_id: Option<String>,
    pub token_expires_at: DateTime<Utc>,
}

impl AuthUser {
    pub fn require_org(&self) -> ServiceResult<Uuid> {
        self.org_id
            .ok_or_else(|| ServiceError::Forbidden("create or join an organization first".into()))
    }

    pub fn require_admin(&self) -> ServiceResult<Uuid> {
        let org = self.require_org()?;
        if self.role != Role::Admin {
            return Err(ServiceError::Forbidden(
                "only organization admins can do this".into(),
            ));
        }
        Ok(org)
    }

    /// The domain of the caller's email, only if that email is verified.
    pub fn verified_domain(&self) -> Option<&str> {
        if !self.email_verified {
            return None;
        }
        self.email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d)
    }
}

/// Maps a JWT failure to a short 401 reason; never echoes the token.
pub(crate) fn token_error(e: jsonwebtoken::errors::Error) -> ServiceError {
    use jsonwebtoken::errors::ErrorKind;
    let reason = match e.kind() {
        ErrorKind::ExpiredSignature => "token expired",
        ErrorKind::ImmatureSignature => "token not valid yet",
        ErrorKind::InvalidAudience => "token audience is not accepted",
        ErrorKind::InvalidIssuer => "token issuer is not accepted",
        ErrorKind::InvalidSignature => "token signature is invalid",
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::UnsupportedAlgorithm => "token algorithm is not accepted",
        ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim",
        _ => "malformed token",
    };
    ServiceError::Unauthenticated(reason.into())
}

pub struct Authenticator {
    pub mode: AuthMode,
    /// Supabase mode: who confirmed their email, per Supabase Auth.
    pub confirmed_emails: Option<supabase_email::ConfirmedEmails>,
    /// Local mode: who may register without an invitation.
    pub signup: crate::config::SignupPolicy,
    /// Verified sessions reused for SESSION_CACHE_MS while the change listener runs.
    pub sessions: Arc<SessionCache>,
    local: LocalTokens,
    supabase: Option<SupabaseVerifier>,
}

impl Authenticator {
    pub async fn new(
        config: &AuthConfig,
        signup: crate::config::SignupPolicy,
        pool: &DbPool,
    ) -> Result<Self, DbError> {
        let secret = match &config.jwt_secret {
            Some(s) => s.expose().as_bytes().to_vec(),
            None => crate::db::secrets::load_or_create(pool, "local_jwt_signing_key").await?,
        };
        let supabase = config.supabase_url.as_ref().map(|url| {
            SupabaseVerifier::new(
                url,
                config.supabase_jwks_url.as_ref(),
                config
                    .supabase_jwt_secret
                    .as_ref()
                    .map(|s| s.expose().as_str()),
            )
        });
        let confirmed_emails = config.supabase_url.as_ref().map(|url| {
            supabase_email::ConfirmedEmails::new(url, config.supabase_anon_key.as_deref())
        });
        Ok(Self {
            mode: config.mode,
            confirmed_emails,
            signup,
            sessions: Arc::new(SessionCache::new(config.session_cache)),
            local: LocalTokens::new(&secret),
            supabase,
        })
    }

    pub fn local_tokens(&self) -> ServiceResult<&LocalTokens> {
        match self.mode {
            AuthMode::Local => Ok(&self.local),
            AuthMode::Supabase => Err(ServiceError::NotFound(
                "local accounts (AUTH_MODE=supabase)",
            )),
        }
    }

    pub async fn verify(&self, token: &str) -> ServiceResult<VerifiedToken> {
        if token.len() > 8192 {
            return Err(ServiceError::Unauthenticated("malformed token".into()));
        }
        match (self.mode, &self.supabase) {
            (AuthMode::Local, _) => self.local.verify(token),
            (AuthMode::Supabase, Some(verifier)) => verifier.verify(token).await,
            (AuthMode::Supabase, None) => {
                Err(ServiceError::Internal("Supabase is not configured".into()))
            }
        }
    }

    /// The session of `token`: from the cache when it holds one, else verified and loaded (and
    /// kept for the next request).
    pub async fn session(&self, pool: &DbPool, token: &str) -> ServiceResult<Arc<Session>> {
        if let Some(session) = self.sessions.get(token) {
            return Ok(session);
        }
        let ticket = self.sessions.ticket();
        let session = Arc::new(self.load_session(pool, token).await?);
        if let Some(ticket) = ticket {
            self.sessions.insert(ticket, token, Arc::clone(&session));
        }
        Ok(session)
    }

    /// Verifies the token and loads its user from the database, never from the cache (an open
    /// socket re-checking its access after a change).
    pub async fn authenticate(&self, pool: &DbPool, token: &str) -> ServiceResult<AuthUser> {
        Ok(self.load_session(pool, token).await?.auth)
    }

    /// Verifies the token and loads its user and organization: a deleted user, a CRM-only
    /// placeholder, an unknown subject or a revoked token are all 401.
    async fn load_session(&self, pool: &DbPool, token: &str) -> ServiceResult<Session> {
        let verified = self.verify(token).await?;
        let mut conn = pool.get().await?;
        // One round trip: the user, their organization and whether this token was revoked.
        let token_id = verified.token_id.clone().unwrap_or_default();
        let revoked = diesel::dsl::exists(
            revoked_tokens::table.filter(revoked_tokens::token_id.eq(token_id)),
        );
        let base = users::table
            .left_join(organizations::table)
            .filter(users::deleted_at.is_null())
            .filter(users::status.ne("crm_only"))
            .select((
                User::as_select(),
                Option::<Organization>::as_select(),
                revoked,
            ))
            .into_boxed();
        let query = match &verified.subject {
            Subject::Local(id) => base.filter(users::id.eq(*id)),
            Subject::Supabase(sub) => base.filter(users::auth_subject.eq(sub)),
        };
        let (user, org, revoked): (User, Option<Organization>, bool) =
            query.first(&mut conn).await.optional()?.ok_or_else(|| {
                ServiceError::Unauthenticated(match verified.subject {
                    Subject::Local(_) => "unknown or deleted user".into(),
                    Subject::Supabase(_) => {
                        "no Revtops user for this token; call POST /api/auth/users/sync".into()
                    }
                })
            })?;
        if revoked {
            return Err(ServiceError::Unauthenticated("token revoked".into()));
        }
        if let Some(after) = user.sessions_valid_after
            && verified.issued_at.is_none_or(|iat| iat < after)
        {
            return Err(ServiceError::Unauthenticated(
                "this session ended when the password changed; sign in again".into(),
            ));
        }
        let auth = AuthUser {
            user_id: user.id,
            org_id: user.organization_id,
            role: Role::parse(&user.role),
            email: user.email.clone(),
            email_verified: user.email_verified,
            token_id: verified.token_id,
            token_expires_at: verified.expires_at,
        };
        Ok(Session { auth, user, org })
    }
}
