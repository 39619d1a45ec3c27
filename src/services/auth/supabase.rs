//! Verification of Supabase access tokens: ES256/RS256 keys from the project's JWKS (selected by
//! `kid`, cached, re-fetched at most once per cooldown on an unknown `kid`) and the legacy HS256
//! secret when configured. Checks exp (small leeway), nbf, aud=authenticated, iss and sub.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

use super::{Profile, Subject, VerifiedToken, token_error};
use crate::services::{ServiceError, ServiceResult};

const JWKS_TTL: Duration = Duration::from_secs(600);
/// An unknown `kid` triggers a refetch at most this often, so garbage kids cannot hammer Supabase.
const REFETCH_COOLDOWN: Duration = Duration::from_secs(30);
const AUDIENCE: &str = "authenticated";

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    is_anonymous: bool,
    #[serde(default)]
    app_metadata: serde_json::Value,
    #[serde(default)]
    user_metadata: serde_json::Value,
}

#[derive(Default)]
struct JwksCache {
    keys: Option<JwkSet>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
}

pub struct SupabaseVerifier {
    jwks_url: String,
    issuer: String,
    hs_secret: Option<DecodingKey>,
    agent: ureq::Agent,
    cache: RwLock<JwksCache>,
}

impl SupabaseVerifier {
    pub fn new(
        supabase_url: &url::Url,
        jwks_url: Option<&url::Url>,
        hs_secret: Option<&str>,
    ) -> Self {
        let base = supabase_url.as_str().trim_end_matches('/');
        let jwks_url = jwks_url
            .map(|u| u.to_string())
            .unwrap_or_else(|| format!("{base}/auth/v1/.well-known/jwks.json"));
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(3)))
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            jwks_url,
            issuer: format!("{base}/auth/v1"),
            hs_secret: hs_secret.map(|s| DecodingKey::from_secret(s.as_bytes())),
            agent,
            cache: RwLock::new(JwksCache::default()),
        }
    }

    pub async fn verify(&self, token: &str) -> ServiceResult<VerifiedToken> {
        let header = jsonwebtoken::decode_header(token).map_err(token_error)?;
        let key = match header.alg {
            // HS256 is checked only against the project secret, never against a JWKS public key,
            // which defeats the algorithm-confusion attack.
            Algorithm::HS256 => self.hs_secret.clone().ok_or_else(|| {
                ServiceError::Unauthenticated("token algorithm HS256 is not accepted".into())
            })?,
            Algorithm::ES256 | Algorithm::RS256 => {
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| ServiceError::Unauthenticated("token has no key id".into()))?;
                self.key_for(kid, header.alg).await?
            }
            other => {
                return Err(ServiceError::Unauthenticated(format!(
                    "token algorithm {other:?} is not accepted"
                )));
            }
        };
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(token_error)?
            .claims;
        if claims.sub.trim().is_empty() {
            return Err(ServiceError::Unauthenticated("token has no subject".into()));
        }
        if claims.is_anonymous {
            return Err(ServiceError::Unauthenticated(
                "anonymous sessions cannot use Revtops".into(),
            ));
        }
        let provider = claims
            .app_metadata
            .get("provider")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        // Never `user_metadata.email_verified`: the user can rewrite it. Whether the email is
        // confirmed is asked of Supabase Auth when the user row is synced (`supabase_email`).
        let meta_str = |key: &str| {
            claims
                .user_metadata
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        Ok(VerifiedToken {
            subject: Subject::Supabase(claims.sub),
            token_id: claims.jti.or(claims.session_id),
            issued_at: claims.iat.and_then(|t| DateTime::from_timestamp(t, 0)),
            expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now),
            profile: Profile {
                email: claims
                    .email
                    .filter(|e| !e.is_empty())
                    .map(|e| e.to_lowercase()),
                provider: provider.to_owned(),
                name: meta_str("full_name").or_else(|| meta_str("name")),
                avatar_url: meta_str("avatar_url").or_else(|| meta_str("picture")),
            },
        })
    }

    async fn key_for(&self, kid: &str, alg: Algorithm) -> ServiceResult<DecodingKey> {
        // Hot path: every request with a cached, fresh key shares a read lock.
        {
            let cache = self.cache.read().await;
            let fresh = cache.fetched_at.is_some_and(|t| t.elapsed() < JWKS_TTL);
            if let Some(jwk) = cache
                .keys
                .as_ref()
                .and_then(|k| k.find(kid))
                .filter(|_| fresh)
            {
                return usable_key(jwk, alg);
            }
        }
        // Refresh path: the write lock makes concurrent misses share one fetch.
        let mut cache = self.cache.write().await;
        let fresh = cache.fetched_at.is_some_and(|t| t.elapsed() < JWKS_TTL);
        let known = cache.keys.as_ref().is_some_and(|k| k.find(kid).is_some());
        let may_fetch = cache
            .last_attempt
            .is_none_or(|t| t.elapsed() >= REFETCH_COOLDOWN);
        if (!fresh || !known) && may_fetch {
            cache.last_attempt = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    cache.keys = Some(keys);
                    cache.fetched_at = Some(Instant::now());
                }
                // A stale copy is better than refusing everyone while Supabase blips.
                Err(e) if cache.keys.is_some() => {
                    tracing::warn!(error = %e, "JWKS refresh failed; using cached keys")
                }
                Err(e) => return Err(e),
            }
        }
        let jwk = cache
            .keys
            .as_ref()
            .and_then(|k| k.find(kid))
            .ok_or_else(|| {
                ServiceError::Unauthenticated("token signed with an unknown key".into())
            })?;
        usable_key(jwk, alg)
    }

    async fn fetch(&self) -> ServiceResult<JwkSet> {
        let agent = self.agent.clone();
        let url = self.jwks_url.clone();
        tokio::task::spawn_blocking(move || {
            let unavailable = |why: String| {
                ServiceError::Unavailable(format!("cannot fetch signing keys: {why}"))
            };
            let mut resp = agent
                .get(&url)
                .call()
                .map_err(|e| unavailable(e.to_string()))?;
            if !resp.status().is_success() {
                return Err(unavailable(format!("HTTP {}", resp.status().as_u16())));
            }
            resp.body_mut()
                .read_json::<JwkSet>()
                .map_err(|e| unavailable(e.to_string()))
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
    }
}

/// The decoding key of `jwk`, provided its key type matches the token's algorithm.
fn usable_key(jwk: &jsonwebtoken::jwk::Jwk, alg: Algorithm) -> ServiceResult<DecodingKey> {
    let family_ok = matches!(
        (&jwk.algorithm, alg),
        (AlgorithmParameters::EllipticCurve(_), Algorithm::ES256)
            | (AlgorithmParameters::RSA(_), Algorithm::RS256)
    );
    if !family_ok {
        return Err(ServiceError::Unauthenticated(
            "token algorithm does not match its key".into(),
        ));
    }
    DecodingKey::from_jwk(jwk)
        .map_err(|_| ServiceError::Unauthenticated("token key is unusable".into()))
}
