//! Retry spacing shared by every outbound client (model providers, CRM connectors).

use std::time::Duration;

/// Exponential backoff from `base` with up to 50 % jitter (so replicas retrying together
/// spread out), capped at 30 s before jitter.
pub fn delay(base: Duration, attempt: u32) -> Duration {
    let exp = base
        .saturating_mul(1 << attempt.min(6))
        .min(Duration::from_secs(30));
    let mut jitter = [0u8; 2];
    let _ = getrandom::getrandom(&mut jitter);
    let fraction = f64::from(u16::from_le_bytes(jitter)) / f64::from(u16::MAX) * 0.5;
    exp.mul_f64(1.0 + fraction)
}
