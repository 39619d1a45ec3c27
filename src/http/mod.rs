//! The HTTP edge: REST API (poem-openapi), docs, the embedded SPA and the server loop.

pub mod allow;
pub mod api;
pub mod auth;
pub mod client_ip;
pub mod error;
pub mod headers;
pub mod middleware;
pub mod spa;
pub mod state;
pub mod ws;

use std::net::SocketAddr;

use poem::http::HeaderValue;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Endpoint, EndpointExt, IntoResponse, Route, Server};

pub use error::{ApiError, ApiResult};
pub use state::AppState;

/// The whole application as one endpoint.
pub fn app(state: AppState) -> impl Endpoint + 'static {
    let api = api::service(&state);
    let docs = api.swagger_ui();
    let spec = api.spec_endpoint();
    let policy = std::sync::Arc::new(headers::ResponsePolicy::new(
        allow::AllowedMethods::from_spec(&api.spec()),
        &state.config,
    ));
    let limit = state.config.max_body_bytes;
    let sessions = std::sync::Arc::clone(&state.auth.sessions);
    // `Url::origin` is how a browser spells it in the Origin header (no path, default port dropped).
    let frontend = state
        .config
        .frontend_url
        .as_ref()
        .and_then(|url| HeaderValue::from_str(&url.origin().ascii_serialization()).ok());
    Route::new()
        .nest("/api", api)
        .nest("/docs", docs)
        .at("/ws/chat", poem::get(ws::chat_socket))
        .at("/ws/chat/:user_id", poem::get(ws::chat_alias))
        .at("/openapi.json", spec)
        .nest("/", spa::SpaEndpoint::default())
        .data(state)
        .around(move |ep, req| {
            middleware::forget_sessions_after_identity_writes(ep, req, sessions.clone())
        })
        .around(move |ep, req| middleware::limit_body(ep, req, limit))
        .around(move |ep, req| {
            let frontend = frontend.clone();
            async move {
                match frontend {
                    Some(origin) => middleware::cors(ep, req, origin).await,
                    None => ep.call(req).await.map(IntoResponse::into_response),
                }
            }
        })
        .around(move |ep, req| middleware::edge(ep, req, policy.clone()))
}

/// A bound listener: tests bind 127.0.0.1:0 and read the port before serving.
pub struct BoundServer {
    acceptor: poem::listener::TcpAcceptor,
    pub local_addr: SocketAddr,
}

pub async fn bind(addr: SocketAddr) -> std::io::Result<BoundServer> {
    let acceptor = TcpListener::bind(addr).into_acceptor().await?;
    let local_addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .unwrap_or(addr);
    Ok(BoundServer {
        acceptor,
        local_addr,
    })
}

impl BoundServer {
    /// Serves until `state.shutdown` is cancelled, then lets in-flight requests finish (up to the
    /// configured shutdown timeout).
    pub async fn serve(self, state: AppState) -> std::io::Result<()> {
        let shutdown = state.shutdown.clone();
        let timeout = state.config.shutdown_timeout;
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app(state), shutdown.cancelled_owned(), Some(timeout))
            .await
    }
}
