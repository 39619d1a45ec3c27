//! Password hashing with argon2id (OWASP parameters), run on blocking threads so a login never
//! stalls the async workers.

use std::sync::OnceLock;

use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::OsRng;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::services::{ServiceError, ServiceResult};

pub const MIN_LEN: usize = 10;
/// Bounds the work an attacker can make us do per attempt.
pub const MAX_LEN: usize = 256;

pub fn validate(password: &str) -> ServiceResult<()> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(ServiceError::Invalid(format!(
            "password must be at least {MIN_LEN} characters"
        )));
    }
    if chars > MAX_LEN {
        return Err(ServiceError::Invalid(format!(
            "password must be at most {MAX_LEN} characters"
        )));
    }
    Ok(())
}

/// Argon2 runs at most this many at once (each takes ~19 MiB and a blocking thread for tens of
/// milliseconds), so a flood of sign-ups or sign-ins queues here instead of exhausting memory or
/// the blocking threads model streams need.
const CONCURRENT_HASHES: usize = 2;
/// A request that waits longer than this for its turn is told to come back.
const HASH_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);

async fn turn() -> ServiceResult<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(HASH_QUEUE_WAIT, HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ServiceError::Unavailable(
            "too many sign-ins at once; try again in a few seconds".into(),
        )),
    }
}

pub async fn hash(password: String) -> ServiceResult<String> {
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// A hash of nothing in particular, verified when the account does not exist so that unknown
/// emails take as long as wrong passwords.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"decoy password for timing equality", &salt)
            .map(|h| h.to_string())
            .expect("hashing a constant cannot fail")
    })
}

/// Checks `password` against `stored` (or the decoy when there is no account); always does the
/// same amount of work.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(_turn) = turn().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| decoy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && exists
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_reject() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(h)).await);
        assert!(!verify("decoy password for timing equality".into(), None).await);
        assert!(validate("short").is_err());
        assert!(validate(&"x".repeat(300)).is_err());
        assert!(validate("long enough pw").is_ok());
    }
}
