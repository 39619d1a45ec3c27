//! `/api/auth/*` for one's own account: change the password, set one from a reset link (and the
//! admin endpoint that issues those links), verify the email address, leave the organization.
//! (Deleting the account is `DELETE /me`, beside `GET /me` in `auth.rs`: one path, one API.)

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{NoContent, SessionView};
use super::organizations::session_if_moved;
use super::text::Text;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::{account, organizations};

#[derive(Debug, Object)]
pub struct ChangePasswordRequest {
    #[oai(validator(max_length = 256))]
    pub current_password: Text,
    /// 10 to 256 characters.
    #[oai(validator(min_length = 10, max_length = 256))]
    pub new_password: Text,
}

#[derive(Debug, Object)]
pub struct ResetPasswordRequest {
    /// The token from the reset link (`/reset-password/<token>`).
    #[oai(validator(max_length = 200))]
    pub token: Text,
    /// 10 to 256 characters.
    #[oai(validator(min_length = 10, max_length = 256))]
    pub new_password: Text,
}

#[derive(Debug, Object)]
pub struct VerifyEmailRequest {
    /// The token from the verification link (`/verify-email/<token>`).
    #[oai(validator(max_length = 200))]
    pub token: Text,
}

#[derive(Debug, Object)]
pub struct ResetLinkView {
    /// The page where the member chooses a new password (absolute when PUBLIC_URL is set). It
    /// works once; share it only with them.
    pub link: String,
    /// Whether it was emailed to the member (SMTP configured).
    pub emailed: bool,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct VerificationSentView {
    /// When the emailed link stops working.
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct LeftView {
    /// Set when your account moved off the organization's record of you as a CRM owner (which
    /// stays behind, owning its deals) and your old token stopped working: continue with this
    /// session (local accounts; a Supabase session goes on working).
    #[oai(nullable)]
    pub session: Option<SessionView>,
}

pub struct AccountApi {
    state: AppState,
}

impl AccountApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AccountApi {
    /// Change your password
    ///
    /// AUTH_MODE=local only. Every other session of your account ends (its sockets close with
    /// 4401); continue with the session returned. A wrong current password is 403.
    #[oai(path = "/password", method = "post", operation_id = "change_password")]
    async fn change_password(
        &self,
        auth: BearerAuth,
        body: Json<ChangePasswordRequest>,
    ) -> ApiResult<Json<SessionView>> {
        let body = body.0;
        let (user, token) = account::change_password(
            &self.state.db,
            &self.state.auth,
            &self.state.access,
            &auth.0,
            body.current_password.0,
            body.new_password.0,
        )
        .await?;
        Ok(Json(SessionView::new(user, token)))
    }

    /// Choose a new password with a reset link (public: the token is the credential)
    ///
    /// AUTH_MODE=local only. The link works once, within 24 hours; every existing session of
    /// the account ends and you are signed in. 404 when the token is unknown, used or expired.
    #[oai(
        path = "/password-reset",
        method = "post",
        operation_id = "reset_password"
    )]
    async fn reset_password(
        &self,
        body: Json<ResetPasswordRequest>,
    ) -> ApiResult<Json<SessionView>> {
        let body = body.0;
        let (user, token) = account::reset_password(
            &self.state.db,
            &self.state.auth,
            &self.state.access,
            &body.token,
            body.new_password.0,
        )
        .await?;
        Ok(Json(SessionView::new(user, token)))
    }

    /// Email yourself a link that verifies your address
    ///
    /// AUTH_MODE=local only (Supabase verifies addresses itself). A verified address lets you
    /// claim your email domain for your organization, or join the one that did. 503 when the
    /// server has no SMTP_URL (its operator can run `revtops verify-email <address>`); 409 when
    /// already verified.
    #[oai(
        path = "/email/verification",
        method = "post",
        operation_id = "send_email_verification"
    )]
    async fn send_verification(&self, auth: BearerAuth) -> ApiResult<Json<VerificationSentView>> {
        let expires_at = account::send_verification(
            &self.state.db,
            &self.state.auth,
            &self.state.mailer,
            &auth.0,
        )
        .await?;
        Ok(Json(VerificationSentView { expires_at }))
    }

    /// Confirm your email address with the emailed link (public: the token is the credential)
    ///
    /// 404 when the token is unknown, used or expired, or the account's address changed since.
    #[oai(path = "/email/verify", method = "post", operation_id = "verify_email")]
    async fn verify_email(&self, body: Json<VerifyEmailRequest>) -> ApiResult<NoContent> {
        account::verify_email(&self.state.db, &self.state.access, &body.token).await?;
        Ok(NoContent::NoContent)
    }

    /// Leave your organization
    ///
    /// Your account stays, without an organization; your conversations and personal
    /// connections in it are deleted, reports you saved stay. The last admin (while others
    /// remain) and the only member are refused (409).
    #[oai(
        path = "/organizations/current/leave",
        method = "post",
        operation_id = "leave_organization",
        tag = "ApiTags::Organizations"
    )]
    async fn leave(&self, auth: BearerAuth) -> ApiResult<Json<LeftView>> {
        let continues = organizations::leave(&self.state.db, &self.state.access, &auth.0).await?;
        Ok(Json(LeftView {
            session: session_if_moved(&self.state, &auth.0, continues).await?,
        }))
    }

    /// Issue a one-time password-reset link for a member (admin)
    ///
    /// AUTH_MODE=local only. The link works once, within 24 hours; it is emailed to the member
    /// when the server has SMTP_URL, and returned either way for you to pass on. A newer link
    /// replaces an unused one.
    #[oai(
        path = "/organizations/current/members/:user_id/password-reset",
        method = "post",
        operation_id = "issue_password_reset",
        tag = "ApiTags::Organizations"
    )]
    async fn issue_password_reset(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
    ) -> ApiResult<Json<ResetLinkView>> {
        let sent = account::issue_password_reset(
            &self.state.db,
            &self.state.auth,
            &self.state.mailer,
            &auth.0,
            user_id.0,
        )
        .await?;
        Ok(Json(ResetLinkView {
            link: sent.link,
            emailed: sent.emailed,
            expires_at: sent.expires_at,
        }))
    }
}
