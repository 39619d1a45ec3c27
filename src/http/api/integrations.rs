//! `/api/auth/*` provider connections through Nango, and `POST /api/webhooks/nango`. The
//! organization (and, for user-scope providers, the member) always comes from the token; a
//! connection is recorded only once Nango confirms it was created for them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem::{Request, RequestBody};
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, Enum, ExtractParamOptions, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::text::Text;
use crate::db::models::Integration;
use crate::http::auth::BearerAuth;
use crate::http::{ApiError, ApiResult, AppState};
use crate::services::integrations::{self, Broker, Provider, Scope, WebhookOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ProviderView {
    Hubspot,
    Salesforce,
    Slack,
    GoogleCalendar,
}

impl From<Provider> for ProviderView {
    fn from(p: Provider) -> Self {
        match p {
            Provider::Hubspot => Self::Hubspot,
            Provider::Salesforce => Self::Salesforce,
            Provider::Slack => Self::Slack,
            Provider::GoogleCalendar => Self::GoogleCalendar,
        }
    }
}

/// `organization`: one connection for the whole organization, connected by an admin.
/// `user`: each member connects their own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ScopeView {
    Organization,
    User,
}

impl From<Scope> for ScopeView {
    fn from(s: Scope) -> Self {
        match s {
            Scope::Organization => Self::Organization,
            Scope::User => Self::User,
        }
    }
}

#[derive(Debug, Object)]
pub struct AvailableIntegrationView {
    pub provider: ProviderView,
    pub display_name: String,
    pub scope: ScopeView,
    /// Nango is configured on this server, so the provider can be connected.
    pub nango_configured: bool,
    /// Connected and active: for the organization, or for user-scope providers by you.
    pub connected: bool,
    /// This server can sync it (otherwise it connects, but nothing is read yet).
    pub syncable: bool,
    /// User-scope providers: the members of your organization who connected their own.
    pub connected_users: Vec<Uuid>,
    /// An admin can enter a token for it instead of connecting through Nango (the server has
    /// CREDENTIALS_KEY to encrypt it with).
    pub direct_tokens: bool,
}

#[derive(Debug, Object)]
pub struct ConnectSessionView {
    /// Nango connect session token for the frontend SDK (`nango.openConnectUI({sessionToken})`).
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// Nango's hosted connect page for this session.
    #[oai(nullable)]
    pub connect_link: Option<String>,
    /// The Nango integration id (provider config key) the session is limited to.
    pub integration_id: String,
    pub provider: ProviderView,
}

#[derive(Debug, Object)]
pub struct ConnectRedirectView {
    /// Send the browser here (`window.location.href = url`) to authorize the provider.
    pub url: String,
}

#[derive(Debug, Object)]
pub struct CallbackRequest {
    /// `hubspot`, `salesforce`, `slack` or `google_calendar` (`google-calendar` accepted).
    #[oai(validator(pattern = r"^(?:hubspot|salesforce|slack|google_calendar|google-calendar)$"))]
    pub provider: Text,
    /// The connection id Nango reported to the frontend.
    #[oai(validator(
        max_length = 255,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    ))]
    pub connection_id: Text,
}

#[derive(Debug, Object)]
pub struct IntegrationView {
    pub id: Uuid,
    pub provider: ProviderView,
    pub scope: ScopeView,
    /// The member who owns a user-scope integration.
    #[oai(nullable)]
    pub user_id: Option<Uuid>,
    pub is_active: bool,
    /// When the integration was first connected.
    pub connected_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[oai(nullable)]
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The last sync or token-refresh failure, if not resolved since.
    #[oai(nullable)]
    pub last_error: Option<String>,
    /// A personal connection (a calendar) its owner shares with the organization: colleagues
    /// see its events except those marked private. Always true for organization connections.
    pub shared: bool,
    /// How the server reaches the provider: a Nango connection, or a token an admin entered
    /// (never returned).
    pub credential: CredentialView,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CredentialView {
    Nango,
    Token,
}

/// A provider credential entered directly: `token` for hubspot (a private app's access token)
/// and slack (the bot token, `xoxb-…`); `instance_url`, `client_id` and `client_secret` for
/// salesforce (a connected app with the client credentials flow).
#[derive(Debug, Object)]
pub struct TokenRequest {
    #[oai(nullable, validator(max_length = 4096))]
    pub token: Option<Text>,
    #[oai(nullable, validator(max_length = 2048))]
    pub instance_url: Option<Text>,
    #[oai(nullable, validator(max_length = 4096))]
    pub client_id: Option<Text>,
    #[oai(nullable, validator(max_length = 4096))]
    pub client_secret: Option<Text>,
}

/// Whether to share your calendar with your organization.
#[derive(Debug, Object)]
pub struct SharingRequest {
    pub shared: bool,
}

impl TryFrom<Integration> for IntegrationView {
    type Error = ApiError;

    fn try_from(row: Integration) -> Result<Self, ApiError> {
        let provider = Provider::parse(&row.provider)
            .ok_or_else(|| ApiError::internal(format!("unknown provider {}", row.provider)))?;
        Ok(Self {
            id: row.id,
            provider: provider.into(),
            scope: if row.scope == Scope::User.as_str() {
                ScopeView::User
            } else {
                ScopeView::Organization
            },
            user_id: row.user_id,
            is_active: row.is_active,
            connected_at: row.created_at,
            updated_at: row.updated_at,
            last_sync_at: row.last_sync_at,
            last_error: row.last_error,
            shared: row.shared || row.scope != Scope::User.as_str(),
            credential: if row.credential_kind.is_some() {
                CredentialView::Token
            } else {
                CredentialView::Nango
            },
        })
    }
}

/// What a webhook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum WebhookResult {
    Recorded,
    RefreshFailed,
    Ignored,
}

#[derive(Debug, Object)]
pub struct WebhookAck {
    pub result: WebhookResult,
    #[oai(nullable)]
    pub detail: Option<String>,
}

/// The webhook Nango posts (documentation only: the raw bytes are what the signature covers).
/// Only `type: auth` is acted on; other types are acknowledged.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NangoWebhookBody {
    #[oai(nullable)]
    pub from: Option<String>,
    #[oai(rename = "type")]
    pub kind: String,
    /// `creation`, `override` or `refresh`.
    #[oai(nullable)]
    pub operation: Option<String>,
    #[oai(nullable)]
    pub success: Option<bool>,
    #[oai(nullable)]
    pub connection_id: Option<String>,
    #[oai(nullable)]
    pub provider_config_key: Option<String>,
    #[oai(nullable)]
    pub tags: Option<BTreeMap<String, String>>,
}

/// A JSON request body kept as raw bytes (signatures are computed over them), documented with
/// the schema of `T`.
pub struct RawJson<T> {
    pub bytes: Vec<u8>,
    _schema: std::marker::PhantomData<T>,
}

impl<'a, T: Type> ApiExtractor<'a> for RawJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "application/json",
                schema: T::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        _request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let bytes =
            body.take()?.into_vec().await.map_err(|e| {
                ApiError::BadRequest(format!("could not read the request body: {e}"))
            })?;
        Ok(Self {
            bytes,
            _schema: std::marker::PhantomData,
        })
    }
}

fn provider(raw: &str) -> ApiResult<Provider> {
    Provider::parse(raw)
        .ok_or_else(|| ApiError::NotFound(format!("no integration provider named {raw:?}")))
}

pub struct IntegrationsApi {
    state: AppState,
}

impl IntegrationsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The first sync of a (re)connected integration. The connection is recorded either way: a
    /// failure here is logged and the scheduler queues the sync on its next pass.
    async fn start_initial_sync(
        &self,
        row: &crate::db::models::Integration,
        by: Option<uuid::Uuid>,
    ) {
        match crate::services::sync::start_initial(&self.state.sync, row, by).await {
            Ok(Some(run)) => tracing::info!(run_id = %run.run.id, "initial sync queued"),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(integration_id = %row.id, error = %e, "cannot queue the initial sync")
            }
        }
    }

    fn broker(&self) -> Broker<'_> {
        Broker {
            client: self.state.nango.as_ref(),
            config: &self.state.config.integrations,
        }
    }

    async fn session(&self, auth: &BearerAuth, raw: &str) -> ApiResult<integrations::NewSession> {
        let provider = provider(raw)?;
        Ok(integrations::connect_session(self.broker(), &auth.0, provider).await?)
    }
}

#[OpenApi(tag = "ApiTags::Integrations")]
impl IntegrationsApi {
    /// Providers you can connect, whether Nango is configured, and what is connected
    #[oai(
        path = "/auth/available-integrations",
        method = "get",
        operation_id = "available_integrations"
    )]
    async fn available(&self, auth: BearerAuth) -> ApiResult<Json<Vec<AvailableIntegrationView>>> {
        let list = integrations::available(&self.state.db, self.broker(), &auth.0).await?;
        Ok(Json(
            list.into_iter()
                .map(|a| AvailableIntegrationView {
                    provider: a.provider.into(),
                    display_name: a.provider.display_name().into(),
                    scope: a.provider.scope().into(),
                    nango_configured: a.configured,
                    connected: a.connected,
                    syncable: a.provider.syncable(),
                    connected_users: a.connected_users,
                    direct_tokens: a.direct_tokens,
                })
                .collect(),
        ))
    }

    /// A Nango connect session for the frontend SDK
    ///
    /// Tagged with your organization and user and limited to this provider. Organization-wide
    /// providers (hubspot, salesforce, slack) need the admin role; google_calendar connects
    /// your own calendar. `{provider}` also accepts `google-calendar`. After the flow, report the
    /// connection with `POST /api/auth/callback`. 503 `integrations_unavailable` without
    /// NANGO_SECRET_KEY.
    #[oai(
        path = "/auth/connect/:provider/session",
        method = "get",
        operation_id = "connect_session"
    )]
    async fn connect_session(
        &self,
        auth: BearerAuth,
        #[oai(validator(
            pattern = r"^(?:hubspot|salesforce|slack|google_calendar|google-calendar)$"
        ))]
        provider: Path<String>,
    ) -> ApiResult<Json<ConnectSessionView>> {
        let s = self.session(&auth, &provider.0).await?;
        Ok(Json(ConnectSessionView {
            token: s.token,
            expires_at: s.expires_at,
            connect_link: s.connect_link,
            integration_id: s.integration_id,
            provider: s.provider.into(),
        }))
    }

    /// The Nango connect page to send the browser to
    ///
    /// The same session as `/session`, shaped for a redirect. This is a JSON answer, not an
    /// HTTP redirect: the request needs your bearer token, which a plain browser navigation
    /// cannot carry, so the frontend sets `window.location.href` to `url`. Same permissions and
    /// 503 as `/session`.
    #[oai(
        path = "/auth/connect/:provider",
        method = "get",
        operation_id = "connect_link"
    )]
    async fn connect_link(
        &self,
        auth: BearerAuth,
        #[oai(validator(
            pattern = r"^(?:hubspot|salesforce|slack|google_calendar|google-calendar)$"
        ))]
        provider: Path<String>,
    ) -> ApiResult<Json<ConnectRedirectView>> {
        let s = self.session(&auth, &provider.0).await?;
        let url = s.connect_link.ok_or_else(|| {
            ApiError::Unavailable("Nango returned no connect link for this session".into())
        })?;
        Ok(Json(ConnectRedirectView { url }))
    }

    /// Record a connection after the Nango flow
    ///
    /// Nango must confirm that the connection exists for this provider's integration and was
    /// created by a session of your organization (and, for google_calendar, of you); otherwise
    /// 403 and nothing is recorded. Reactivates a disconnected integration. Same permissions
    /// and 503 as the connect endpoints.
    #[oai(
        path = "/auth/callback",
        method = "post",
        operation_id = "integration_callback"
    )]
    async fn callback(
        &self,
        auth: BearerAuth,
        body: Json<CallbackRequest>,
    ) -> ApiResult<Json<IntegrationView>> {
        let provider = Provider::parse(&body.provider).ok_or_else(|| {
            ApiError::Validation(format!(
                "provider must be one of hubspot, salesforce, slack, google_calendar (got {:?})",
                body.provider
            ))
        })?;
        let row = integrations::record_connection(
            &self.state.db,
            self.broker(),
            &auth.0,
            provider,
            &body.connection_id,
        )
        .await?;
        tracing::info!(integration_id = %row.id, provider = provider.as_str(), "integration connected");
        self.start_initial_sync(&row, Some(auth.0.user_id)).await;
        Ok(Json(row.try_into()?))
    }

    /// Your organization's integrations (and your own calendar), active or disconnected
    #[oai(
        path = "/auth/integrations",
        method = "get",
        operation_id = "list_integrations"
    )]
    async fn list(&self, auth: BearerAuth) -> ApiResult<Json<Vec<IntegrationView>>> {
        let rows = integrations::list(&self.state.db, &auth.0).await?;
        Ok(Json(
            rows.into_iter()
                .map(IntegrationView::try_from)
                .collect::<ApiResult<_>>()?,
        ))
    }

    /// Disconnect a provider
    ///
    /// Deletes the Nango connection (one Nango no longer knows counts as deleted) and marks the
    /// integration inactive; synced data is kept. 404 if it is not connected.
    /// Organization-wide providers need the admin role. 503 `integrations_unavailable` without
    /// NANGO_SECRET_KEY.
    #[oai(
        path = "/auth/integrations/:provider",
        method = "delete",
        operation_id = "disconnect_integration"
    )]
    async fn disconnect(
        &self,
        auth: BearerAuth,
        #[oai(validator(
            pattern = r"^(?:hubspot|salesforce|slack|google_calendar|google-calendar)$"
        ))]
        provider: Path<String>,
    ) -> ApiResult<Json<IntegrationView>> {
        let provider = self::provider(&provider.0)?;
        let row =
            integrations::disconnect(&self.state.db, self.broker(), &auth.0, provider).await?;
        Ok(Json(row.try_into()?))
    }

    /// Enter a provider token instead of connecting through Nango (admins)
    ///
    /// For self-hosting without Nango: a HubSpot private app's access token, a Slack bot token
    /// (`xoxb-…`), or a Salesforce connected app's `instance_url`, `client_id` and
    /// `client_secret` (client credentials flow). Stored encrypted with CREDENTIALS_KEY and
    /// never returned; replaces the integration's Nango connection or earlier token and queues
    /// a full sync. 403 for members, 422 for a missing or malformed field (which fields a
    /// provider needs is above), 503 `integrations_unavailable` without CREDENTIALS_KEY.
    #[oai(
        path = "/auth/integrations/:provider/token",
        method = "put",
        operation_id = "set_integration_token"
    )]
    async fn set_token(
        &self,
        auth: BearerAuth,
        #[oai(validator(pattern = r"^(?:hubspot|salesforce|slack)$"))] provider: Path<String>,
        body: Json<TokenRequest>,
    ) -> ApiResult<Json<IntegrationView>> {
        let provider = self::provider(&provider.0)?;
        let body = body.0;
        let input = integrations::TokenInput {
            token: body.token.map(|t| t.0),
            instance_url: body.instance_url.map(|t| t.0),
            client_id: body.client_id.map(|t| t.0),
            client_secret: body.client_secret.map(|t| t.0),
        };
        let row = integrations::store_token(
            &self.state.db,
            &self.state.config.integrations,
            &auth.0,
            provider,
            input,
        )
        .await?;
        tracing::info!(integration_id = %row.id, provider = provider.as_str(), "provider token entered");
        self.start_initial_sync(&row, Some(auth.0.user_id)).await;
        Ok(Json(row.try_into()?))
    }

    /// Share your calendar with your organization, or stop
    ///
    /// Until you share it, every event of your calendar is visible only to you in chat, SQL,
    /// search and reports. Shared, colleagues see its events except those marked private in
    /// the calendar. Takes effect at once for events already synced. Only personal connections
    /// (google_calendar) have this choice; 404 if you have not connected one.
    #[oai(
        path = "/auth/integrations/:provider/sharing",
        method = "put",
        operation_id = "set_integration_sharing"
    )]
    async fn set_sharing(
        &self,
        auth: BearerAuth,
        #[oai(validator(pattern = r"^(?:google_calendar|google-calendar)$"))] provider: Path<
            String,
        >,
        body: Json<SharingRequest>,
    ) -> ApiResult<Json<IntegrationView>> {
        let provider = self::provider(&provider.0)?;
        let row = integrations::set_shared(&self.state.db, &auth.0, provider, body.shared).await?;
        tracing::info!(integration_id = %row.id, shared = row.shared, "calendar sharing changed");
        Ok(Json(row.try_into()?))
    }

    /// Nango webhook receiver (public; authenticated by `X-Nango-Hmac-Sha256`)
    ///
    /// The signature is `hex(HMAC-SHA256(NANGO_WEBHOOK_SECRET, raw body))`; missing or wrong is
    /// 401. A successful auth `creation`/`override` records the connection for the organization
    /// in its tags (confirmed with Nango); a failed `refresh` sets the integration's
    /// `last_error`. Other webhooks are acknowledged and ignored. 503 `integrations_unavailable`
    /// when NANGO_WEBHOOK_SECRET is unset.
    #[oai(
        path = "/webhooks/nango",
        method = "post",
        operation_id = "nango_webhook"
    )]
    async fn webhook(
        &self,
        #[oai(name = "X-Nango-Hmac-Sha256")] signature: Header<Option<String>>,
        body: RawJson<NangoWebhookBody>,
    ) -> ApiResult<Json<WebhookAck>> {
        let outcome = integrations::receive_webhook(
            &self.state.db,
            self.broker(),
            &body.bytes,
            signature.0.as_deref(),
        )
        .await?;
        let ack = match outcome {
            WebhookOutcome::Recorded(row) => {
                tracing::info!(integration_id = %row.id, provider = %row.provider, "integration connected (webhook)");
                self.start_initial_sync(&row, row.created_by).await;
                WebhookAck {
                    result: WebhookResult::Recorded,
                    detail: None,
                }
            }
            WebhookOutcome::RefreshFailed(n) => {
                tracing::warn!(integrations = n, "Nango token refresh failed");
                WebhookAck {
                    result: WebhookResult::RefreshFailed,
                    detail: None,
                }
            }
            WebhookOutcome::Ignored(why) => {
                tracing::info!(reason = %why, "Nango webhook ignored");
                WebhookAck {
                    result: WebhookResult::Ignored,
                    detail: Some(why),
                }
            }
        };
        Ok(Json(ack))
    }
}
