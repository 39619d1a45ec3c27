//! A fake Nango API speaking its wire format: bearer secret-key auth, connect sessions recorded
//! with their tags, connections the test creates (tags + credentials), get with `force_refresh`
//! (rotates the access token and counts refreshes), delete, and Nango's error shapes.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use poem::web::{Data, Json, Path, Query};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, handler};
use serde_json::{Value, json};

pub const INTEGRATIONS: &[&str] = &["hubspot", "salesforce", "slack", "google-calendar"];

#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub tags: BTreeMap<String, String>,
    pub allowed_integrations: Vec<String>,
    pub body: Value,
}

#[derive(Debug, Clone)]
pub struct FakeConnection {
    pub tags: BTreeMap<String, String>,
    pub access_token: String,
    pub refreshes: usize,
    /// Provider specifics Nango keeps with the connection (Salesforce's `instance_url`).
    pub connection_config: Value,
}

#[derive(Default)]
pub struct State {
    pub sessions: Vec<Session>,
    /// (integration id, connection id) → connection.
    pub connections: HashMap<(String, String), FakeConnection>,
    pub deleted: Vec<(String, String)>,
    pub gets: Vec<(String, String, bool)>,
    pub refreshes: usize,
    pub unauthorized: usize,
    /// How long the tokens handed out live (an hour unless a test says otherwise).
    pub token_lifetime: Option<chrono::TimeDelta>,
}

type TokenSource = Box<dyn Fn() -> String + Send + Sync>;

struct Shared {
    secret: String,
    state: Mutex<State>,
    /// When set, every connection hands out this token (a provider fake's current one).
    tokens: Mutex<Option<TokenSource>>,
}

pub struct FakeNango {
    pub url: String,
    pub secret: String,
    shared: Arc<Shared>,
    shutdown: tokio_util::sync::CancellationToken,
}

fn error(status: StatusCode, body: Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// Nango's answer to a missing or unknown secret key.
/// A Nango error answer: status and body.
type Failure = (StatusCode, Value);

fn check_auth(req: &Request, shared: &Shared) -> Result<(), Failure> {
    let expected = format!("Bearer {}", shared.secret);
    match req.header("authorization") {
        Some(h) if h == expected => Ok(()),
        Some(_) => {
            shared.state.lock().unwrap().unauthorized += 1;
            Err((
                StatusCode::UNAUTHORIZED,
                json!({"error": {"code": "unknown_account", "message": "The secret key is invalid or does not belong to an environment."}}),
            ))
        }
        None => Err((
            StatusCode::UNAUTHORIZED,
            json!({"error": {"code": "missing_auth_header", "message": "Authentication failed. The request is missing the Authorization header."}}),
        )),
    }
}

fn tags_of(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

#[handler]
fn create_session(req: &Request, body: Json<Value>, shared: Data<&Arc<Shared>>) -> Response {
    if let Err((status, body)) = check_auth(req, &shared) {
        return error(status, body);
    }
    let allowed: Vec<String> = body["allowed_integrations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(bad) = allowed.iter().find(|i| !INTEGRATIONS.contains(&i.as_str())) {
        return error(
            StatusCode::BAD_REQUEST,
            json!({"error": {"code": "invalid_body", "errors": [{"code": "custom", "message": "Integration does not exist", "path": ["allowed_integrations", bad]}]}}),
        );
    }
    let token = format!("nango_connect_session_{}", uuid::Uuid::new_v4().simple());
    let expires_at = (chrono::Utc::now() + chrono::Duration::minutes(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    shared.state.lock().unwrap().sessions.push(Session {
        token: token.clone(),
        tags: tags_of(&body["tags"]),
        allowed_integrations: allowed,
        body: body.0.clone(),
    });
    Response::builder()
        .status(StatusCode::CREATED)
        .content_type("application/json")
        .body(
            json!({"data": {
                "token": token,
                "connect_link": format!("https://connect.nango.dev/?session_token={token}"),
                "expires_at": expires_at,
            }})
            .to_string(),
        )
}

fn provider_config_key(query: &HashMap<String, String>) -> Result<String, Failure> {
    match query.get("provider_config_key") {
        None => Err((
            StatusCode::BAD_REQUEST,
            json!({"error": {"code": "invalid_query_params", "errors": [{"code": "invalid_type", "message": "Required", "path": ["provider_config_key"]}]}}),
        )),
        Some(k) if !INTEGRATIONS.contains(&k.as_str()) => Err((
            StatusCode::BAD_REQUEST,
            json!({"error": {"code": "unknown_provider_config", "message": "Provider does not exists"}}),
        )),
        Some(k) => Ok(k.clone()),
    }
}

/// The connection endpoints' common checks: the secret key, then `provider_config_key`.
fn authorized_key(
    req: &Request,
    query: &HashMap<String, String>,
    shared: &Shared,
) -> Result<String, Failure> {
    check_auth(req, shared).and_then(|()| provider_config_key(query))
}

#[handler]
fn get_connection(
    req: &Request,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    shared: Data<&Arc<Shared>>,
) -> Response {
    let key = match authorized_key(req, &query, &shared) {
        Ok(k) => k,
        Err((status, body)) => return error(status, body),
    };
    let force = query.get("force_refresh").is_some_and(|v| v == "true");
    let mut state = shared.state.lock().unwrap();
    state.gets.push((key.clone(), id.clone(), force));
    let Some(conn) = state.connections.get_mut(&(key.clone(), id.clone())) else {
        return error(
            StatusCode::NOT_FOUND,
            json!({"error": {"code": "not_found", "message": "Failed to find connection"}}),
        );
    };
    if force {
        conn.refreshes += 1;
        conn.access_token = format!("access-{}", uuid::Uuid::new_v4().simple());
    }
    let mut conn = conn.clone();
    if force {
        state.refreshes += 1;
    }
    let lifetime = state.token_lifetime.unwrap_or(chrono::TimeDelta::hours(1));
    if let Some(source) = shared.tokens.lock().unwrap().as_ref() {
        conn.access_token = source();
    }
    let provider = if key == "google-calendar" {
        "google-calendar"
    } else {
        key.as_str()
    };
    Json(json!({
        "id": 42,
        "connection_id": id,
        "provider_config_key": key,
        "provider": provider,
        "errors": [],
        "metadata": {},
        "connection_config": conn.connection_config,
        "tags": conn.tags,
        "created_at": "2026-11-27T10:00:00.000Z",
        "updated_at": "2026-11-27T10:00:00.000Z",
        "last_fetched_at": "2026-11-27T10:00:00.000Z",
        "credentials": {
            "type": "OAUTH2",
            "access_token": conn.access_token,
            // As Nango hands out a token: refreshed when it had under 15 minutes left.
            "expires_at": (chrono::Utc::now() + lifetime)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "raw": {"access_token": conn.access_token, "token_type": "bearer"}
        },
        "end_user": null
    }))
    .into_response()
}

#[handler]
fn delete_connection(
    req: &Request,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    shared: Data<&Arc<Shared>>,
) -> Response {
    let key = match authorized_key(req, &query, &shared) {
        Ok(k) => k,
        Err((status, body)) => return error(status, body),
    };
    let mut state = shared.state.lock().unwrap();
    if state
        .connections
        .remove(&(key.clone(), id.clone()))
        .is_none()
    {
        return error(
            StatusCode::BAD_REQUEST,
            json!({"error": {"code": "unknown_connection"}}),
        );
    }
    state.deleted.push((key, id));
    Json(json!({"success": true})).into_response()
}

impl FakeNango {
    pub async fn start() -> Self {
        let secret = uuid::Uuid::new_v4().to_string();
        let shared = Arc::new(Shared {
            secret: secret.clone(),
            state: Mutex::new(State::default()),
            tokens: Mutex::new(None),
        });
        let app = Route::new()
            .at("/connect/sessions", poem::post(create_session))
            .at(
                "/connections/:id",
                poem::get(get_connection).delete(delete_connection),
            )
            // The deprecated path some clients still use.
            .at("/connection/:id", poem::get(get_connection))
            .data(shared.clone());
        let (url, shutdown) = super::serve::serve_fake(app).await;
        Self {
            url,
            secret,
            shared,
            shutdown,
        }
    }

    /// Creates a connection as if a user completed the connect flow with these tags; returns
    /// its access token.
    pub fn add_connection(&self, integration: &str, id: &str, tags: Value) -> String {
        let token = format!("access-{}", uuid::Uuid::new_v4().simple());
        self.shared.state.lock().unwrap().connections.insert(
            (integration.to_owned(), id.to_owned()),
            FakeConnection {
                tags: tags_of(&tags),
                access_token: token.clone(),
                refreshes: 0,
                connection_config: json!({}),
            },
        );
        token
    }

    /// Sets a connection's `connection_config` (e.g. `{"instance_url": …}` for Salesforce).
    pub fn set_connection_config(&self, integration: &str, id: &str, config: Value) {
        if let Some(conn) = self
            .shared
            .state
            .lock()
            .unwrap()
            .connections
            .get_mut(&(integration.to_owned(), id.to_owned()))
        {
            conn.connection_config = config;
        }
    }

    /// Connections hand out whatever `source` returns (e.g. a fake provider's current token),
    /// as Nango hands out the provider's real token.
    pub fn issue_tokens_from(&self, source: impl Fn() -> String + Send + Sync + 'static) {
        *self.shared.tokens.lock().unwrap() = Some(Box::new(source));
    }

    pub fn set_token_lifetime(&self, lifetime: chrono::TimeDelta) {
        self.shared.state.lock().unwrap().token_lifetime = Some(lifetime);
    }

    /// Token requests with `force_refresh=true` so far.
    pub fn refreshes(&self) -> usize {
        self.state(|s| s.refreshes)
    }

    pub fn remove_connection(&self, integration: &str, id: &str) {
        self.shared
            .state
            .lock()
            .unwrap()
            .connections
            .remove(&(integration.to_owned(), id.to_owned()));
    }

    pub fn has_connection(&self, integration: &str, id: &str) -> bool {
        self.shared
            .state
            .lock()
            .unwrap()
            .connections
            .contains_key(&(integration.to_owned(), id.to_owned()))
    }

    pub fn state<T>(&self, read: impl FnOnce(&State) -> T) -> T {
        read(&self.shared.state.lock().unwrap())
    }

    pub fn last_session(&self) -> Session {
        self.state(|s| s.sessions.last().cloned().expect("a connect session"))
    }
}

impl Drop for FakeNango {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
