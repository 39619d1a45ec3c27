//! The `Allow` header of 405 answers (RFC 9110 requires it): which methods a path takes, read off
//! the OpenAPI document once at start-up, so it cannot drift from the routes.

use std::collections::BTreeSet;

use poem::http::Method;

/// One path template of the API, as segments (`None` for a `{parameter}`), and its methods.
struct Route {
    segments: Vec<Option<String>>,
    methods: BTreeSet<String>,
}

pub struct AllowedMethods {
    api: Vec<Route>,
}

impl AllowedMethods {
    /// From the API's OpenAPI document (paths relative to `/api`).
    pub fn from_spec(spec: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let api = spec["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(path, operations)| Route {
                        segments: split(path)
                            .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                            .collect(),
                        methods: operations
                            .as_object()
                            .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { api }
    }

    /// The methods `path` answers, for an `Allow` header; None when no route matches.
    pub fn for_path(&self, path: &str) -> Option<String> {
        let mut methods: BTreeSet<String> = BTreeSet::new();
        if let Some(rest) = path.strip_prefix("/api") {
            let segments: Vec<&str> = split(rest).collect();
            // Literal segments win over parameters, as in the router (`/sync/{org}/all`).
            let mut matches: Vec<&Route> = self
                .api
                .iter()
                .filter(|r| {
                    r.segments.len() == segments.len()
                        && r.segments
                            .iter()
                            .zip(&segments)
                            .all(|(want, got)| want.as_deref().is_none_or(|w| w == *got))
                })
                .collect();
            matches.sort_by_key(|r| std::cmp::Reverse(r.segments.iter().flatten().count()));
            let best = matches.first()?.segments.iter().flatten().count();
            for route in matches
                .iter()
                .take_while(|r| r.segments.iter().flatten().count() == best)
            {
                methods.extend(route.methods.iter().cloned());
            }
        } else {
            // The socket, the spec and the SPA's pages and assets are read-only.
            methods.insert(Method::GET.to_string());
        }
        if methods.contains("GET") {
            methods.insert(Method::HEAD.to_string());
        }
        Some(methods.into_iter().collect::<Vec<_>>().join(", "))
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_come_from_the_matching_template() {
        let spec = r#"{"paths": {
            "/sync/{org}/{provider}": {"post": {}},
            "/sync/{org}/all": {"post": {}},
            "/chat/conversations/{id}": {"get": {}, "patch": {}, "delete": {}},
            "/health": {"get": {}}}}"#;
        let allowed = AllowedMethods::from_spec(spec);
        assert_eq!(
            allowed.for_path("/api/chat/conversations/123").as_deref(),
            Some("DELETE, GET, HEAD, PATCH")
        );
        assert_eq!(allowed.for_path("/api/sync/1/all").as_deref(), Some("POST"));
        assert_eq!(
            allowed.for_path("/api/sync/1/hubspot").as_deref(),
            Some("POST")
        );
        assert_eq!(allowed.for_path("/api/nope"), None);
        assert_eq!(allowed.for_path("/chat/1").as_deref(), Some("GET, HEAD"));
    }
}
