//! `/api/auth/invitations/*` and `/api/auth/organizations/current/invitations`: admins invite by
//! email, see who has not accepted yet and revoke links; invitees preview and accept.

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Created, NoContent};
use super::organizations::{MembershipView, membership};
use super::text::Text;
use super::views::RoleView;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::invitations;

#[derive(Debug, Object)]
pub struct InviteRequest {
    #[oai(validator(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
    ))]
    pub email: Text,
    /// Default (or null): member.
    #[oai(default = "default_role", nullable)]
    pub role: RoleView,
}

fn default_role() -> RoleView {
    RoleView::Member
}

#[derive(Debug, Object)]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    pub role: RoleView,
    pub expires_at: DateTime<Utc>,
    /// Shown only in this response: share it with the invitee (register with `invite_token`, or
    /// `POST /api/auth/invitations/accept`).
    pub token: String,
    /// The page that accepts the invitation (absolute when PUBLIC_URL is set): share it.
    pub link: String,
    /// Whether the invitation was emailed to the invitee (SMTP configured); otherwise share
    /// the link yourself.
    pub emailed: bool,
}

/// An invitation nobody has accepted yet (its link is not shown again).
#[derive(Debug, Object)]
pub struct PendingInvitationView {
    pub id: Uuid,
    pub email: String,
    pub role: RoleView,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Past `expires_at`: the link no longer works; invite again for a new one.
    pub expired: bool,
}

#[derive(Debug, Object)]
pub struct AcceptInvitationRequest {
    #[oai(validator(max_length = 200))]
    pub token: Text,
}

#[derive(Debug, Object)]
pub struct InvitationPreviewView {
    pub organization_name: String,
    /// The invitation is for this address: sign up or sign in with it.
    pub email: String,
    pub role: RoleView,
    pub expires_at: DateTime<Utc>,
}

pub struct InvitationsApi {
    state: AppState,
}

impl InvitationsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Organizations")]
impl InvitationsApi {
    /// Invite someone by email (admin)
    ///
    /// A new invitation to the same address replaces a pending one. The link is emailed when
    /// the server has SMTP_URL, and always returned.
    #[oai(
        path = "/organizations/current/invitations",
        method = "post",
        operation_id = "invite_member"
    )]
    async fn invite(
        &self,
        auth: BearerAuth,
        body: Json<InviteRequest>,
    ) -> ApiResult<Created<InvitationView>> {
        let invited = invitations::invite(
            &self.state.db,
            &self.state.mailer,
            &auth.0,
            &body.email,
            body.role.into(),
        )
        .await?;
        let inv = invited.invitation;
        Ok(Created::Created(Json(InvitationView {
            id: inv.id,
            email: inv.email,
            role: body.role,
            expires_at: inv.expires_at,
            token: invited.token,
            link: invited.link,
            emailed: invited.emailed,
        })))
    }

    /// Invitations of your organization nobody has accepted yet, newest first (admin)
    ///
    /// Expired ones are listed too, flagged, so you see why a link stopped working.
    #[oai(
        path = "/organizations/current/invitations",
        method = "get",
        operation_id = "list_invitations"
    )]
    async fn list(&self, auth: BearerAuth) -> ApiResult<Json<Vec<PendingInvitationView>>> {
        let now = Utc::now();
        let pending = invitations::pending(&self.state.db, &auth.0).await?;
        Ok(Json(
            pending
                .into_iter()
                .map(|inv| PendingInvitationView {
                    id: inv.id,
                    role: RoleView::parse(&inv.role),
                    expired: inv.expires_at <= now,
                    email: inv.email,
                    created_at: inv.created_at,
                    expires_at: inv.expires_at,
                })
                .collect(),
        ))
    }

    /// Revoke a pending invitation (admin): its link stops working at once
    #[oai(
        path = "/organizations/current/invitations/:invitation_id",
        method = "delete",
        operation_id = "revoke_invitation"
    )]
    async fn revoke(&self, auth: BearerAuth, invitation_id: Path<Uuid>) -> ApiResult<NoContent> {
        invitations::revoke(&self.state.db, &auth.0, invitation_id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Accept an invitation addressed to your email
    #[oai(
        path = "/invitations/accept",
        method = "post",
        operation_id = "accept_invitation"
    )]
    async fn accept(
        &self,
        auth: BearerAuth,
        body: Json<AcceptInvitationRequest>,
    ) -> ApiResult<Json<MembershipView>> {
        let joined = invitations::accept_invitation(&self.state.db, &auth.0, &body.token).await?;
        membership(&self.state, &auth.0, joined).await
    }

    /// What an invitation link offers (public: the token is the credential)
    ///
    /// 404 when the token is unknown, already used or expired.
    #[oai(
        path = "/invitations/preview",
        method = "post",
        operation_id = "preview_invitation"
    )]
    async fn preview(
        &self,
        body: Json<AcceptInvitationRequest>,
    ) -> ApiResult<Json<InvitationPreviewView>> {
        let (invitation, organization_name) =
            invitations::preview_invitation(&self.state.db, &body.token).await?;
        Ok(Json(InvitationPreviewView {
            organization_name,
            email: invitation.email,
            role: RoleView::parse(&invitation.role),
            expires_at: invitation.expires_at,
        }))
    }
}
