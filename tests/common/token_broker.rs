//! A Nango stand-in for sync tests and benches: `GET /connections/{id}` hands out whatever
//! access token a closure returns (the fake HubSpot's current one), checks the secret key, and
//! counts forced refreshes. Benches include it with `#[path]` (next to `serve.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use poem::web::{Data, Json, Path, Query};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use serde_json::json;
use tokio_util::sync::CancellationToken;

pub const SECRET: &str = "test-nango-secret";

type TokenFn = dyn Fn() -> String + Send + Sync;

struct Inner {
    token: Box<TokenFn>,
    refreshes: AtomicUsize,
    fetches: AtomicUsize,
}

pub struct TokenBroker {
    pub url: String,
    inner: Arc<Inner>,
    stop: CancellationToken,
}

#[derive(serde::Deserialize)]
struct ConnectionQuery {
    provider_config_key: Option<String>,
    force_refresh: Option<bool>,
}

#[handler]
fn connection(
    req: &Request,
    Path(id): Path<String>,
    Query(q): Query<ConnectionQuery>,
    inner: Data<&Arc<Inner>>,
) -> Response {
    let authorized = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {SECRET}"));
    if !authorized {
        return Json(
            json!({"error": {"code": "unknown_account", "message": "Invalid secret key"}}),
        )
        .with_status(poem::http::StatusCode::UNAUTHORIZED)
        .into_response();
    }
    inner.fetches.fetch_add(1, Ordering::SeqCst);
    if q.force_refresh == Some(true) {
        inner.refreshes.fetch_add(1, Ordering::SeqCst);
    }
    let key = q.provider_config_key.unwrap_or_default();
    Json(json!({
        "id": 1, "connection_id": id, "provider_config_key": key, "provider": "hubspot",
        "errors": [], "metadata": {}, "connection_config": {"portalId": 62515},
        "tags": {}, "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
        "credentials": {"type": "OAUTH2", "access_token": (inner.token)(),
                        "expires_at": "2099-01-01T00:00:00.000Z", "raw": {}},
        "end_user": null,
    }))
    .into_response()
}

impl TokenBroker {
    pub async fn start(token: impl Fn() -> String + Send + Sync + 'static) -> Self {
        let inner = Arc::new(Inner {
            token: Box::new(token),
            refreshes: AtomicUsize::new(0),
            fetches: AtomicUsize::new(0),
        });
        let app = Route::new()
            .at("/connections/:id", get(connection))
            .at("/connection/:id", get(connection))
            .data(inner.clone());
        let (url, stop) = super::serve::serve_fake(app).await;
        Self { url, inner, stop }
    }

    /// Token requests with `force_refresh=true` so far.
    pub fn refreshes(&self) -> usize {
        self.inner.refreshes.load(Ordering::SeqCst)
    }

    /// Token requests of any kind so far.
    pub fn fetches(&self) -> usize {
        self.inner.fetches.load(Ordering::SeqCst)
    }
}

impl Drop for TokenBroker {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
