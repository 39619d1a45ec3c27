//! Parsing the configuration from variable maps.

use super::*;
use std::collections::HashMap;

fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults_run_on_local_services() {
    let c = config(&[]).unwrap();
    assert_eq!(c.database_url.expose(), DEFAULT_DATABASE_URL);
    assert_eq!(c.bind_addr.to_string(), "0.0.0.0:8000");
    assert_eq!(c.auth.mode, AuthMode::Local);
    assert!(c.auto_migrate);
    assert!(c.redis_url.is_none());
}

#[test]
fn port_alone_is_honoured_and_bind_addr_wins() {
    assert_eq!(
        config(&[("PORT", "9100")]).unwrap().bind_addr.to_string(),
        "0.0.0.0:9100"
    );
    let both = config(&[("PORT", "9100"), ("BIND_ADDR", "127.0.0.1:7000")]).unwrap();
    assert_eq!(both.bind_addr.to_string(), "127.0.0.1:7000");
}

#[test]
fn invalid_values_name_the_variable() {
    for (var, value) in [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://x@y/z"),
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("BIND_ADDR", "localhost"),
        ("AUTH_MODE", "ldap"),
        ("REDIS_URL", "http://x"),
        ("LOG_FORMAT", "xml"),
        ("AUTO_MIGRATE", "maybe"),
        ("MAX_BODY_BYTES", "-5"),
        ("JWT_SECRET", "short"),
    ] {
        let err = config(&[(var, value)]).unwrap_err();
        assert_eq!(err.var, var, "{value}");
        assert!(
            err.to_string().starts_with(&format!("invalid {var}: ")),
            "{err}"
        );
        assert!(!err.to_string().contains('\n'));
    }
    let err = config(&[("AUTH_MODE", "supabase")]).unwrap_err();
    assert_eq!(err.var, "SUPABASE_URL");
}

#[test]
fn secrets_are_redacted_in_debug() {
    let c = config(&[
        (
            "DATABASE_URL",
            "postgres://app:hunter2hunter2@db:5432/revtops",
        ),
        ("REDIS_URL", "redis://:redispass@cache:6379"),
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef-secret"),
    ])
    .unwrap();
    let debug = format!("{c:?}");
    for secret in [
        "hunter2hunter2",
        "redispass",
        "0123456789abcdef0123456789abcdef-secret",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked in {debug}");
    }
    assert!(debug.contains("postgres://app@db:5432/revtops"));
    assert_eq!(c.database_url.database_name(), "revtops");
}

#[test]
fn sync_interval_takes_seconds_or_units_within_bounds() {
    assert_eq!(config(&[]).unwrap().sync.interval, Duration::from_secs(900));
    for (raw, secs) in [("90", 90), ("90s", 90), ("15m", 900), ("1h", 3600)] {
        let c = config(&[("SYNC_INTERVAL", raw)]).unwrap();
        assert_eq!(c.sync.interval, Duration::from_secs(secs), "{raw}");
    }
    for bad in ["5", "8d", "m", "-1m", "99999999999999999999h"] {
        let err = config(&[("SYNC_INTERVAL", bad)]).unwrap_err();
        assert_eq!(err.var, "SYNC_INTERVAL", "{bad}");
    }
}
