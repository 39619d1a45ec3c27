//! A fake Supabase Auth for tests: serves a JWKS with ES256 and RS256 test keys on 127.0.0.1:0,
//! counts fetches, and mints access tokens shaped like Supabase's (any claim can be overridden).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use poem::web::Json;
use poem::{EndpointExt, Route, handler};
use serde_json::{Value, json};

pub const ES_KID: &str = "test-es256";
/// The project's public key, which Supabase's gateway requires on every Auth API call.
pub const ANON_KEY: &str = "test-anon-key";
pub const RS_KID: &str = "test-rs256";
const ES_PRIVATE: &str = include_str!("../fixtures/es256_private.pem");
const ES_PUBLIC: &str = include_str!("../fixtures/es256_public.pem");
const RS_PRIVATE: &str = include_str!("../fixtures/rs256_private.pem");
const RS_PUBLIC: &str = include_str!("../fixtures/rs256_public.pem");

pub struct FakeSupabase {
    pub url: String,
    pub fetches: Arc<AtomicUsize>,
    /// Emails whose owners have not confirmed them (all others are confirmed).
    unconfirmed: Arc<Mutex<HashSet<String>>>,
    shutdown: tokio_util::sync::CancellationToken,
}

fn jwk(public_pem: &str, alg: Algorithm, kid: &str) -> Jwk {
    let key = match alg {
        Algorithm::ES256 => DecodingKey::from_ec_pem(public_pem.as_bytes()).unwrap(),
        _ => DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap(),
    };
    let mut jwk = Jwk::from_decoding_key(&key, Some(alg)).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk
}

#[handler]
fn jwks(fetches: poem::web::Data<&Arc<AtomicUsize>>) -> Json<JwkSet> {
    fetches.fetch_add(1, Ordering::SeqCst);
    Json(JwkSet {
        keys: vec![
            jwk(ES_PUBLIC, Algorithm::ES256, ES_KID),
            jwk(RS_PUBLIC, Algorithm::RS256, RS_KID),
        ],
    })
}

/// `GET /auth/v1/user`: the user behind the bearer token, as Supabase Auth has it. (The fake
/// reads the token's claims without checking its signature; the app has checked it already.)
#[handler]
fn user(
    req: &poem::Request,
    unconfirmed: poem::web::Data<&Arc<Mutex<HashSet<String>>>>,
) -> poem::Response {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let refuse = |status: u16, msg: &str| {
        poem::Response::builder()
            .status(poem::http::StatusCode::from_u16(status).unwrap())
            .content_type("application/json")
            .body(json!({"msg": msg}).to_string())
    };
    if header("apikey") != ANON_KEY {
        return refuse(401, "No API key found in request");
    }
    let Some(token) = header("authorization").strip_prefix("Bearer ") else {
        return refuse(401, "missing bearer");
    };
    let Some(claims) = token.split('.').nth(1).and_then(|p| {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .ok()?;
        serde_json::from_slice::<Value>(&bytes).ok()
    }) else {
        return refuse(403, "invalid JWT");
    };
    let email = claims["email"].as_str().unwrap_or("").to_lowercase();
    let confirmed = !unconfirmed.lock().unwrap().contains(&email);
    let body = json!({
        "id": claims["sub"], "aud": "authenticated", "role": "authenticated", "email": claims["email"],
        "email_confirmed_at": if confirmed { json!("2026-11-01T10:00:00Z") } else { Value::Null },
        "app_metadata": claims["app_metadata"], "user_metadata": claims["user_metadata"],
    });
    poem::Response::builder()
        .content_type("application/json")
        .body(body.to_string())
}

impl FakeSupabase {
    pub async fn start() -> Self {
        let fetches = Arc::new(AtomicUsize::new(0));
        let unconfirmed = Arc::new(Mutex::new(HashSet::new()));
        let app = Route::new()
            .at("/auth/v1/.well-known/jwks.json", jwks)
            .at("/auth/v1/user", poem::get(user))
            .data(fetches.clone())
            .data(unconfirmed.clone());
        let (url, shutdown) = super::serve_fake(app).await;
        Self {
            url,
            fetches,
            unconfirmed,
            shutdown,
        }
    }

    /// From now on Supabase Auth reports `email` as not confirmed.
    pub fn unconfirm(&self, email: &str) {
        self.unconfirmed
            .lock()
            .unwrap()
            .insert(email.to_lowercase());
    }

    pub fn issuer(&self) -> String {
        format!("{}/auth/v1", self.url)
    }

    /// Claims of a fresh Google sign-in for `email` (verified), with subject `sub`.
    pub fn claims(&self, sub: &str, email: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer(), "sub": sub, "aud": "authenticated", "exp": now + 3600, "iat": now,
            "role": "authenticated", "aal": "aal1", "session_id": uuid::Uuid::new_v4().to_string(),
            "email": email, "phone": "", "is_anonymous": false,
            "app_metadata": {"provider": "google", "providers": ["google"]},
            "user_metadata": {"full_name": format!("User {email}"), "avatar_url": "https://example.com/a.png", "email_verified": true},
        })
    }

    pub fn sign(&self, alg: Algorithm, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        let key = match alg {
            Algorithm::ES256 => EncodingKey::from_ec_pem(ES_PRIVATE.as_bytes()).unwrap(),
            Algorithm::RS256 => EncodingKey::from_rsa_pem(RS_PRIVATE.as_bytes()).unwrap(),
            _ => panic!("use sign_hs256"),
        };
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }

    pub fn token(&self, sub: &str, email: &str) -> String {
        self.sign(Algorithm::ES256, ES_KID, &self.claims(sub, email))
    }

    /// The algorithm-confusion attack: HS256 keyed with the published public key.
    pub fn hs256_with_public_key(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(ES_KID.to_owned());
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_secret(ES_PUBLIC.as_bytes()),
        )
        .unwrap()
    }
}

impl Drop for FakeSupabase {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub fn b64(v: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

/// `alg: none` with an empty signature.
pub fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

/// Swaps the payload of a signed token, keeping its header and signature.
pub fn tampered(token: &str, claims: &Value) -> String {
    let mut parts = token.split('.');
    let (header, _, sig) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    format!("{header}.{}.{sig}", b64(claims.to_string().as_bytes()))
}
