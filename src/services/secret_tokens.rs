//! One-time tokens for links (invitations, password resets, email verification): 32 random bytes,
//! URL-safe; only their SHA-256 is stored, so a database read does not hand out working links.

use base64::Engine;
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult};

/// A fresh token and the hash to store for it.
pub fn new_token() -> ServiceResult<(String, Vec<u8>)> {
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let hash = hash(&token);
    Ok((token, hash))
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
