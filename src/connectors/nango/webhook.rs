//! Nango webhooks: the signature check and the payload. Nango signs the raw body:
//! `X-Nango-Hmac-Sha256: hex(HMAC_SHA256(webhook signing key, body))`.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::types::Tags;

pub const SIGNATURE_HEADER: &str = "X-Nango-Hmac-Sha256";

/// Whether `signature` (hex) is the HMAC-SHA256 of `body` under `secret`. The comparison is
/// constant-time (`Mac::verify_slice`); malformed hex is simply a mismatch.
pub fn verify_signature(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Some(expected) = decode_hex(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The hex signature of `body` (what Nango sends; used by tests and fakes).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_hex(raw: &str) -> Option<Vec<u8>> {
    if raw.len() != 64 || !raw.is_ascii() {
        return None;
    }
    (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&raw[i..i + 2], 16).ok())
        .collect()
}

/// Any webhook Nango sends; only `type: "auth"` is acted on, other types are acknowledged.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub provider_config_key: Option<String>,
    #[serde(default)]
    pub tags: Option<Tags>,
    #[serde(default)]
    pub error: Option<WebhookError>,
}

/// `error` of a failed auth operation (e.g. a token refresh).
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookError {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_the_same_key_and_body() {
        let sig = sign(b"whsec", b"{\"a\":1}");
        assert_eq!(sig.len(), 64);
        assert!(verify_signature(b"whsec", b"{\"a\":1}", &sig));
        assert!(verify_signature(
            b"whsec",
            b"{\"a\":1}",
            &sig.to_uppercase()
        ));
        assert!(!verify_signature(b"other", b"{\"a\":1}", &sig));
        assert!(!verify_signature(b"whsec", b"{\"a\":2}", &sig));
        assert!(!verify_signature(b"whsec", b"{\"a\":1}", "zz"));
        assert!(!verify_signature(b"whsec", b"{\"a\":1}", &sig[..62]));
        assert!(!verify_signature(b"whsec", b"{\"a\":1}", ""));
    }

    /// A vector computed outside this crate (Python's `hmac.new(key, body, sha256).hexdigest()`,
    /// Nango's documented `X-Nango-Hmac-Sha256 = hex(HMAC-SHA256(signing key, raw body))`), so
    /// the check does not only agree with our own signer.
    #[test]
    fn an_independently_computed_nango_signature_verifies() {
        let body = br#"{"type":"auth","operation":"creation","success":true,"connectionId":"conn-vector","providerConfigKey":"hubspot","provider":"hubspot","environment":"prod","tags":{}}"#;
        let signature = "aabf978f2443653415824fa8f5763fc49edd9fc9f47e63513da126c220e346f9";
        assert!(verify_signature(b"whsec-test-signing-key", body, signature));
        assert_eq!(sign(b"whsec-test-signing-key", body), signature);
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert!(!verify_signature(
            b"whsec-test-signing-key",
            &tampered,
            signature
        ));
    }
}
