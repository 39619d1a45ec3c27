//! `/ws/chat`: the chat socket. Authentication comes first — an `Authorization: Bearer` header
//! (checked before the upgrade), the `bearer, <token>` subprotocol, or a first `auth` frame within
//! ten seconds — and anything else closes with 1008 (policy violation). Frames are JSON
//! (`agent::protocol`); oversized or malformed frames get an error frame, not a dropped socket.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketConfig};
use poem::web::{Data, Path};
use poem::{IntoResponse, Request, Response, handler};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::error::ApiError;
use super::state::AppState;
use crate::agent::protocol::{ClientFrame, ServerFrame};
use access::{Credentials, Ending};
use session::Session;
use tokio_util::sync::CancellationToken;

mod access;
mod session;

const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
const HEARTBEAT: Duration = Duration::from_secs(20);
/// Transport ceiling; frames between the app limit and this one get an error frame.
const TRANSPORT_MAX_MESSAGE: usize = 1 << 20;
/// Bytes each socket's reader holds for incoming frames.
pub const READ_BUFFER_BYTES: usize = 8 * 1024;

fn bearer_header(req: &Request) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(|t| t.trim().to_owned())
}

/// `Sec-WebSocket-Protocol: bearer, <token>` (browsers cannot set Authorization on a socket).
fn bearer_subprotocol(req: &Request) -> Option<String> {
    let value = req.headers().get("sec-websocket-protocol")?.to_str().ok()?;
    let mut parts = value.split(',').map(str::trim);
    parts.find(|p| *p == "bearer")?;
    parts.next().filter(|t| !t.is_empty()).map(str::to_owned)
}

#[handler]
pub async fn chat_socket(req: &Request, ws: WebSocket, state: Data<&AppState>) -> Response {
    upgrade(req, ws, state.0.clone(), None).await
}

/// The reference path `/ws/chat/{user_id}`: accepted only when it names the token's own user.
#[handler]
pub async fn chat_alias(
    req: &Request,
    ws: WebSocket,
    state: Data<&AppState>,
    user_id: Path<String>,
) -> Response {
    let claimed = Uuid::parse_str(&user_id.0).ok();
    match claimed {
        Some(id) => upgrade(req, ws, state.0.clone(), Some(id)).await,
        None => ApiError::NotFound("no such route".into()).into_response(),
    }
}

async fn upgrade(req: &Request, ws: WebSocket, state: AppState, claimed: Option<Uuid>) -> Response {
    let subprotocol = bearer_subprotocol(req);
    let token = bearer_header(req).or(subprotocol.clone());
    // A header token is checked before upgrading, so a bad one gets a plain 401.
    let pre_auth = match token {
        Some(t) => match state.auth.authenticate(&state.db, &t).await {
            Ok(user) => Some(Credentials { token: t, user }),
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => None,
    };
    // tungstenite zeroes its whole read buffer (128 KiB by default) for every socket; what a
    // client sends is a few hundred bytes, and a larger frame still reserves room for itself.
    let config = WebSocketConfig::default()
        .max_message_size(Some(TRANSPORT_MAX_MESSAGE))
        .read_buffer_size(READ_BUFFER_BYTES);
    let mut ws = ws.config(config);
    if subprotocol.is_some() {
        ws = ws.protocols(["bearer"]);
    }
    ws.on_upgrade(move |socket| async move {
        let (mut sink, mut stream) = socket.split();
        let creds = match pre_auth {
            Some(c) => c,
            None => match first_frame_auth(&state, &mut stream).await {
                Some(c) => c,
                None => {
                    let _ = sink
                        .send(Message::close_with(
                            CloseCode::Policy,
                            "authentication required",
                        ))
                        .await;
                    return;
                }
            },
        };
        if claimed.is_some_and(|id| id != creds.user.user_id) {
            let _ = sink
                .send(Message::close_with(
                    CloseCode::Policy,
                    "this socket belongs to another user",
                ))
                .await;
            return;
        }
        let user = creds.user.clone();
        let (frames, outbox) = mpsc::channel::<ServerFrame>(1024);
        let _ = frames
            .send(ServerFrame::Ready {
                user_id: user.user_id,
                organization_id: user.org_id,
            })
            .await;
        let (end, ending) = mpsc::channel::<Ending>(1);
        let ended = CancellationToken::new();
        let writer = spawn_writer(sink, outbox, ending, ended.clone());
        let progress = user.org_id.map(|org| {
            let progress = forward_sync_progress(state.clone(), org, user.user_id, frames.clone());
            tokio::spawn(progress)
        });
        let watcher = tokio::spawn(access::watch(
            state.clone(),
            Credentials {
                token: creds.token.clone(),
                user: user.clone(),
            },
            end.clone(),
            ended.clone(),
        ));
        let mut session = Session::new(state.clone(), user, frames.clone());
        read_loop(
            &state,
            &creds,
            &mut session,
            &mut stream,
            &frames,
            &end,
            &ended,
        )
        .await;
        session.close();
        watcher.abort();
        drop(end);
        if let Some(task) = progress {
            task.abort();
        }
        drop(frames);
        let _ = writer.await;
    })
    .into_response()
}

/// The one writer of a socket: frames from every run it follows, heartbeat pings, and the close
/// frame that ends a session whose access ended. Cancels `ended` when it stops.
fn spawn_writer(
    mut sink: impl futures_util::Sink<Message> + Unpin + Send + 'static,
    mut outbox: mpsc::Receiver<ServerFrame>,
    mut ending: mpsc::Receiver<Ending>,
    ended: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut beat = tokio::time::interval(HEARTBEAT);
        beat.tick().await;
        loop {
            // In this order, and the heartbeat only when nothing else is ready: a socket that
            // streams frames is alive anyway, and polling the heartbeat's timer before every
            // frame re-registered it each time.
            tokio::select! {
                biased;
                e = ending.recv() => {
                    if let Some(e) = e {
                        let close = Message::close_with(CloseCode::from(e.code), e.reason);
                        let _ = sink.send(close).await;
                    }
                    break;
                }
                frame = outbox.recv() => {
                    let Some(frame) = frame else { break };
                    let text = serde_json::to_string(&frame).unwrap_or_default();
                    if sink.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
                _ = beat.tick() => {
                    if sink.send(Message::Ping(Vec::new())).await.is_err() {
                        break;
                    }
                }
            }
        }
        ended.cancel();
        let _ = sink.close().await;
    })
}

/// Sync progress of the user's organization (of personal connections, only their own), as
/// frames on this socket. A slow socket misses intermediate events (the broadcast lags) rather
/// than holding the workers back.
async fn forward_sync_progress(
    state: AppState,
    org: Uuid,
    user: Uuid,
    frames: mpsc::Sender<ServerFrame>,
) {
    let mut events = state.sync.events.subscribe();
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        if event.organization_id != org || event.owner.is_some_and(|owner| owner != user) {
            continue;
        }
        let frame = ServerFrame::SyncProgress {
            run_id: event.run_id,
            provider: event.provider,
            object: event.object,
            records: event.records,
            skipped: event.skipped,
            status: event.status,
            throttled_for_secs: event.throttled_for_secs,
            done_in_secs: event.done_in_secs,
        };
        if frames.send(frame).await.is_err() {
            return;
        }
    }
}

async fn first_frame_auth(
    state: &AppState,
    stream: &mut (impl futures_util::Stream<Item = std::io::Result<Message>> + Unpin),
) -> Option<Credentials> {
    let first = tokio::time::timeout(AUTH_TIMEOUT, stream.next())
        .await
        .ok()??
        .ok()?;
    let Message::Text(text) = first else {
        return None;
    };
    if text.len() > 16 * 1024 {
        return None;
    }
    match serde_json::from_str::<ClientFrame>(&text).ok()? {
        ClientFrame::Auth { token } => {
            let user = state.auth.authenticate(&state.db, &token).await.ok()?;
            Some(Credentials { token, user })
        }
        _ => None,
    }
}

async fn read_loop(
    state: &AppState,
    creds: &Credentials,
    session: &mut Session,
    stream: &mut (impl futures_util::Stream<Item = std::io::Result<Message>> + Unpin),
    frames: &mpsc::Sender<ServerFrame>,
    end: &mpsc::Sender<Ending>,
    ended: &CancellationToken,
) {
    let max = state.config.chat.max_frame_bytes;
    loop {
        let message = tokio::select! {
            m = stream.next() => m,
            _ = ended.cancelled() => return,
        };
        let Some(message) = message else { return };
        let text = match message {
            Ok(Message::Text(text)) => text,
            Ok(Message::Binary(_)) => {
                let _ = frames
                    .send(ServerFrame::error(
                        None,
                        "invalid_frame",
                        "send JSON text frames",
                        false,
                    ))
                    .await;
                continue;
            }
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        if text.len() > max {
            let msg = format!("frame of {} bytes is over the {max}-byte limit", text.len());
            let _ = frames
                .send(ServerFrame::error(None, "frame_too_large", msg, false))
                .await;
            continue;
        }
        let frame = match serde_json::from_str::<ClientFrame>(&text) {
            Ok(f) => f,
            Err(e) => {
                let msg = format!("not a valid frame: {e}");
                let _ = frames
                    .send(ServerFrame::error(None, "invalid_frame", msg, false))
                    .await;
                continue;
            }
        };
        if let Err(ending) = access::recheck(state, creds).await {
            let _ = end.send(ending).await;
            return;
        }
        session.handle(frame).await;
    }
}
