//! `GET /api/config`: what the browser needs to know about this deployment before anyone signs
//! in, so one build of the UI fits every deployment.

use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use super::ApiTags;
use crate::config::AuthMode;
use crate::http::{ApiResult, AppState};
use crate::services::users;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum AuthModeView {
    /// Email and password accounts.
    Local,
    /// Google sign-in through Supabase.
    Supabase,
}

#[derive(Debug, Object)]
pub struct SupabasePublicConfig {
    pub url: String,
    /// The project's public anon key (safe in a browser).
    pub anon_key: String,
}

/// Where the browser finds Nango (set when Nango is configured).
#[derive(Debug, Object)]
pub struct NangoPublicConfig {
    /// Nango's API, which its Connect UI calls (NANGO_HOST).
    pub api_url: String,
    /// Nango's Connect UI, opened in an iframe (NANGO_CONNECT_URL).
    pub connect_url: String,
}

#[derive(Debug, Object)]
pub struct FeaturesView {
    /// A language model is configured, so the chat can answer.
    pub chat: bool,
    /// Nango is configured, so data sources can be connected.
    pub integrations: bool,
    /// Admins can load demo data from the web app.
    pub demo_data: bool,
    /// The server sends email (SMTP_URL): invitations and resets are mailed, and people can
    /// verify their address with an emailed link.
    pub email: bool,
}

#[derive(Debug, Object)]
pub struct ClientConfigView {
    pub auth_mode: AuthModeView,
    /// Set in supabase mode when SUPABASE_ANON_KEY is configured.
    #[oai(nullable)]
    pub supabase: Option<SupabasePublicConfig>,
    #[oai(nullable)]
    pub nango: Option<NangoPublicConfig>,
    /// Whether anyone may create an account (otherwise only with an invitation link).
    pub signup_open: bool,
    pub features: FeaturesView,
    pub version: String,
}

pub struct ConfigApi {
    state: AppState,
}

impl ConfigApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(tag = "ApiTags::System")]
impl ConfigApi {
    /// How this deployment signs people in and which features are on
    ///
    /// Public.
    #[oai(path = "/config", method = "get", operation_id = "client_config")]
    async fn config(&self) -> ApiResult<Json<ClientConfigView>> {
        let auth = &self.state.config.auth;
        let supabase = match (auth.mode, &auth.supabase_url, &auth.supabase_anon_key) {
            (AuthMode::Supabase, Some(url), Some(key)) => Some(SupabasePublicConfig {
                url: url.as_str().trim_end_matches('/').to_owned(),
                anon_key: key.clone(),
            }),
            _ => None,
        };
        let integrations = &self.state.config.integrations;
        let nango = self.state.nango.is_some().then(|| NangoPublicConfig {
            api_url: integrations
                .nango_host
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            connect_url: integrations
                .nango_connect_url
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
        });
        Ok(Json(ClientConfigView {
            auth_mode: match auth.mode {
                AuthMode::Local => AuthModeView::Local,
                AuthMode::Supabase => AuthModeView::Supabase,
            },
            supabase,
            nango,
            // Supabase decides who may sign up with Google; a new user then creates or joins.
            signup_open: auth.mode == AuthMode::Supabase
                || users::signup_open(&self.state.db, &self.state.auth).await?,
            features: FeaturesView {
                chat: self.state.agent.llm.is_some(),
                integrations: self.state.nango.is_some(),
                demo_data: true,
                email: self.state.mailer.enabled(),
            },
            version: crate::build_info::VERSION.to_owned(),
        }))
    }
}
