//! API DTOs for users and organizations, converted explicitly from diesel rows.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::db::models::{Organization, User};
use crate::services::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RoleView {
    Admin,
    Member,
}

impl From<RoleView> for Role {
    fn from(r: RoleView) -> Self {
        match r {
            RoleView::Admin => Role::Admin,
            RoleView::Member => Role::Member,
        }
    }
}

impl RoleView {
    pub fn parse(raw: &str) -> Self {
        match Role::parse(raw) {
            Role::Admin => Self::Admin,
            Role::Member => Self::Member,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum UserStatusView {
    Active,
    Invited,
    /// A CRM record owner who has not signed in (so "deals by rep" works).
    CrmOnly,
}

#[derive(Debug, Object)]
pub struct UserView {
    pub id: Uuid,
    #[oai(nullable)]
    pub email: Option<String>,
    pub email_verified: bool,
    #[oai(nullable)]
    pub name: Option<String>,
    #[oai(nullable)]
    pub avatar_url: Option<String>,
    pub role: RoleView,
    pub status: UserStatusView,
    #[oai(nullable)]
    pub organization_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            email_verified: u.email_verified,
            name: u.name.clone(),
            avatar_url: u.avatar_url.clone(),
            role: RoleView::parse(&u.role),
            status: match u.status.as_str() {
                "invited" => UserStatusView::Invited,
                "crm_only" => UserStatusView::CrmOnly,
                _ => UserStatusView::Active,
            },
            organization_id: u.organization_id,
            created_at: u.created_at,
        }
    }
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self::from(&u)
    }
}

#[derive(Debug, Object)]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    #[oai(nullable)]
    pub email_domain: Option<String>,
    #[oai(nullable)]
    pub logo_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&Organization> for OrganizationView {
    fn from(o: &Organization) -> Self {
        Self {
            id: o.id,
            name: o.name.clone(),
            email_domain: o.email_domain.clone(),
            logo_url: o.logo_url.clone(),
            created_at: o.created_at,
        }
    }
}

impl From<Organization> for OrganizationView {
    fn from(o: Organization) -> Self {
        Self::from(&o)
    }
}
