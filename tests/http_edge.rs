//! The HTTP edge against the real app on 127.0.0.1:0: health, the error envelope for every kind
//! of bad request, docs, and the embedded SPA (fallback, caching, compression).

mod common;

use std::io::{Read, Write};

use common::TestApp;
use common::http::{Reply, Request};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_database_cache_and_version() {
    let app = TestApp::spawn().await;
    let reply = app.client().get("/api/health").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        body["git_revision"],
        serde_json::Value::Null,
        "not unless asked"
    );
    let asked = TestApp::spawn_with(&[("HEALTH_SHOWS_REVISION", "true")]).await;
    let body = asked.client().get("/api/health").await.json();
    assert_eq!(body["git_revision"], revtops::build_info::git_revision());
    assert_eq!(body["database"]["status"], "ok");
    assert_eq!(body["cache"]["backend"], "memory");
    assert_eq!(body["cache"]["status"], "ok");
    assert!(
        reply
            .header("x-request-id")
            .is_some_and(|id| !id.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_when_plain_and_replaced_when_not() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let kept = client
        .get_with("/api/health", &[("x-request-id", "abc-123_DEF")])
        .await;
    assert_eq!(kept.header("x-request-id"), Some("abc-123_DEF"));
    let replaced = client
        .get_with("/api/health", &[("x-request-id", "bad id\twith spaces")])
        .await;
    let id = replaced.header("x-request-id").unwrap();
    assert_ne!(id, "bad id\twith spaces");
    assert_eq!(id.len(), 32);
}

/// Kills every connection to the app's database and forbids new ones (`allow` false), or lets
/// them in again.
async fn allow_connections(app: &TestApp, allow: bool) {
    let admin = revtops::db::admin::connect_raw(&common::server_url())
        .await
        .unwrap();
    let name = revtops::db::admin::quote_ident(&app.db.name);
    let sql = if allow {
        format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")
    } else {
        format!(
            "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}';",
            app.db.name
        )
    };
    admin.batch_execute(&sql).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_makes_health_503_not_a_crash() {
    let app = TestApp::spawn().await;
    allow_connections(&app, false).await;
    let reply = app.client().get("/api/health").await;
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(reply.json()["status"], "down");
    assert_eq!(reply.json()["database"]["status"], "down");
    allow_connections(&app, true).await;
    let reply = app.client().get("/api/health").await;
    assert_eq!(
        reply.status,
        200,
        "recovers once the database is back (a failed probe is not reused): {}",
        reply.text()
    );
}

/// A load balancer polling health costs no database round trip per call: a healthy answer is
/// reused (here for ten minutes, to show it without timing), with `HEALTH_CACHE_MS=0` never.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_answer_is_reused_without_asking_the_database() {
    let app = TestApp::spawn_with(&[("HEALTH_CACHE_MS", "600000")]).await;
    let first = app.client().get("/api/health").await;
    assert_eq!(first.status, 200, "{}", first.text());
    allow_connections(&app, false).await;
    let again = app.client().get("/api/health").await;
    allow_connections(&app, true).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["database"], first.json()["database"]);

    let app = TestApp::spawn_with(&[("HEALTH_CACHE_MS", "0")]).await;
    assert_eq!(app.client().get("/api/health").await.status, 200);
    allow_connections(&app, false).await;
    let down = app.client().get("/api/health").await;
    allow_connections(&app, true).await;
    assert_eq!(down.status, 503, "{}", down.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_routes_and_methods_get_the_envelope() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let reply = client.get("/api/nope").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.error_code(), "not_found");
    let reply = client.get("/api/health/extra").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.error_code(), "not_found");
    let reply = client
        .send(Request {
            method: "DELETE",
            path: "/api/health".into(),
            headers: vec![],
            body: None,
        })
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.error_code(), "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
    // The methods of the path's own template, parameters and literal segments alike.
    for (method, path, allow) in [
        (
            "PUT",
            "/api/chat/conversations/00000000-0000-0000-0000-000000000000",
            "DELETE, GET, HEAD, PATCH",
        ),
        (
            "TRACE",
            "/api/sync/00000000-0000-0000-0000-000000000000/all",
            "POST",
        ),
        ("GET", "/api/auth/login", "POST"),
    ] {
        let reply = client
            .send(Request {
                method,
                path: path.into(),
                headers: vec![],
                body: None,
            })
            .await;
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_configured_front_end_origin_gets_cors_headers() {
    let app = TestApp::spawn_with(&[("FRONTEND_URL", "http://localhost:5173/app")]).await;
    let client = app.client();
    let preflight = |origin: &'static str| Request {
        method: "OPTIONS",
        path: "/api/auth/login".into(),
        headers: vec![
            ("origin".into(), origin.into()),
            ("access-control-request-method".into(), "POST".into()),
            (
                "access-control-request-headers".into(),
                "content-type".into(),
            ),
        ],
        body: None,
    };
    let ok = client.send(preflight("http://localhost:5173")).await;
    assert_eq!(ok.status, 204);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert!(
        ok.header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert_eq!(
        ok.header("access-control-allow-credentials"),
        None,
        "no cookies, ever"
    );
    let other = client.send(preflight("https://evil.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);

    let health = client
        .get_with("/api/health", &[("origin", "http://localhost:5173")])
        .await;
    assert_eq!(health.status, 200);
    assert_eq!(
        health.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    let evil = client
        .get_with("/api/health", &[("origin", "https://evil.example")])
        .await;
    assert_eq!(
        evil.status, 200,
        "served, but the browser keeps it from the page"
    );
    assert_eq!(evil.header("access-control-allow-origin"), None);
    // Same-origin requests carry an Origin too, and keep working.
    let same = client
        .get_with(
            "/api/health",
            &[("origin", &format!("http://{}", app.addr))],
        )
        .await;
    assert_eq!(same.status, 200);

    // Without FRONTEND_URL no origin gets CORS headers, not even a wildcard.
    let plain = TestApp::spawn().await;
    let reply = plain
        .client()
        .get_with("/api/health", &[("origin", "http://localhost:5173")])
        .await;
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_413_by_length_and_when_chunked() {
    let app = TestApp::spawn_with(&[("MAX_BODY_BYTES", "2048")]).await;
    let big = vec![b'x'; 4096];
    let reply = app
        .client()
        .send(Request {
            method: "POST",
            path: "/api/health".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(big.clone()),
        })
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.error_code(), "payload_too_large");
    assert!(
        reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2048")
    );

    // Chunked: no Content-Length, so only reading the body can tell.
    let addr = app.addr;
    let raw = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let mut req = String::from(
            "POST /api/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        );
        for _ in 0..4 {
            req.push_str(&format!("400\r\n{}\r\n", "y".repeat(0x400)));
        }
        req.push_str("0\r\n\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    })
    .await
    .unwrap();
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("\"code\":\"payload_too_large\""), "{raw}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_and_spec_are_served() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let docs = client.get("/docs").await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(docs.text().to_lowercase().contains("swagger"));
    let spec = client.get("/openapi.json").await;
    assert_eq!(spec.status, 200);
    assert_eq!(
        spec.json()["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_routes_get_index_html_but_missing_files_and_api_paths_do_not() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let root = client.get("/").await;
    assert_eq!(root.status, 200);
    assert!(
        root.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(root.header("cache-control"), Some("no-cache"));
    let route = client.get("/chat/123").await;
    assert_eq!(route.status, 200);
    assert_eq!(
        route.text(),
        root.text(),
        "client routes serve the same index.html"
    );
    let missing = client.get("/assets/nope-123.js").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), "not_found");
    let api = client.get("/api/chat/123").await;
    assert_eq!(api.status, 404);
    assert_eq!(
        api.error_code(),
        "not_found",
        "API paths never fall back to the SPA"
    );

    // ETag revalidation.
    let etag = root.header("etag").unwrap().to_owned();
    let again = client.get_with("/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_assets_are_immutable_typed_and_compressed() {
    if !revtops::http::spa::bundle_present() {
        eprintln!("skipped: ui/dist is not built (REVTOPS_SKIP_UI_BUILD or no npm); CI builds it");
        assert!(std::env::var("CI").is_err(), "CI must build the UI bundle");
        return;
    }
    let app = TestApp::spawn().await;
    let client = app.client();
    let index = client.get("/").await.text();
    let script = index
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
        .unwrap_or_else(|| panic!("no script in index.html: {index}"))
        .to_owned();
    let plain = raw_get(app.addr, &script, "identity").await;
    assert_eq!(plain.status, 200);
    assert_eq!(
        plain.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        plain.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(plain.header("content-encoding"), None);

    let gz = raw_get(app.addr, &script, "gzip").await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);
    assert!(gz.body.len() < plain.body.len() / 2);

    let br = raw_get(app.addr, &script, "gzip, br").await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert!(br.body.len() < gz.body.len());
    let refused = raw_get(app.addr, &script, "br;q=0, gzip").await;
    assert_eq!(refused.header("content-encoding"), Some("gzip"));

    let css = index
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with(".css"));
    if let Some(css) = css {
        let reply = client.get(css).await;
        assert_eq!(
            reply.header("content-type"),
            Some("text/css; charset=utf-8")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_stops_the_server() {
    let app = TestApp::spawn().await;
    let addr = app.addr;
    assert_eq!(app.client().get("/api/health").await.status, 200);
    tokio::time::timeout(std::time::Duration::from_secs(10), app.shutdown())
        .await
        .expect("shutdown finishes")
        .unwrap();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "listener closed"
    );
}

/// A GET over a raw socket, so no client-side decompression hides what the server sent.
async fn raw_get(addr: std::net::SocketAddr, path: &str, accept_encoding: &str) -> Reply {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {accept_encoding}\r\nConnection: close\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("header end");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_and_wrong_content_types_get_the_envelope() {
    let app = TestApp::spawn().await;
    let client = app.client();
    type Case<'a> = (&'a str, Option<&'a str>, &'a [u8], u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "truncated JSON",
            Some("application/json"),
            b"{\"email\": ",
            400,
            "invalid_body",
        ),
        (
            "not JSON at all",
            Some("application/json"),
            b"email=a&password=b",
            400,
            "invalid_body",
        ),
        (
            "wrong field type",
            Some("application/json"),
            br#"{"email": {"nested": true}, "password": "x", "name": "y"}"#,
            400,
            "invalid_body",
        ),
        (
            "JSON array",
            Some("application/json"),
            b"[1,2,3]",
            400,
            "invalid_body",
        ),
        (
            "empty body",
            Some("application/json"),
            b"",
            400,
            "invalid_body",
        ),
        (
            "form content type",
            Some("application/x-www-form-urlencoded"),
            b"email=a",
            415,
            "unsupported_media_type",
        ),
        (
            "text content type",
            Some("text/plain"),
            b"{}",
            415,
            "unsupported_media_type",
        ),
        (
            "no content type",
            None,
            b"{}",
            415,
            "unsupported_media_type",
        ),
        (
            "invalid UTF-8",
            Some("application/json"),
            b"{\"email\": \"\xff\xfe\"}",
            400,
            "invalid_body",
        ),
    ];
    for (name, content_type, body, status, code) in cases {
        let mut headers = vec![];
        if let Some(ct) = content_type {
            headers.push(("content-type".to_owned(), ct.to_owned()));
        }
        let reply = client
            .send(Request {
                method: "POST",
                path: "/api/auth/register".into(),
                headers,
                body: Some(body.to_vec()),
            })
            .await;
        assert_eq!(reply.status, status, "{name}: {}", reply.text());
        assert_eq!(reply.error_code(), code, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_an_in_flight_request_finish() {
    let app = TestApp::spawn().await;
    let addr = app.addr;
    let body = br#"{"email": "nobody@acme.com", "password": "wrong password!"}"#;
    let (half, rest) = body.split_at(10);
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(half).unwrap();
    // Long enough for a loaded machine to have read the head: a connection whose request the
    // server has not seen yet is idle, and an idle connection is closed at once on shutdown.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    // Shutdown starts while the request body is still arriving.
    let state = app.state.clone();
    state.shutdown.cancel();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let rest = rest.to_vec();
    let reply = tokio::task::spawn_blocking(move || {
        stream.write_all(&rest).unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    })
    .await
    .unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 401"),
        "the in-flight request was answered: {reply}"
    );
    tokio::time::timeout(std::time::Duration::from_secs(10), app.shutdown())
        .await
        .expect("then the server stops")
        .unwrap();
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_the_security_headers_and_pages_a_content_security_policy() {
    let app = TestApp::spawn_with(&[
        ("AUTH_MODE", "supabase"),
        ("SUPABASE_URL", "https://project.supabase.co"),
        ("NANGO_SECRET_KEY", "nango-secret"),
        ("NANGO_HOST", "https://api.nango.dev"),
    ])
    .await;
    let client = app.client();
    for path in ["/api/health", "/", "/chat/123", "/api/nope"] {
        let reply = client.get(path).await;
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(reply.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            reply.header("referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
    }
    let page = client.get("/chat/123").await;
    let csp = page
        .header("content-security-policy")
        .expect("the web app's pages have a CSP");
    for part in [
        "default-src 'self'",
        "script-src 'self';",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "connect-src 'self' https://project.supabase.co https://api.nango.dev",
        "frame-src https://connect.nango.dev",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert!(!csp.contains('*'), "no wildcard sources: {csp}");
    assert_eq!(
        client
            .get("/api/health")
            .await
            .header("content-security-policy"),
        None,
        "JSON needs none"
    );
    // A deployment without Supabase or Nango admits nothing but itself.
    let plain = TestApp::spawn().await;
    let csp = plain.client().get("/").await;
    let csp = csp.header("content-security-policy").unwrap();
    assert!(
        csp.contains("connect-src 'self';") && csp.contains("frame-src 'none'"),
        "{csp}"
    );
}
