//! Revtops-issued JWTs for AUTH_MODE=local: HS256 under a server secret, with an id (`jti`) so a
//! single token can be revoked at logout.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Profile, Subject, VerifiedToken, token_error};
use crate::services::{ServiceError, ServiceResult};

pub const ISSUER: &str = "revtops";
pub const AUDIENCE: &str = "revtops";
pub const TOKEN_TTL: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    exp: i64,
    iat: i64,
    nbf: i64,
    jti: String,
    /// `iat` in microseconds: a password change ends the sessions issued before it, and the
    /// session it hands out in the same second must stay valid.
    #[serde(default)]
    iat_us: Option<i64>,
}

pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

pub struct LocalTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl LocalTokens {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn issue(&self, user_id: Uuid) -> ServiceResult<IssuedToken> {
        self.issue_for(user_id, TOKEN_TTL)
    }

    /// A token that lives `ttl` (sign-in uses [`TOKEN_TTL`]).
    pub fn issue_for(&self, user_id: Uuid, ttl: Duration) -> ServiceResult<IssuedToken> {
        let now = Utc::now();
        let expires_at = now + ttl;
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            jti: Uuid::new_v4().to_string(),
            iat_us: Some(now.timestamp_micros()),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ServiceError::Internal(format!("cannot sign token: {e}")))?;
        Ok(IssuedToken { token, expires_at })
    }

    pub fn verify(&self, token: &str) -> ServiceResult<VerifiedToken> {
        // Only HS256 is accepted: `alg: none` and asymmetric algorithms fail here.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "nbf", "sub", "aud", "iss"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(token_error)?;
        let user_id = Uuid::parse_str(&data.claims.sub)
            .map_err(|_| ServiceError::Unauthenticated("invalid token subject".into()))?;
        Ok(VerifiedToken {
            subject: Subject::Local(user_id),
            token_id: Some(data.claims.jti),
            issued_at: match data.claims.iat_us {
                Some(us) => DateTime::from_timestamp_micros(us),
                None => DateTime::from_timestamp(data.claims.iat, 0),
            },
            expires_at: DateTime::from_timestamp(data.claims.exp, 0).unwrap_or_else(Utc::now),
            profile: Profile::default(),
        })
    }
}
