//! `/api/auth/organizations/*`: create, look up and join by domain, members and their roles
//! (invitations: `invitations.rs`; leaving: `account.rs`).
//! The organization is always the caller's own (from their user row); ids in paths only name
//! members, and a member of another organization is indistinguishable from a missing one.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Created, NoContent, SessionView};
use super::images::ImageUpload;
use super::text::Text;
use super::views::{OrganizationView, RoleView, UserView};
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::auth::AuthUser;
use crate::services::{images, organizations, seats, users};

#[derive(Debug, Object)]
pub struct CreateOrganizationRequest {
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    pub name: Text,
    /// Claim this email domain so colleagues can join: it must be the domain of your verified
    /// email and not a public mail provider.
    #[oai(
        nullable,
        validator(
            max_length = 253,
            pattern = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
        )
    )]
    pub email_domain: Option<Text>,
}

#[derive(Debug, Object)]
pub struct UpdateOrganizationRequest {
    #[oai(
        nullable,
        validator(
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
        )
    )]
    pub name: Option<Text>,
    /// An http(s) URL; null removes the logo.
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^https?://(?:[A-Za-z0-9]{1,63}(?:-[A-Za-z0-9]{1,63})*\.)*[A-Za-z][A-Za-z0-9]{0,62}(?:-[A-Za-z0-9]{1,63})*(?::[0-9]{1,4})?(?:/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?$"
        )
    )]
    pub logo_url: MaybeUndefined<Text>,
}

#[derive(Debug, Object)]
pub struct DomainLookupView {
    pub domain: String,
    pub exists: bool,
    /// Name of the organization you can join, if one exists.
    #[oai(nullable)]
    pub name: Option<String>,
}

#[derive(Debug, Object)]
pub struct MembershipView {
    pub organization: OrganizationView,
    /// Set when your account took over the organization's existing record of you as a CRM
    /// owner (its deals and activities are now yours) and your old token stopped working:
    /// continue with this session (local accounts; a Supabase session goes on working).
    #[oai(nullable)]
    pub session: Option<SessionView>,
}

#[derive(Debug, Object)]
pub struct ChangeRoleRequest {
    pub role: RoleView,
}

pub struct OrganizationsApi {
    state: AppState,
}

impl OrganizationsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Where a join left the caller, with a new session when their account moved onto another row.
pub(super) async fn membership(
    state: &AppState,
    caller: &AuthUser,
    joined: seats::Joined,
) -> ApiResult<Json<MembershipView>> {
    Ok(Json(MembershipView {
        organization: joined.organization.into(),
        session: session_if_moved(state, caller, joined.user_id).await?,
    }))
}

/// A session for `continues_as` when it is not the caller's own id (local mode).
pub(super) async fn session_if_moved(
    state: &AppState,
    caller: &AuthUser,
    continues_as: Uuid,
) -> ApiResult<Option<SessionView>> {
    if continues_as == caller.user_id {
        return Ok(None);
    }
    Ok(users::new_session(&state.db, &state.auth, continues_as)
        .await?
        .map(|(user, token)| SessionView::new(user, token)))
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Organizations")]
impl OrganizationsApi {
    /// Create an organization; the caller becomes its admin
    #[oai(
        path = "/organizations",
        method = "post",
        operation_id = "create_organization"
    )]
    async fn create(
        &self,
        auth: BearerAuth,
        body: Json<CreateOrganizationRequest>,
    ) -> ApiResult<Created<OrganizationView>> {
        let org = organizations::create(
            &self.state.db,
            &auth.0,
            &body.name,
            body.email_domain.as_deref(),
        )
        .await?;
        Ok(Created::Created(Json(org.into())))
    }

    /// Whether an organization exists for your own verified email domain
    ///
    /// Any other domain is refused (403), so this cannot enumerate customers. No ids are returned.
    #[oai(
        path = "/organizations/by-domain/:domain",
        method = "get",
        operation_id = "organization_by_domain"
    )]
    async fn by_domain(
        &self,
        auth: BearerAuth,
        #[oai(validator(
            max_length = 253,
            pattern = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
        ))]
        domain: Path<String>,
    ) -> ApiResult<Json<DomainLookupView>> {
        let found = organizations::lookup_domain(&self.state.db, &auth.0, &domain.0).await?;
        Ok(Json(DomainLookupView {
            domain: found.domain,
            exists: found.name.is_some(),
            name: found.name,
        }))
    }

    /// Join the organization of your verified email domain, as a member
    #[oai(
        path = "/organizations/join",
        method = "post",
        operation_id = "join_organization"
    )]
    async fn join(&self, auth: BearerAuth) -> ApiResult<Json<MembershipView>> {
        let joined = organizations::join_by_domain(&self.state.db, &auth.0).await?;
        membership(&self.state, &auth.0, joined).await
    }

    /// Members of your organization (CRM-only owners included, flagged by status)
    #[oai(
        path = "/organizations/current/members",
        method = "get",
        operation_id = "list_members"
    )]
    async fn members(&self, auth: BearerAuth) -> ApiResult<Json<Vec<UserView>>> {
        let members = organizations::members(&self.state.db, &auth.0).await?;
        Ok(Json(members.into_iter().map(Into::into).collect()))
    }

    /// Rename your organization or change its logo (admin)
    #[oai(
        path = "/organizations/current",
        method = "patch",
        operation_id = "update_organization"
    )]
    async fn update(
        &self,
        auth: BearerAuth,
        body: Json<UpdateOrganizationRequest>,
    ) -> ApiResult<Json<OrganizationView>> {
        let logo = match &body.logo_url {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(&**v)),
        };
        let org =
            organizations::update(&self.state.db, &auth.0, body.name.as_deref(), logo).await?;
        Ok(Json(org.into()))
    }

    /// Upload your organization's logo (admin)
    ///
    /// PNG, JPEG, WebP or GIF (never SVG), at most 512 KB, sent as the body with its
    /// Content-Type; the bytes must be of that type (422 otherwise). It replaces the one before;
    /// `logo_url` then points at this server.
    #[oai(
        path = "/organizations/current/logo",
        method = "put",
        operation_id = "upload_organization_logo"
    )]
    async fn upload_logo(
        &self,
        auth: BearerAuth,
        body: ImageUpload,
    ) -> ApiResult<Json<OrganizationView>> {
        let bytes = body.into_checked()?;
        let org = images::set_logo(&self.state.db, &auth.0, Some(&bytes)).await?;
        Ok(Json(org.into()))
    }

    /// Remove your organization's logo (admin)
    #[oai(
        path = "/organizations/current/logo",
        method = "delete",
        operation_id = "remove_organization_logo"
    )]
    async fn remove_logo(&self, auth: BearerAuth) -> ApiResult<Json<OrganizationView>> {
        let org = images::set_logo(&self.state.db, &auth.0, None).await?;
        Ok(Json(org.into()))
    }

    /// Change a member's role (admin; the last admin cannot be demoted)
    #[oai(
        path = "/organizations/current/members/:user_id",
        method = "patch",
        operation_id = "change_member_role"
    )]
    async fn change_role(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
        body: Json<ChangeRoleRequest>,
    ) -> ApiResult<Json<UserView>> {
        let user = organizations::change_role(
            &self.state.db,
            &self.state.access,
            &auth.0,
            user_id.0,
            body.role.into(),
        )
        .await?;
        Ok(Json(user.into()))
    }

    /// Remove a member from your organization (admin; the last admin cannot be removed)
    #[oai(
        path = "/organizations/current/members/:user_id",
        method = "delete",
        operation_id = "remove_member"
    )]
    async fn remove(&self, auth: BearerAuth, user_id: Path<Uuid>) -> ApiResult<NoContent> {
        organizations::remove_member(&self.state.db, &self.state.access, &auth.0, user_id.0)
            .await?;
        Ok(NoContent::NoContent)
    }
}
