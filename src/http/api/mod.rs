//! The REST resources, one file each, combined into one OpenAPI service.

mod account;
mod artifacts;
mod auth;
mod chat;
mod config;
mod csv;
mod dashboards;
mod health;
mod images;
mod integrations;
mod invitations;
mod organizations;
mod query;
mod sync;
mod text;
mod views;
mod workspace;

use poem_openapi::{OpenApiService, Tags};

use super::state::AppState;

#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and dependency status
    System,
    /// Sign-in, sessions and the current user
    Auth,
    /// Organizations, members and invitations
    Organizations,
    /// Read-only SQL over your organization's revenue data
    Analytics,
    /// Conversations with the revenue copilot
    Chat,
    /// Saved dashboards, reports and analyses
    Artifacts,
    /// Grids of saved artifacts a team keeps coming back to
    Dashboards,
    /// Background syncs of connected providers
    Sync,
    /// Connecting HubSpot, Salesforce, Slack and Google Calendar through Nango
    Integrations,
}

pub type Apis = (
    health::HealthApi,
    config::ConfigApi,
    auth::AuthApi,
    account::AccountApi,
    organizations::OrganizationsApi,
    invitations::InvitationsApi,
    query::QueryApi,
    chat::ChatApi,
    artifacts::ArtifactsApi,
    dashboards::DashboardsApi,
    sync::SyncApi,
    integrations::IntegrationsApi,
    workspace::WorkspaceApi,
    images::ImagesApi,
);

pub fn service(state: &AppState) -> OpenApiService<Apis, ()> {
    let apis = (
        health::HealthApi::new(state.clone()),
        config::ConfigApi::new(state.clone()),
        auth::AuthApi::new(state.clone()),
        account::AccountApi::new(state.clone()),
        organizations::OrganizationsApi::new(state.clone()),
        invitations::InvitationsApi::new(state.clone()),
        query::QueryApi::new(state.clone()),
        chat::ChatApi::new(state.clone()),
        artifacts::ArtifactsApi::new(state.clone()),
        dashboards::DashboardsApi::new(state.clone()),
        sync::SyncApi::new(state.clone()),
        integrations::IntegrationsApi::new(state.clone()),
        workspace::WorkspaceApi::new(state.clone()),
        images::ImagesApi::new(state.clone()),
    );
    OpenApiService::new(apis, "Revtops API", crate::build_info::VERSION)
        .description(
            "Revenue copilot API. Errors always use the envelope \
             `{\"error\":{\"code\":\"snake_case_code\",\"message\":\"…\"}}`.",
        )
        .server("/api")
}
