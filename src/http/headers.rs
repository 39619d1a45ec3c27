//! Headers every response gets at the edge: `Allow` on a 405 (RFC 9110; the methods come from
//! the routes), `nosniff`, a referrer policy, no framing, and for the web app's pages a
//! Content-Security-Policy that admits this origin plus the Supabase and Nango origins this
//! deployment is configured with (the browser talks to those directly), and nothing else.

use poem::Response;
use poem::http::{HeaderValue, StatusCode, header};

use super::allow::AllowedMethods;
use crate::config::Config;

pub struct ResponsePolicy {
    allowed: AllowedMethods,
    csp: HeaderValue,
}

fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// The web app's Content-Security-Policy for this configuration.
pub fn content_security_policy(config: &Config) -> String {
    let mut connect = vec!["'self'".to_owned()];
    let mut frames = Vec::new();
    if let Some(supabase) = &config.auth.supabase_url {
        connect.push(origin(supabase));
    }
    if config.integrations.nango_secret_key.is_some() {
        // The page calls Nango's API; its Connect UI is an iframe from its own origin.
        connect.push(origin(&config.integrations.nango_host));
        frames.push(origin(&config.integrations.nango_connect_url));
    }
    let frame_src = if frames.is_empty() {
        "'none'".to_owned()
    } else {
        frames.join(" ")
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: https:; font-src 'self' data:; connect-src {}; \
         frame-src {frame_src}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; \
         object-src 'none'",
        connect.join(" ")
    )
}

impl ResponsePolicy {
    pub fn new(allowed: AllowedMethods, config: &Config) -> Self {
        let csp = HeaderValue::from_str(&content_security_policy(config))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        Self { allowed, csp }
    }

    pub fn apply(&self, path: &str, resp: &mut Response) {
        let status = resp.status();
        let headers = resp.headers_mut();
        if status == StatusCode::METHOD_NOT_ALLOWED
            && !headers.contains_key(header::ALLOW)
            && let Some(value) = self
                .allowed
                .for_path(path)
                .and_then(|m| HeaderValue::from_str(&m).ok())
        {
            headers.insert(header::ALLOW, value);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        let html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        // The API docs are poem's Swagger page, which needs its inline scripts.
        if html && !path.starts_with("/docs") {
            headers.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        }
    }
}
