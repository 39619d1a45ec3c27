//! Diesel row types. They stay inside services; the HTTP layer converts them to API DTOs.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{invitations, organizations, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub auth_subject: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub avatar_url: Option<String>,
    pub role: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Tokens issued before this no longer sign in (password changed or reset).
    pub sessions_valid_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub organization_id: Option<Uuid>,
    pub auth_subject: Option<&'a str>,
    pub email: Option<&'a str>,
    pub email_verified: bool,
    pub name: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
    pub role: &'a str,
    pub status: &'a str,
    pub password_hash: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations, check_for_backend(diesel::pg::Pg))]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub email_domain: Option<String>,
    pub logo_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations, check_for_backend(diesel::pg::Pg))]
pub struct Invitation {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::conversations, check_for_backend(diesel::pg::Pg))]
pub struct Conversation {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub title: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::chat_messages, check_for_backend(diesel::pg::Pg))]
pub struct ChatMessage {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub role: String,
    pub content: serde_json::Value,
    pub model: Option<String>,
    pub usage: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::artifacts, check_for_backend(diesel::pg::Pg))]
pub struct Artifact {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    #[diesel(column_name = type_)]
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub queries: serde_json::Value,
    pub chart_spec: Option<serde_json::Value>,
    pub snapshot: Option<serde_json::Value>,
    pub is_live: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The snapshot holds rows only its creator may see (their private calendar events).
    pub snapshot_private: bool,
}

/// A grid of saved artifacts, shared in its organization.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::dashboards, check_for_backend(diesel::pg::Pg))]
pub struct Dashboard {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Option<Uuid>,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One artifact on a dashboard; its organization is the dashboard's.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::dashboard_tiles, check_for_backend(diesel::pg::Pg))]
pub struct DashboardTile {
    pub id: Uuid,
    pub dashboard_id: Uuid,
    pub artifact_id: Uuid,
    pub position: i32,
    pub width: i16,
    pub height: i16,
    pub chart_spec: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// A sync job and, once finished, its history entry.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = super::schema::sync_runs, check_for_backend(diesel::pg::Pg))]
pub struct SyncRun {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub integration_id: Uuid,
    pub provider: String,
    pub status: String,
    pub trigger: String,
    pub full_sync: bool,
    pub counts: serde_json::Value,
    pub progress: serde_json::Value,
    pub error: Option<String>,
    pub error_count: i32,
    pub attempt: i32,
    pub worker_id: Option<String>,
    pub requested_by: Option<Uuid>,
    pub queued_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A provider connection of an organization (or of one member, for user-scope providers).
/// `credential_ciphertext` is deliberately not selected: nothing above the connector layer reads
/// credentials.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::integrations, check_for_backend(diesel::pg::Pg))]
pub struct Integration {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub provider: String,
    pub scope: String,
    pub user_id: Option<Uuid>,
    pub nango_connection_id: Option<String>,
    pub is_active: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sync_cursors: serde_json::Value,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A personal connection's owner shares it with the organization.
    pub shared: bool,
    /// `token` when an admin stored a provider token directly instead of connecting via Nango.
    pub credential_kind: Option<String>,
}
