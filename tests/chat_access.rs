//! A chat socket acts for its user only while their access lasts: it closes with 4401 when the
//! token expires or is signed out (on another replica too), and with 4403 when the member is
//! removed from the organization or their role changes — within a few seconds for a socket that
//! only listens, and at once on the next frame of one that talks.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use common::accounts::{admin_with_org, invited_member as member};
use common::ws::{Auth, Socket};
use serde_json::json;

/// Waits (at most `within`) for the server to close the socket; returns the close code.
async fn closed_within(socket: &mut Socket, within: Duration) -> Option<u16> {
    let started = Instant::now();
    while started.elapsed() < within {
        match tokio::time::timeout(within - started.elapsed(), socket.next()).await {
            Ok(None) => return socket.closed_with,
            Ok(Some(_)) => continue,
            Err(_) => return None,
        }
    }
    None
}

async fn open(app: &TestApp, token: &str) -> Socket {
    let mut s = Socket::connect(app.addr, "/ws/chat", Auth::Header(token))
        .await
        .unwrap();
    assert_eq!(s.next().await.unwrap()["type"], "ready");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listening_socket_closes_when_its_token_expires() {
    let app = TestApp::spawn().await;
    let (_, user, _) = admin_with_org(&app, "ana@acme.com").await;
    let short = app
        .state
        .auth
        .local_tokens()
        .unwrap()
        .issue_for(user, Duration::from_secs(2))
        .unwrap();
    let mut socket = open(&app, &short.token).await;
    let code = closed_within(&mut socket, Duration::from_secs(6)).await;
    assert_eq!(code, Some(4401), "closed at expiry as a session that ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_on_one_replica_closes_the_socket_on_another() {
    let redis = [("REDIS_URL", "redis://127.0.0.1:6379")];
    let a = TestApp::spawn_with(&redis).await;
    let b = a.replica(&redis).await;
    let (token, _, _) = admin_with_org(&a, "ana@acme.com").await;
    let mut socket = open(&b, &token).await;
    // The replicas' relays subscribe in the background: give them a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = a
        .client()
        .call("POST", "/api/auth/logout", Some(&token), None)
        .await;
    assert_eq!(out.status, 204);
    let code = closed_within(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4401));
    // And the token no longer opens one.
    assert!(
        Socket::connect(b.addr, "/ws/chat", Auth::Header(&token))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_and_demotion_close_the_members_sockets() {
    let app = TestApp::spawn().await;
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let (bo, bo_id) = member(&app, &admin, "bo@acme.com", "member").await;
    let (cy, cy_id) = member(&app, &admin, "cy@acme.com", "admin").await;
    let mut bo_socket = open(&app, &bo).await;
    let mut cy_socket = open(&app, &cy).await;
    let client = app.client();

    let removed = client
        .call(
            "DELETE",
            &format!("/api/auth/organizations/current/members/{bo_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(
        closed_within(&mut bo_socket, Duration::from_secs(5)).await,
        Some(4403)
    );

    let demoted = client
        .call(
            "PATCH",
            &format!("/api/auth/organizations/current/members/{cy_id}"),
            Some(&admin),
            Some(&json!({"role": "member"})),
        )
        .await;
    assert_eq!(demoted.status, 200);
    assert_eq!(
        closed_within(&mut cy_socket, Duration::from_secs(5)).await,
        Some(4403)
    );
    // The admin's own socket is untouched.
    let mut own = open(&app, &admin).await;
    own.send(json!({"type": "ping"})).await;
    assert_eq!(own.next().await.unwrap()["type"], "pong");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_talking_socket_is_rechecked_at_its_next_frame() {
    let app = TestApp::spawn().await;
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let (bo, bo_id) = member(&app, &admin, "bo@acme.com", "admin").await;
    let mut socket = open(&app, &bo).await;
    socket.send(json!({"type": "ping"})).await;
    assert_eq!(socket.next().await.unwrap()["type"], "pong");
    // A change no event announced (made straight in the database): the next frame finds it.
    app.db
        .client()
        .await
        .execute("UPDATE users SET role = 'member' WHERE id = $1", &[&bo_id])
        .await
        .unwrap();
    socket.send(json!({"type": "ping"})).await;
    assert_eq!(
        closed_within(&mut socket, Duration::from_secs(2)).await,
        Some(4403),
        "closed before answering the frame"
    );
    // An account deleted without the bus hearing of it: the same at the next frame.
    let mut again = open(&app, &admin).await;
    app.db
        .client()
        .await
        .execute(
            "UPDATE users SET deleted_at = now() WHERE email = 'ana@acme.com'",
            &[],
        )
        .await
        .unwrap();
    again.send(json!({"type": "ping"})).await;
    let code = closed_within(&mut again, Duration::from_secs(2)).await;
    assert!(
        matches!(code, Some(4401)),
        "a deleted account's socket ends its session: {code:?}"
    );
}
