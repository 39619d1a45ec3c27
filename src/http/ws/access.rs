//! A chat socket acts for its user only while their access lasts. The session is checked again
//! before every client frame, and a watcher ends a socket that only listens: when its token
//! expires, and within a moment of a sign-out, a removal from the organization or a role change
//! on any replica (the access bus), with a slow re-check as a safety net for a missed event.
//!
//! Close codes (documented for the UI): 4401 the session ended (expired, signed out, account
//! gone) — sign in again; 4403 access changed (removed from the organization, role changed) —
//! reload who you are before reconnecting.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::auth::AuthUser;

pub const SESSION_ENDED: u16 = 4401;
pub const ACCESS_CHANGED: u16 = 4403;
/// Re-check even without an event, in case one was missed (Redis away, a Supabase-side change).
const SAFETY_NET: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    pub code: u16,
    pub reason: &'static str,
}

/// Who a socket acts for, and the token that says so.
pub struct Credentials {
    pub token: String,
    pub user: AuthUser,
}

/// Whether the credentials still grant what they granted when the socket opened.
pub async fn recheck(state: &AppState, creds: &Credentials) -> Result<(), Ending> {
    if creds.user.token_expires_at <= Utc::now() {
        return Err(Ending {
            code: SESSION_ENDED,
            reason: "your session expired; sign in again",
        });
    }
    match state.auth.authenticate(&state.db, &creds.token).await {
        Ok(now) if now.org_id == creds.user.org_id && now.role == creds.user.role => Ok(()),
        Ok(_) => Err(Ending {
            code: ACCESS_CHANGED,
            reason: "your organization or role changed",
        }),
        Err(ServiceError::Unauthenticated(_)) => Err(Ending {
            code: SESSION_ENDED,
            reason: "your session ended; sign in again",
        }),
        // A database hiccup is not a reason to drop someone: the next check decides.
        Err(e) => {
            tracing::warn!(error = %e, "cannot re-check a socket's session");
            Ok(())
        }
    }
}

/// Ends the socket (through `end`) when its access ends; returns when `stop` is cancelled.
pub async fn watch(
    state: AppState,
    creds: Credentials,
    end: mpsc::Sender<Ending>,
    stop: CancellationToken,
) {
    let mut events = state.access.subscribe();
    let expires = tokio::time::Instant::now()
        + (creds.user.token_expires_at - Utc::now())
            .to_std()
            .unwrap_or_default();
    let mut safety_net = tokio::time::interval(SAFETY_NET);
    safety_net.tick().await;
    loop {
        let concerned = tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep_until(expires) => true,
            _ = safety_net.tick() => true,
            event = events.recv() => match event {
                Ok(e) => e.concerns(creds.user.user_id, creds.user.token_id.as_deref()),
                // Events were dropped: one of them may have been ours.
                Err(broadcast::error::RecvError::Lagged(_)) => true,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if concerned && let Err(ending) = recheck(&state, &creds).await {
            let _ = end.send(ending).await;
            return;
        }
    }
}
