//! AUTH_MODE=local: registration, login (constant failure answer, throttling), logout, tokens.

mod common;

use common::TestApp;
use common::supabase::{b64, unsigned};
use serde_json::{Value, json};

const SECRET: &str = "test-local-jwt-secret-0123456789abcdef";

async fn app() -> TestApp {
    TestApp::spawn_with(&[("JWT_SECRET", SECRET)]).await
}

async fn register(app: &TestApp, email: &str) -> Value {
    let body = json!({"email": email, "password": "correct horse battery", "name": "Ana Lee"});
    let reply = app
        .client()
        .call("POST", "/api/auth/register", None, Some(&body))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()
}

fn local_token(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_login_me_logout() {
    let app = app().await;
    let client = app.client();
    let session = register(&app, "Ana@Acme.com").await;
    assert_eq!(session["user"]["email"], "ana@acme.com");
    assert_eq!(session["token_type"], "Bearer");
    assert!(session["user"].get("password_hash").is_none());
    let token = session["token"].as_str().unwrap();

    let me = client.get_auth("/api/auth/me", token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["user"]["id"], session["user"]["id"]);
    assert_eq!(me.json()["organization"], Value::Null);

    let login = client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": "ana@acme.com", "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text());
    let second = login.json()["token"].as_str().unwrap().to_owned();

    let out = client
        .call("POST", "/api/auth/logout", Some(token), None)
        .await;
    assert_eq!(out.status, 204);
    let me = client.get_auth("/api/auth/me", token).await;
    assert_eq!(me.status, 401);
    assert_eq!(me.error_code(), "unauthorized");
    assert_eq!(
        client.get_auth("/api/auth/me", &second).await.status,
        200,
        "only the logged-out token is revoked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_rejects_bad_input_and_duplicates() {
    let app = app().await;
    let client = app.client();
    register(&app, "ana@acme.com").await;
    let dup = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(&json!({"email": "ANA@acme.com", "password": "another long one", "name": "X"})),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.error_code(), "conflict");
    // What the schema declares (lengths, the email and name patterns) is refused while parsing
    // (400 invalid_body); the service checks the same rules for callers that are not HTTP.
    for (body, code) in [
        (
            json!({"email": "bob@acme.com", "password": "short", "name": "Bob"}),
            "invalid_body",
        ),
        (
            json!({"email": "not-an-email", "password": "long enough pw", "name": "Bob"}),
            "invalid_body",
        ),
        (
            json!({"email": "bob@acme.com", "password": "long enough pw", "name": "   "}),
            "invalid_body",
        ),
        (
            json!({"email": "bob@acme.com", "password": 1234567890, "name": "Bob"}),
            "invalid_body",
        ),
        (
            json!({"email": "bob@acme.com", "password": "long enough pw"}),
            "invalid_body",
        ),
        (
            json!({"email": "bob@acme.com", "password": "x".repeat(300), "name": "Bob"}),
            "invalid_body",
        ),
        (
            json!({"email": "bob@acme.com", "password": "long enough pw", "name": "Bob", "invite_token": "nope"}),
            "not_found",
        ),
    ] {
        let reply = client
            .call("POST", "/api/auth/register", None, Some(&body))
            .await;
        assert_eq!(reply.error_code(), code, "{body}: {}", reply.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_failures_look_alike_and_are_throttled() {
    let app = app().await;
    let client = app.client();
    register(&app, "ana@acme.com").await;
    let wrong = client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": "ana@acme.com", "password": "wrong password!"})),
        )
        .await;
    let unknown = client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": "nobody@acme.com", "password": "wrong password!"})),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(
        wrong.json()["error"],
        unknown.json()["error"],
        "no account enumeration"
    );

    // Four more failures from this address reach its limit of five for this email.
    for _ in 0..4 {
        let r = client
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(&json!({"email": "ana@acme.com", "password": "wrong password!"})),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let blocked = client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": "ana@acme.com", "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(
        blocked.status,
        429,
        "even the right password waits: {}",
        blocked.text()
    );
    assert_eq!(blocked.error_code(), "rate_limited");
    let retry: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
}

/// A login (or registration) as seen from `ip`, through a trusted proxy on loopback.
async fn from(app: &TestApp, ip: &str, path: &str, body: Value) -> u16 {
    app.client()
        .send(common::http::Request {
            method: "POST",
            path: path.into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-forwarded-for".into(), format!("{ip}, 127.0.0.1")),
            ],
            body: Some(body.to_string().into_bytes()),
        })
        .await
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attacker_cannot_lock_a_victim_out_and_cannot_forge_an_address() {
    let app =
        TestApp::spawn_with(&[("JWT_SECRET", SECRET), ("TRUSTED_PROXIES", "127.0.0.1")]).await;
    register(&app, "ana@acme.com").await;
    let wrong = json!({"email": "ana@acme.com", "password": "wrong password!"});
    let right = json!({"email": "ana@acme.com", "password": "correct horse battery"});
    for _ in 0..5 {
        assert_eq!(
            from(&app, "203.0.113.9", "/api/auth/login", wrong.clone()).await,
            401
        );
    }
    assert_eq!(
        from(&app, "203.0.113.9", "/api/auth/login", right.clone()).await,
        429,
        "the guessing address is held back"
    );
    assert_eq!(
        from(&app, "198.51.100.7", "/api/auth/login", right.clone()).await,
        200,
        "the account's owner, elsewhere, still signs in"
    );

    // Without trusted proxies, X-Forwarded-For is the client's own words: ignored.
    let plain = TestApp::spawn_with(&[("JWT_SECRET", SECRET)]).await;
    register(&plain, "ana@acme.com").await;
    for n in 0..5 {
        let forged = format!("203.0.113.{n}");
        assert_eq!(
            from(&plain, &forged, "/api/auth/login", wrong.clone()).await,
            401
        );
    }
    assert_eq!(
        from(&plain, "203.0.113.99", "/api/auth/login", right).await,
        429,
        "rotating a forged header does not reset the count"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_are_limited_per_address() {
    let app = TestApp::spawn_with(&[
        ("TRUSTED_PROXIES", "127.0.0.0/8"),
        ("REGISTRATIONS_PER_IP_PER_HOUR", "2"),
    ])
    .await;
    let body = |n: u32| json!({"email": format!("u{n}@acme.com"), "password": "correct horse battery", "name": "U"});
    assert_eq!(
        from(&app, "203.0.113.5", "/api/auth/register", body(1)).await,
        201
    );
    assert_eq!(
        from(&app, "203.0.113.5", "/api/auth/register", body(2)).await,
        201
    );
    assert_eq!(
        from(&app, "203.0.113.5", "/api/auth/register", body(3)).await,
        429
    );
    assert_eq!(
        from(&app, "198.51.100.1", "/api/auth/register", body(4)).await,
        201
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_local_tokens_are_rejected() {
    let app = app().await;
    let client = app.client();
    let session = register(&app, "ana@acme.com").await;
    let sub = session["user"]["id"].as_str().unwrap();
    let now = chrono::Utc::now().timestamp();
    let good = json!({"sub": sub, "iss": "revtops", "aud": "revtops", "exp": now + 600, "nbf": now, "iat": now, "jti": "j1"});
    assert_eq!(
        client
            .get_auth("/api/auth/me", &local_token(&good, SECRET))
            .await
            .status,
        200,
        "control"
    );

    let mut cases = vec![
        (
            "wrong secret",
            local_token(&good, "another-secret-another-secret-xyz"),
        ),
        ("alg none", unsigned(&good)),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (name, patch) in [
        ("expired", json!({"exp": now - 3600})),
        ("not yet valid", json!({"nbf": now + 3600})),
        ("wrong audience", json!({"aud": "someone-else"})),
        ("wrong issuer", json!({"iss": "https://evil.example"})),
        (
            "unknown user",
            json!({"sub": uuid::Uuid::new_v4().to_string()}),
        ),
        ("non-uuid subject", json!({"sub": "admin"})),
    ] {
        let mut claims = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            claims[k] = v.clone();
        }
        cases.push((name, local_token(&claims, SECRET)));
    }
    let signed = local_token(&good, SECRET);
    let mut parts = signed.split('.');
    let header = parts.next().unwrap();
    let _ = parts.next();
    let sig = parts.next().unwrap();
    let mut other = good.clone();
    other["sub"] = json!(uuid::Uuid::new_v4().to_string());
    cases.push((
        "tampered payload",
        format!("{header}.{}.{sig}", b64(other.to_string().as_bytes())),
    ));

    for (name, token) in cases {
        let reply = client.get_auth("/api/auth/me", &token).await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.text());
        assert_eq!(reply.error_code(), "unauthorized", "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_signing_key_is_shared_through_the_database() {
    // No JWT_SECRET: the key is generated once and stored, so a second app instance on the same
    // database (another replica) accepts tokens the first one issued.
    let first = TestApp::spawn().await;
    let session = register(&first, "ana@acme.com").await;
    let token = session["token"].as_str().unwrap();
    let config = common::config_for(&first.db, &[]);
    let state = revtops::startup::prepare(config, false, Default::default())
        .await
        .unwrap();
    let verified = state.auth.authenticate(&state.db, token).await.unwrap();
    assert_eq!(
        verified.user_id.to_string(),
        session["user"]["id"].as_str().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supabase_only_endpoints_are_absent_in_local_mode() {
    let app = app().await;
    let session = register(&app, "ana@acme.com").await;
    let reply = app
        .client()
        .call(
            "POST",
            "/api/auth/users/sync",
            session["token"].as_str(),
            None,
        )
        .await;
    assert_eq!(reply.status, 404);
}
