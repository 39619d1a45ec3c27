//! AUTH_MODE=supabase: tokens verified against a fake Supabase JWKS (ES256 and RS256), every
//! classic token attack refused on every authenticated route of the OpenAPI document.

mod common;

use std::sync::atomic::Ordering;

use common::TestApp;
use common::supabase::{ANON_KEY, ES_KID, FakeSupabase, RS_KID, tampered, unsigned};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

async fn app(fake: &FakeSupabase, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("AUTH_MODE", "supabase"),
        ("SUPABASE_URL", fake.url.as_str()),
        ("SUPABASE_ANON_KEY", ANON_KEY),
    ];
    vars.extend_from_slice(extra);
    TestApp::spawn_with(&vars).await
}

fn with(claims: &Value, patch: Value) -> Value {
    let mut c = claims.clone();
    for (k, v) in patch.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

/// Registers the user behind `token` (users/sync) and returns the /me body.
async fn sync(app: &TestApp, token: &str) -> Value {
    let reply = app
        .client()
        .call("POST", "/api/auth/users/sync", Some(token), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_email_is_what_supabase_auth_says_not_what_the_user_wrote() {
    let fake = FakeSupabase::start().await;
    let app = app(&fake, &[]).await;
    // An email/password user who wrote `email_verified: true` into their own user_metadata
    // (`supabase.auth.updateUser({data: {email_verified: true}})`) but never confirmed it.
    fake.unconfirm("mallory@acme.com");
    let mut claims = fake.claims("sub-mallory", "mallory@acme.com");
    claims["app_metadata"] = json!({"provider": "email", "providers": ["email"]});
    claims["user_metadata"]["email_verified"] = json!(true);
    let token = fake.sign(Algorithm::ES256, ES_KID, &claims);
    let me = sync(&app, &token).await;
    assert_eq!(me["user"]["email_verified"], false);
    // So the domain stays unclaimed and unjoinable for them.
    let claim = app
        .client()
        .call(
            "POST",
            "/api/auth/organizations",
            Some(&token),
            Some(&json!({"name": "Acme", "email_domain": "acme.com"})),
        )
        .await;
    assert_eq!(claim.status, 403, "{}", claim.text());
    assert!(claim.text().contains("verified"), "{}", claim.text());

    // A confirmed email/password user is verified, whatever their metadata says.
    let mut claims = fake.claims("sub-ana", "ana@acme.com");
    claims["app_metadata"] = json!({"provider": "email", "providers": ["email"]});
    claims["user_metadata"] = json!({"full_name": "Ana"});
    let token = fake.sign(Algorithm::ES256, ES_KID, &claims);
    assert_eq!(sync(&app, &token).await["user"]["email_verified"], true);

    // Without the anon key Supabase cannot be asked: only the provider in app_metadata (set by
    // Supabase) vouches, never user_metadata.
    let keyless = TestApp::spawn_with(&[
        ("AUTH_MODE", "supabase"),
        ("SUPABASE_URL", fake.url.as_str()),
    ])
    .await;
    let mut claims = fake.claims("sub-eve", "eve@acme.com");
    claims["app_metadata"] = json!({"provider": "email"});
    claims["user_metadata"]["email_verified"] = json!(true);
    let token = fake.sign(Algorithm::ES256, ES_KID, &claims);
    assert_eq!(
        sync(&keyless, &token).await["user"]["email_verified"],
        false
    );
    let google = fake.token("sub-gus", "gus@acme.com");
    assert_eq!(
        sync(&keyless, &google).await["user"]["email_verified"],
        true
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_sync_takes_identity_from_claims_only() {
    let fake = FakeSupabase::start().await;
    let app = app(&fake, &[]).await;
    let client = app.client();
    let token = fake.token("sub-ana", "Ana@Acme.com");
    // Not registered yet: authenticated endpoints say so.
    let me = client.get_auth("/api/auth/me", &token).await;
    assert_eq!(me.status, 401);
    assert!(
        me.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("users/sync")
    );

    let forged = json!({"id": uuid::Uuid::new_v4(), "organization_id": uuid::Uuid::new_v4(), "email": "ceo@victim.com", "role": "admin"});
    let reply = client
        .call("POST", "/api/auth/users/sync", Some(&token), Some(&forged))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["user"]["email"], "ana@acme.com");
    assert_eq!(body["user"]["email_verified"], true);
    assert_eq!(body["user"]["name"], "User Ana@Acme.com");
    assert_eq!(body["user"]["role"], "member");
    assert_eq!(body["organization"], Value::Null);
    assert_ne!(body["user"]["id"], forged["id"]);

    // Idempotent, and RS256 tokens for the same subject work too.
    let rs = fake.sign(
        Algorithm::RS256,
        RS_KID,
        &fake.claims("sub-ana", "ana@acme.com"),
    );
    let again = sync(&app, &rs).await;
    assert_eq!(again["user"]["id"], body["user"]["id"]);
    assert_eq!(client.get_auth("/api/auth/me", &rs).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kids_cannot_hammer_the_jwks_endpoint() {
    let fake = FakeSupabase::start().await;
    let app = app(&fake, &[]).await;
    let client = app.client();
    let token = fake.token("sub-ana", "ana@acme.com");
    sync(&app, &token).await;
    let after_first = fake.fetches.load(Ordering::SeqCst);
    assert_eq!(after_first, 1, "keys fetched once and cached");
    for i in 0..20 {
        let bogus = fake.sign(
            Algorithm::ES256,
            &format!("garbage-{i}"),
            &fake.claims("sub-ana", "ana@acme.com"),
        );
        assert_eq!(client.get_auth("/api/auth/me", &bogus).await.status, 401);
    }
    assert!(
        fake.fetches.load(Ordering::SeqCst) <= after_first + 1,
        "at most one refetch per cooldown"
    );
    assert_eq!(
        client.get_auth("/api/auth/me", &token).await.status,
        200,
        "known kid still works from cache"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_hs256_secret_works_when_configured_and_confusion_still_fails() {
    let fake = FakeSupabase::start().await;
    let secret = "legacy-supabase-jwt-secret-0123456789";
    let app = app(&fake, &[("SUPABASE_JWT_SECRET", secret)]).await;
    let claims = fake.claims("sub-hs", "hs@acme.com");
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    sync(&app, &hs).await;
    let confused = fake.hs256_with_public_key(&claims);
    assert_eq!(
        app.client()
            .get_auth("/api/auth/me", &confused)
            .await
            .status,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_users_and_revoked_sessions_are_refused() {
    let fake = FakeSupabase::start().await;
    let app = app(&fake, &[]).await;
    let client = app.client();
    let token = fake.token("sub-del", "del@acme.com");
    let me = sync(&app, &token).await;
    assert_eq!(
        client
            .call("POST", "/api/auth/logout", Some(&token), None)
            .await
            .status,
        204
    );
    assert_eq!(
        client.get_auth("/api/auth/me", &token).await.status,
        401,
        "logged-out session"
    );
    assert_eq!(
        client
            .call("POST", "/api/auth/users/sync", Some(&token), None)
            .await
            .status,
        401
    );

    let fresh = fake.token("sub-del", "del@acme.com");
    assert_eq!(client.get_auth("/api/auth/me", &fresh).await.status, 200);
    let db = app.db.client().await;
    let id: uuid::Uuid = me["user"]["id"].as_str().unwrap().parse().unwrap();
    db.execute("UPDATE users SET deleted_at = now() WHERE id = $1", &[&id])
        .await
        .unwrap();
    assert_eq!(
        client.get_auth("/api/auth/me", &fresh).await.status,
        401,
        "deleted user"
    );
    assert_eq!(
        client
            .call("POST", "/api/auth/users/sync", Some(&fresh), None)
            .await
            .status,
        401,
        "not resurrected"
    );
}

/// Path parameters filled with plausible values so the request reaches the security check.
fn concrete_path(template: &str) -> String {
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                if seg.contains("domain") {
                    "acme.com".to_owned()
                } else {
                    uuid::Uuid::new_v4().to_string()
                }
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Public operations: everything else in the document must require a bearer token.
const PUBLIC: &[&str] = &[
    "health",
    // What the browser needs before anyone signs in (auth mode, public keys, features).
    "client_config",
    "register",
    "login",
    // The invitation, reset or verification token in the body is the credential.
    "preview_invitation",
    "reset_password",
    "verify_email",
    // Logos and avatars for <img>, which sends no token: the unguessable id is the credential
    // (tests/dashboards.rs checks a replaced image's old address stops working).
    "get_image",
    // Called by Nango, not by users: authenticated by its X-Nango-Hmac-Sha256 signature
    // (tests/integrations.rs checks that missing or wrong signatures are refused).
    "nango_webhook",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_authenticated_route_refuses_every_bad_token() {
    let fake = FakeSupabase::start().await;
    let app = app(&fake, &[]).await;
    let client = app.client();
    let valid_claims = fake.claims("sub-matrix", "matrix@acme.com");
    let valid = fake.sign(Algorithm::ES256, ES_KID, &valid_claims);
    let me = sync(&app, &valid).await;
    let deleted_token = fake.token("sub-gone", "gone@acme.com");
    let gone = sync(&app, &deleted_token).await;
    let db = app.db.client().await;
    let gone_id: uuid::Uuid = gone["user"]["id"].as_str().unwrap().parse().unwrap();
    db.execute(
        "UPDATE users SET deleted_at = now() WHERE id = $1",
        &[&gone_id],
    )
    .await
    .unwrap();
    let now = chrono::Utc::now().timestamp();

    let bad_tokens: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("malformed", Some("definitely-not-a-jwt".into())),
        ("alg none", Some(unsigned(&valid_claims))),
        (
            "HS256 with the JWKS public key",
            Some(fake.hs256_with_public_key(&valid_claims)),
        ),
        (
            "expired",
            Some(fake.sign(
                Algorithm::ES256,
                ES_KID,
                &with(&valid_claims, json!({"exp": now - 120})),
            )),
        ),
        (
            "not yet valid",
            Some(fake.sign(
                Algorithm::ES256,
                ES_KID,
                &with(&valid_claims, json!({"nbf": now + 3600})),
            )),
        ),
        (
            "wrong audience",
            Some(fake.sign(
                Algorithm::ES256,
                ES_KID,
                &with(&valid_claims, json!({"aud": "anon"})),
            )),
        ),
        (
            "wrong issuer",
            Some(fake.sign(
                Algorithm::ES256,
                ES_KID,
                &with(
                    &valid_claims,
                    json!({"iss": "https://evil.example/auth/v1"}),
                ),
            )),
        ),
        (
            "unknown kid",
            Some(fake.sign(Algorithm::ES256, "no-such-kid", &valid_claims)),
        ),
        (
            "tampered payload",
            Some(tampered(
                &valid,
                &with(&valid_claims, json!({"sub": "sub-someone-else"})),
            )),
        ),
        (
            "RS256 token claiming the EC kid",
            Some(fake.sign(Algorithm::RS256, ES_KID, &valid_claims)),
        ),
        ("deleted user", Some(deleted_token)),
    ];

    let spec = client.get("/openapi.json").await.json();
    let mut checked = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or("");
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if PUBLIC.contains(&id) {
                assert!(!secured, "{id} is listed public but declares security");
                continue;
            }
            assert!(
                secured,
                "{method} {path} ({id}) has no security requirement and is not in PUBLIC"
            );
            let url = format!("/api{}", concrete_path(path));
            let verb: &'static str = match method.as_str() {
                "get" => "GET",
                "post" => "POST",
                "patch" => "PATCH",
                "put" => "PUT",
                "delete" => "DELETE",
                other => panic!("unexpected method {other}"),
            };
            let body = matches!(verb, "POST" | "PATCH" | "PUT").then(|| json!({}));
            for (name, token) in &bad_tokens {
                let reply = client
                    .call(verb, &url, token.as_deref(), body.as_ref())
                    .await;
                assert_eq!(
                    reply.status,
                    401,
                    "{verb} {url} with {name}: {}",
                    reply.text()
                );
                assert_eq!(
                    reply.error_code(),
                    "unauthorized",
                    "{verb} {url} with {name}"
                );
                let text = reply.text();
                assert!(
                    !text.contains(me["user"]["id"].as_str().unwrap()),
                    "leaked a user id: {text}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "the matrix saw only {checked} operations");
    assert_eq!(
        client.get_auth("/api/auth/me", &valid).await.status,
        200,
        "control: the valid token works"
    );
}
