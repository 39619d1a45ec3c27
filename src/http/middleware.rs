//! Edge middleware: request ids and one log line per request, the error envelope for every
//! failure poem raises, and a request body limit that also holds for chunked bodies.

use std::sync::Arc;
use std::time::Instant;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response, Result};
use tokio::io::AsyncReadExt;
use tracing::Instrument;

use super::error::ApiError;
use super::headers::ResponsePolicy;
use crate::services::auth::sessions::{Change, SessionCache};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Accepts a caller's request id only if it is short and plain, so logs cannot be forged.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

/// Cross-origin calls from the one configured front-end origin (the Vite dev server, a UI hosted
/// elsewhere): its requests get the CORS headers and its preflights an answer. Bearer tokens
/// travel in a header, so credentials (cookies) are never allowed, and the origin is never a
/// wildcard. Any other origin is served as before without CORS headers — the browser then keeps
/// the response from the page — so same-origin requests, which carry an Origin too, still work.
pub async fn cors<E: Endpoint>(ep: Arc<E>, req: Request, allowed: HeaderValue) -> Result<Response> {
    let from_frontend = req.headers().get(header::ORIGIN) == Some(&allowed);
    if from_frontend
        && req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return Ok(Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed)
            .header(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                "GET, POST, PUT, PATCH, DELETE",
            )
            .header(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "authorization, content-type, x-request-id",
            )
            .header(header::ACCESS_CONTROL_MAX_AGE, "600")
            .header(header::VARY, "Origin")
            .finish());
    }
    let mut resp = match ep.call(req).await {
        Ok(out) => out.into_response(),
        Err(err) => error_response(err),
    };
    let headers = resp.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if from_frontend {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-request-id, retry-after"),
        );
    }
    Ok(resp)
}

/// Runs the inner endpoint inside a span carrying the request id, turns any error into the JSON
/// envelope, adds the edge's headers (`ResponsePolicy`), echoes the id in the response and logs
/// the outcome once.
pub async fn edge<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    policy: Arc<ResponsePolicy>,
) -> Result<Response> {
    let id = request_id(&req);
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    async move {
        let started = Instant::now();
        let mut resp = match ep.call(req).await {
            Ok(out) => out.into_response(),
            Err(err) => error_response(err),
        };
        if let Ok(value) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        policy.apply(&path, &mut resp);
        let status = resp.status().as_u16();
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(status, elapsed_ms, "response");
        } else {
            tracing::info!(status, elapsed_ms, "response");
        }
        Ok(resp)
    }
    .instrument(span)
    .await
}

fn error_response(err: poem::Error) -> Response {
    // Errors built from an ApiError already carry the envelope.
    if err.is_from_response() {
        return err.into_response();
    }
    ApiError::from_poem(&err).into_response()
}

/// Every identity write (anything under /api/auth/ but a read: sign-in and out, profiles,
/// organizations, members, invitations, passwords) may change someone's session, the caller's
/// or another member's. This replica forgets its cached sessions before it answers, so the
/// next request sees the change at once; other replicas hear of it from the database triggers
/// a moment later. Such writes are rare beside the reads the cache serves.
pub async fn forget_sessions_after_identity_writes<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    sessions: Arc<SessionCache>,
) -> Result<Response> {
    let identity_write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && req.uri().path().starts_with("/api/auth/");
    let resp = ep.call(req).await.map(IntoResponse::into_response);
    if identity_write {
        sessions.evict(&Change::All);
    }
    resp
}

/// Rejects bodies over `limit` bytes with 413: by Content-Length up front, and for chunked bodies
/// by reading at most `limit + 1` bytes, so a client cannot stream an unbounded body into memory.
/// WebSocket upgrades carry no body and pass through untouched.
pub async fn limit_body<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    limit: usize,
) -> Result<Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared
        && len > limit as u64
    {
        return Err(ApiError::PayloadTooLarge { limit }.into());
    }
    let has_body = declared.is_some_and(|len| len > 0)
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    if has_body {
        // Buffer the (bounded) body up front: handlers that answer early (401, 404) then leave no
        // unread bytes behind, so the connection stays reusable for the client's next request.
        let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
        let mut reader = req.take_body().into_async_read().take(limit as u64 + 1);
        reader
            .read_to_end(&mut buf)
            .await
            .map_err(|e| ApiError::BadRequest(format!("could not read the request body: {e}")))?;
        if buf.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit }.into());
        }
        req.set_body(buf);
    }
    ep.call(req).await.map(IntoResponse::into_response)
}
