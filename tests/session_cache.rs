//! The session cache: an authenticated request reads no database while the session is cached,
//! and sign-out, role changes, removal and any other change to a user (even one made in SQL)
//! reach every replica at once, because the database announces them at commit.

mod common;

use std::future::Future;
use std::time::{Duration, Instant};

use common::TestApp;
use common::accounts::{admin_with_org, invited_member};
use serde_json::{Value, json};

/// Long enough that only an eviction, never the lifetime, can explain a change seen in a test.
const CACHED: [(&str, &str); 1] = [("SESSION_CACHE_MS", "60000")];
/// How long a change may take to reach another replica before the test fails.
const WITHIN: Duration = Duration::from_secs(3);

async fn cached_app() -> TestApp {
    let app = TestApp::spawn_with(&CACHED).await;
    listening(&app).await;
    app
}

async fn listening(app: &TestApp) {
    eventually("the session listener connects", || async {
        app.state.auth.sessions.is_live()
    })
    .await;
}

async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < WITHIN, "not within {WITHIN:?}: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn me(app: &TestApp, token: &str) -> (u16, Value) {
    let reply = app.client().get_auth("/api/auth/me", token).await;
    let body = if reply.status == 200 {
        reply.json()
    } else {
        Value::Null
    };
    (reply.status, body)
}

/// `/me` until its session sits in `app`'s cache, and its body. The announcements of the writes
/// just before (signing up, creating the organization) can still be on their way and clear the
/// entry once more after the first `/me` cached it.
async fn cached_me(app: &TestApp, token: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = me(app, token).await;
        assert_eq!(status, 200, "{body}");
        if app.state.auth.sessions.len() == 1 {
            return body;
        }
        assert!(started.elapsed() < WITHIN, "not cached within {WITHIN:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Holds an ACCESS EXCLUSIVE lock on `users` (no read gets past it) until dropped.
struct UsersLocked(tokio_postgres::Client);

impl UsersLocked {
    async fn take(app: &TestApp) -> Self {
        let client = app.db.client().await;
        client
            .batch_execute("BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        Self(client)
    }

    async fn release(self) {
        self.0.batch_execute("ROLLBACK").await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_session_is_answered_without_the_database() {
    let app = cached_app().await;
    let (token, user_id, org_id) = admin_with_org(&app, "ana@acme.com").await;
    let first = cached_me(&app, &token).await;
    assert_eq!(first["user"]["id"], user_id.to_string());
    assert_eq!(first["organization"]["id"], org_id.to_string());

    let lock = UsersLocked::take(&app).await;
    let (status, cached) = tokio::time::timeout(WITHIN, me(&app, &token))
        .await
        .expect("a cached /me does not wait on the locked users table");
    assert_eq!(status, 200);
    assert_eq!(
        cached, first,
        "the cached answer is the one the database gave"
    );
    lock.release().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_cache_off_every_request_reads_the_database() {
    let app = TestApp::spawn_with(&[("SESSION_CACHE_MS", "0")]).await;
    let (token, _, _) = admin_with_org(&app, "ana@acme.com").await;
    assert_eq!(me(&app, &token).await.0, 200);

    let lock = UsersLocked::take(&app).await;
    let client = app.client();
    let pending = tokio::spawn(async move { client.get_auth("/api/auth/me", &token).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!pending.is_finished(), "/me waits for the users table");
    lock.release().await;
    assert_eq!(pending.await.unwrap().status, 200);
    assert!(app.state.auth.sessions.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_on_one_replica_ends_the_cached_session_on_another() {
    let a = cached_app().await;
    let b = a.replica(&CACHED).await;
    listening(&b).await;
    let (token, _, _) = admin_with_org(&a, "ana@acme.com").await;
    assert_eq!(me(&a, &token).await.0, 200);
    cached_me(&b, &token).await;

    let out = a
        .client()
        .call("POST", "/api/auth/logout", Some(&token), None)
        .await;
    assert_eq!(out.status, 204);
    assert_eq!(me(&a, &token).await.0, 401, "at once where it happened");
    eventually("b refuses the signed-out token", || async {
        me(&b, &token).await.0 == 401
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_changes_and_removal_reach_every_replica() {
    let a = cached_app().await;
    let b = a.replica(&CACHED).await;
    listening(&b).await;
    let (admin, _, org_id) = admin_with_org(&a, "ana@acme.com").await;
    let (bo, bo_id) = invited_member(&a, &admin, "bo@acme.com", "member").await;
    assert_eq!(me(&a, &bo).await.1["user"]["role"], "member");
    assert_eq!(cached_me(&b, &bo).await["user"]["role"], "member");

    let path = format!("/api/auth/organizations/current/members/{bo_id}");
    let promoted = a
        .client()
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(&json!({"role": "admin"})),
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text());
    assert_eq!(me(&a, &bo).await.1["user"]["role"], "admin");
    eventually("b sees the promotion", || async {
        me(&b, &bo).await.1["user"]["role"] == "admin"
    })
    .await;

    let removed = a.client().call("DELETE", &path, Some(&admin), None).await;
    assert!(removed.status < 300, "{}", removed.text());
    assert_eq!(me(&a, &bo).await.1["organization"], Value::Null);
    eventually("b sees the removal", || async {
        let (status, body) = me(&b, &bo).await;
        status == 200 && body["organization"].is_null()
    })
    .await;
    // And the admin's own cached session is untouched by it.
    assert_eq!(
        me(&b, &admin).await.1["organization"]["id"],
        org_id.to_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_in_sql_reaches_the_cache() {
    let app = cached_app().await;
    let (token, user_id, org_id) = admin_with_org(&app, "ana@acme.com").await;
    assert_eq!(cached_me(&app, &token).await["user"]["name"], "Ana");
    let db = app.db.client().await;
    db.execute("UPDATE users SET name = 'Zed' WHERE id = $1", &[&user_id])
        .await
        .unwrap();
    eventually("the cached profile follows the SQL update", || async {
        me(&app, &token).await.1["user"]["name"] == "Zed"
    })
    .await;
    db.execute(
        "UPDATE organizations SET name = 'Renamed' WHERE id = $1",
        &[&org_id],
    )
    .await
    .unwrap();
    eventually("the cached organization follows too", || async {
        me(&app, &token).await.1["organization"]["name"] == "Renamed"
    })
    .await;
    db.execute(
        "UPDATE users SET deleted_at = now() WHERE id = $1",
        &[&user_id],
    )
    .await
    .unwrap();
    eventually("a deleted user's session ends", || async {
        me(&app, &token).await.0 == 401
    })
    .await;
}

async fn listener_pid(app: &TestApp, db: &tokio_postgres::Client) -> Option<i32> {
    db.query_opt(
        "SELECT pid FROM pg_stat_activity \
         WHERE application_name = 'revtops-session-listener' AND datname = $1",
        &[&app.db.name],
    )
    .await
    .unwrap()
    .map(|row| row.get(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_while_the_listener_was_away_are_not_served_from_the_cache() {
    let app = cached_app().await;
    let (token, user_id, _) = admin_with_org(&app, "ana@acme.com").await;
    assert_eq!(cached_me(&app, &token).await["user"]["name"], "Ana");

    let db = app.db.client().await;
    let before = listener_pid(&app, &db)
        .await
        .expect("the listener is connected");
    // The name changes while nobody listens: its announcement reaches no one.
    db.batch_execute(&format!(
        "SELECT pg_terminate_backend({before}); UPDATE users SET name = 'Zed' WHERE id = '{user_id}'"
    ))
    .await
    .unwrap();
    eventually("the listener is back", || async {
        matches!(listener_pid(&app, &db).await, Some(pid) if pid != before)
            && app.state.auth.sessions.is_live()
    })
    .await;
    assert_eq!(
        me(&app, &token).await.1["user"]["name"],
        "Zed",
        "what was cached before the outage is gone"
    );
    assert_eq!(app.state.auth.sessions.len(), 1, "and caching resumed");
}
