//! Values whose text must stay out of logs: secrets and database URLs with passwords.

use std::fmt;

use url::Url;

/// A value that must never reach logs or API responses.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A PostgreSQL URL whose password is kept out of Debug and Display.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(Url);

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!(
                "expected a postgres:// URL, got scheme `{}`",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the URL has no host".into());
        }
        let db = url.path().trim_start_matches('/');
        if db.is_empty() || db.contains('/') {
            return Err(
                "the URL must name one database, e.g. postgres://user@host:5432/revtops".into(),
            );
        }
        Ok(Self(url))
    }

    /// The full URL, password included: only for opening connections.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub fn database_name(&self) -> String {
        let raw = self.0.path().trim_start_matches('/');
        url::form_urlencoded::parse(format!("x={raw}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| raw.to_owned())
    }

    /// The same server with another database (used to reach `postgres` for CREATE DATABASE).
    pub fn with_database(&self, name: &str) -> Self {
        let mut url = self.0.clone();
        url.set_path(name);
        Self(url)
    }

    /// The same server and database under another login (the analytics role).
    pub fn with_login(&self, user: &str, password: Option<&str>) -> Self {
        let mut url = self.0.clone();
        let _ = url.set_username(user);
        let _ = url.set_password(password);
        Self(url)
    }

    /// The URL minus its password, for messages.
    pub fn redacted(&self) -> String {
        let mut url = self.0.clone();
        let _ = url.set_password(None);
        url.to_string()
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}
