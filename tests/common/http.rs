//! A tiny HTTP client for tests: ureq on a blocking thread, never erroring on 4xx/5xx.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

#[derive(Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected JSON ({e}), got status {}: {}",
                self.status,
                self.text()
            )
        })
    }

    /// Asserts the standard error envelope and returns its code.
    pub fn error_code(&self) -> String {
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "error without JSON content type: {self:?}"
        );
        let v = self.json();
        let code = v["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error envelope: {v}"));
        assert!(v["error"]["message"].is_string(), "no message in {v}");
        code.to_owned()
    }
}

pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Self {
            base: format!("http://{addr}"),
            agent,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request {
            method: "GET",
            path: path.into(),
            headers: vec![],
            body: None,
        })
        .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send(Request {
            method: "GET",
            path: path.into(),
            headers: owned(headers),
            body: None,
        })
        .await
    }

    pub async fn post_json(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Reply {
        let mut h = owned(headers);
        h.push(("content-type".into(), "application/json".into()));
        self.send(Request {
            method: "POST",
            path: path.into(),
            headers: h,
            body: Some(body.to_string().into_bytes()),
        })
        .await
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Reply {
        let bearer = format!("Bearer {token}");
        self.get_with(path, &[("authorization", &bearer)]).await
    }

    /// A request with an optional bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut headers = Vec::new();
        if let Some(t) = token {
            headers.push(("authorization".to_owned(), format!("Bearer {t}")));
        }
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        let body = body.map(|b| b.to_string().into_bytes());
        self.send(Request {
            method,
            path: path.into(),
            headers,
            body,
        })
        .await
    }

    pub async fn send(&self, req: Request) -> Reply {
        let agent = self.agent.clone();
        let url = format!("{}{}", self.base, req.path);
        tokio::task::spawn_blocking(move || {
            let mut builder = ureq::http::Request::builder().method(req.method).uri(&url);
            for (k, v) in &req.headers {
                builder = builder.header(k.as_str(), v.as_str());
            }
            let request = builder.body(req.body.unwrap_or_default()).unwrap();
            let mut resp = agent
                .run(request)
                .unwrap_or_else(|e| panic!("{} {url}: {e}", req.method));
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let body = resp
                .body_mut()
                .with_config()
                .limit(50 << 20)
                .read_to_vec()
                .unwrap_or_default();
            Reply {
                status,
                headers,
                body,
            }
        })
        .await
        .unwrap()
    }
}

fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
