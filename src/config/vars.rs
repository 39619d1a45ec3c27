//! Reading and validating single variables; every failure names its variable.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use url::Url;

use super::{ConfigError, Secret};

/// Reads variables through a lookup function so tests can pass a map instead of mutating the
/// process environment (which would race between parallel tests).
pub(in crate::config) struct Vars<F> {
    pub(super) lookup: F,
}

impl<F: Fn(&str) -> Option<String>> Vars<F> {
    pub(super) fn raw(&self, var: &'static str) -> Option<String> {
        (self.lookup)(var)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn parse<T>(
        &self,
        var: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        match self.raw(var) {
            None => Ok(default),
            Some(raw) => parse(&raw).map_err(|reason| ConfigError { var, reason }),
        }
    }

    pub(super) fn optional<T>(
        &self,
        var: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        self.parse(var, None, |raw| parse(raw).map(Some))
    }
}

pub(super) fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got `{raw}`")),
    }
}

pub(super) fn parse_number<T>(min: T, max: T) -> impl FnOnce(&str) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    move |raw| match raw.parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        Ok(_) => Err(format!("must be between {min} and {max}, got `{raw}`")),
        Err(_) => Err(format!("expected a number, got `{raw}`")),
    }
}

/// Seconds, or a number with an `s`, `m` or `h` suffix (`90`, `15m`, `1h`).
pub(super) fn parse_duration(raw: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let (digits, unit) = match raw.char_indices().last() {
        Some((i, 's')) => (&raw[..i], 1),
        Some((i, 'm')) => (&raw[..i], 60),
        Some((i, 'h')) => (&raw[..i], 3600),
        _ => (raw, 1),
    };
    let value = digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .map(Duration::from_secs)
        .ok_or_else(|| format!("expected a duration such as 900, 90s, 15m or 1h, got `{raw}`"))?;
    if value < min || value > max {
        return Err(format!(
            "must be between {}s and {}s, got `{raw}`",
            min.as_secs(),
            max.as_secs()
        ));
    }
    Ok(value)
}

pub(super) fn parse_http_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!("expected an http(s) URL, got scheme `{other}`")),
    }
}

/// Comma-separated host names (`.example.com` for a domain's subdomains).
pub(super) fn parse_host_list(raw: &str) -> Result<Vec<String>, String> {
    let hosts: Vec<String> = raw
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if hosts.is_empty() {
        return Err("expected at least one host name".into());
    }
    match hosts.iter().find(|h| {
        h.chars()
            .any(|c| !(c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
    }) {
        Some(bad) => Err(format!("{bad:?} is not a host name")),
        None => Ok(hosts),
    }
}

pub(super) fn parse_redis_url(raw: &str) -> Result<Secret<Url>, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
    match url.scheme() {
        "redis" | "rediss" => Ok(Secret::new(url)),
        other => Err(format!("expected a redis:// URL, got scheme `{other}`")),
    }
}

pub(super) fn parse_secret(min_len: usize) -> impl FnOnce(&str) -> Result<Secret<String>, String> {
    move |raw| {
        if raw.len() < min_len {
            Err(format!("must be at least {min_len} characters"))
        } else {
            Ok(Secret::new(raw.to_owned()))
        }
    }
}

pub(super) fn parse_socket_addr(raw: &str) -> Result<SocketAddr, String> {
    raw.parse()
        .map_err(|_| format!("expected host:port such as 0.0.0.0:8000, got `{raw}`"))
}

pub(super) fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}

/// `v62.0`-style Salesforce REST versions.
pub(super) fn parse_salesforce_version(raw: &str) -> Result<String, String> {
    let digits = raw.strip_prefix('v').and_then(|v| v.split_once('.'));
    match digits {
        Some((major, minor))
            if !major.is_empty()
                && !minor.is_empty()
                && major
                    .chars()
                    .chain(minor.chars())
                    .all(|c| c.is_ascii_digit()) =>
        {
            Ok(raw.to_owned())
        }
        _ => Err(format!("expected a version like v62.0, got `{raw}`")),
    }
}

/// A 32-byte key as 64 hex digits or standard base64.
pub(super) fn parse_key(raw: &str) -> Result<Secret<[u8; 32]>, String> {
    use base64::Engine;
    let raw = raw.trim();
    let bytes = if raw.len() == 64 && raw.chars().all(|c| c.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&raw[2 * i..2 * i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|e| e.to_string())?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(raw)
            .map_err(|_| {
                "expected 32 bytes as 64 hex digits or base64 (openssl rand -hex 32)".to_owned()
            })?
    };
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "expected 32 bytes (openssl rand -hex 32)".to_owned())?;
    Ok(Secret::new(key))
}
