//! `/api/auth/*` session endpoints: local register/login/logout, the current user, Supabase sync.

use std::time::Duration;

use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::images::ImageUpload;
use super::text::Text;
use super::views::{OrganizationView, UserView};
use crate::db::models::{Organization, User};
use crate::http::auth::{BearerAuth, BearerSession, BearerToken};
use crate::http::client_ip::client_ip;
use crate::http::{ApiError, ApiResult, AppState};
use crate::services::auth::local_tokens::IssuedToken;
use crate::services::rate;
use crate::services::users::{self, Registration};
use crate::services::{account, images};

#[derive(Debug, Object)]
pub struct ProfileRequest {
    /// Your display name; empty clears it (your email shows instead).
    #[oai(validator(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$"))]
    pub name: Text,
}

#[derive(Debug, Object)]
pub struct RegisterRequest {
    #[oai(validator(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
    ))]
    pub email: Text,
    /// 10 to 256 characters.
    #[oai(validator(min_length = 10, max_length = 256))]
    pub password: Text,
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    pub name: Text,
    /// Token from an organization invitation: the new account joins that organization.
    #[oai(nullable, validator(max_length = 200))]
    pub invite_token: Option<Text>,
}

#[derive(Debug, Object)]
pub struct LoginRequest {
    #[oai(validator(max_length = 254))]
    pub email: Text,
    #[oai(validator(max_length = 256))]
    pub password: Text,
}

#[derive(Debug, Object)]
pub struct SessionView {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub token_type: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

impl SessionView {
    pub fn new(user: crate::db::models::User, token: IssuedToken) -> Self {
        Self {
            token: token.token,
            token_type: "Bearer".into(),
            expires_at: token.expires_at,
            user: user.into(),
        }
    }
}

#[derive(Debug, Object)]
pub struct MeView {
    pub user: UserView,
    /// Null until the user creates or joins an organization.
    #[oai(nullable)]
    pub organization: Option<OrganizationView>,
}

impl MeView {
    fn new(user: &User, org: Option<&Organization>) -> Self {
        Self {
            user: user.into(),
            organization: org.map(Into::into),
        }
    }
}

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON + Send + Sync> {
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(ApiResponse)]
pub enum NoContent {
    #[oai(status = 204)]
    NoContent,
}

pub struct AuthApi {
    state: AppState,
}

impl AuthApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The caller as the database has them now (after a change, not from the session cache).
    async fn current(&self, auth: &BearerAuth) -> ApiResult<Json<MeView>> {
        let (user, org) = users::current(&self.state.db, &auth.0).await?;
        Ok(Json(MeView::new(&user, org.as_ref())))
    }
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create a local account
    ///
    /// AUTH_MODE=local only. Passwords need at least 10 characters. With `invite_token`, the
    /// account joins the inviting organization (the invitation must be addressed to this email).
    /// Each client address may create REGISTRATIONS_PER_IP_PER_HOUR accounts an hour (429 with
    /// Retry-After beyond).
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        req: &Request,
        body: Json<RegisterRequest>,
    ) -> ApiResult<Created<SessionView>> {
        let ip = client_ip(req, &self.state.config.limits.trusted_proxies);
        let key = format!(
            "register:ip:{}",
            ip.map_or_else(|| "unknown".to_owned(), |i| i.to_string())
        );
        let limit = self.state.config.limits.registrations_per_ip_per_hour;
        rate::take(&self.state.cache, &key, limit, Duration::from_secs(3600))
            .await
            .map_err(|wait| ApiError::RateLimited {
                retry_after_secs: wait.as_secs(),
            })?;
        let body = body.0;
        let input = Registration {
            email: body.email.0,
            password: body.password.0,
            name: body.name.0,
            invite_token: body.invite_token.map(|t| t.0),
        };
        let (user, token) = users::register(&self.state.db, &self.state.auth, input).await?;
        Ok(Created::Created(Json(SessionView::new(user, token))))
    }

    /// Sign in with email and password
    ///
    /// AUTH_MODE=local only. Repeated failures from one client address, for one email or in
    /// all, are throttled (429 with Retry-After); others can still sign in to that account.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(&self, req: &Request, body: Json<LoginRequest>) -> ApiResult<Json<SessionView>> {
        let ip = client_ip(req, &self.state.config.limits.trusted_proxies);
        let body = body.0;
        let (user, token) = users::login(
            &self.state.db,
            &self.state.auth,
            &self.state.cache,
            &body.email,
            body.password.0,
            ip,
        )
        .await?;
        Ok(Json(SessionView::new(user, token)))
    }

    /// Sign out: revoke the token this request carries
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, auth: BearerAuth) -> ApiResult<NoContent> {
        users::logout(&self.state.db, &self.state.access, &auth.0).await?;
        Ok(NoContent::NoContent)
    }

    /// The signed-in user and their organization
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: BearerSession) -> ApiResult<Json<MeView>> {
        Ok(Json(MeView::new(&auth.0.user, auth.0.org.as_ref())))
    }

    /// Change your display name
    #[oai(path = "/me", method = "patch", operation_id = "update_profile")]
    async fn update_profile(
        &self,
        auth: BearerAuth,
        body: Json<ProfileRequest>,
    ) -> ApiResult<Json<MeView>> {
        let (user, org) = users::update_profile(&self.state.db, &auth.0, &body.name).await?;
        Ok(Json(MeView::new(&user, org.as_ref())))
    }

    /// Upload your avatar
    ///
    /// PNG, JPEG, WebP or GIF (never SVG), at most 512 KB, sent as the body with its
    /// Content-Type; the bytes must be of that type (422 otherwise). It replaces the one before,
    /// also over the picture of your Google account.
    #[oai(path = "/me/avatar", method = "put", operation_id = "upload_avatar")]
    async fn upload_avatar(&self, auth: BearerAuth, body: ImageUpload) -> ApiResult<Json<MeView>> {
        let bytes = body.into_checked()?;
        images::set_avatar(&self.state.db, &auth.0, Some(&bytes)).await?;
        self.current(&auth).await
    }

    /// Remove your avatar
    #[oai(path = "/me/avatar", method = "delete", operation_id = "remove_avatar")]
    async fn remove_avatar(&self, auth: BearerAuth) -> ApiResult<Json<MeView>> {
        images::set_avatar(&self.state.db, &auth.0, None).await?;
        self.current(&auth).await
    }

    /// Delete your account
    ///
    /// Your sign-in, name, email and avatar are removed and every session ends; your
    /// conversations and personal connections are deleted. Reports you saved stay with your
    /// organization. If your account came from the CRM (you own deals there), that CRM owner
    /// record stays, so its deals keep their owner. The last admin (while others remain) and
    /// an organization's only member are refused (409). In supabase mode the Google sign-in
    /// itself remains: signing in again starts a new, empty account.
    #[oai(path = "/me", method = "delete", operation_id = "delete_account")]
    async fn delete_account(&self, auth: BearerAuth) -> ApiResult<NoContent> {
        account::delete_account(&self.state.db, &self.state.access, &auth.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Create or refresh the user from the Supabase token
    ///
    /// AUTH_MODE=supabase only. Email, name and avatar come from the verified token claims; any
    /// body is ignored, ids included.
    #[oai(path = "/users/sync", method = "post", operation_id = "sync_user")]
    async fn sync_user(&self, token: BearerToken) -> ApiResult<Json<MeView>> {
        let (user, org) = users::sync_supabase(
            &self.state.db,
            &self.state.auth,
            &token.0.verified,
            &token.0.text,
        )
        .await?;
        Ok(Json(MeView::new(&user, org.as_ref())))
    }
}
