//! A stateful fake Google Calendar v3 (`GET /calendars/primary/events`) on 127.0.0.1:0: one
//! calendar per bearer token, opaque page tokens, sync tokens that remember when they were
//! issued (incremental listings return only what changed since, cancellations included),
//! expirable sync tokens (410 `fullSyncRequired`), the 400 for a sync token combined with other
//! restrictions, Google's error envelope and scripted faults.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use poem::http::StatusCode;
use poem::{Request, Response};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub enum Fault {
    /// 401 `authError` whatever the token.
    Unauthorized,
    /// 403 with this `usageLimits` reason (`rateLimitExceeded`, `quotaExceeded`, …).
    Forbidden(&'static str),
    /// Any status with Google's error envelope (`backendError` for 5xx).
    Status(u16),
}

#[derive(Default)]
struct Calendar {
    owner: String,
    /// (sequence of the last change, event) in insertion order.
    events: Vec<(u64, Value)>,
    /// Sync tokens issued before this sequence answer 410.
    expired_before: u64,
}

#[derive(Default)]
struct State {
    calendars: HashMap<String, Calendar>,
    seq: u64,
    faults: Vec<(u32, Fault)>,
    requests: Vec<HashMap<String, String>>,
}

pub struct FakeGoogleCalendar {
    base_url: String,
    state: Arc<Mutex<State>>,
    stop: CancellationToken,
}

fn error(status: u16, domain: &str, reason: &str, message: &str) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .content_type("application/json; charset=UTF-8")
        .body(
            json!({"error": {"errors": [{"domain": domain, "reason": reason, "message": message}],
                             "code": status, "message": message}})
            .to_string(),
        )
}

fn parse_query(raw: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl FakeGoogleCalendar {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let app = poem::endpoint::make(move |req: Request| {
            let state = shared.clone();
            async move {
                let path = req.uri().path().to_owned();
                let query = parse_query(req.uri().query().unwrap_or(""));
                let auth = req
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                state.lock().unwrap().handle(&path, query, &auth)
            }
        });
        let (base_url, stop) = super::serve::serve_fake(app).await;
        Self {
            base_url,
            state,
            stop,
        }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A calendar owned by `owner`, reached with bearer `token`.
    pub fn add_calendar(&self, token: &str, owner: &str) {
        self.st().calendars.insert(
            token.to_owned(),
            Calendar {
                owner: owner.to_owned(),
                ..Calendar::default()
            },
        );
    }

    /// Inserts or replaces (by `id`) an event; later incremental listings return it.
    pub fn put(&self, token: &str, event: Value) {
        let mut st = self.st();
        st.seq += 1;
        let seq = st.seq;
        let cal = st.calendars.get_mut(token).expect("calendar");
        cal.events.retain(|(_, e)| e["id"] != event["id"]);
        cal.events.push((seq, event));
    }

    /// Cancels an event (Google keeps it as `status: cancelled`).
    pub fn cancel(&self, token: &str, id: &str) {
        let event = self.event(token, id).expect("event");
        let mut cancelled = event;
        cancelled["status"] = json!("cancelled");
        self.put(token, cancelled);
    }

    pub fn event(&self, token: &str, id: &str) -> Option<Value> {
        self.st().calendars[token]
            .events
            .iter()
            .find(|(_, e)| e["id"] == id)
            .map(|(_, e)| e.clone())
    }

    /// Every sync token issued so far answers 410 from now on.
    pub fn expire_sync_tokens(&self, token: &str) {
        let mut st = self.st();
        let seq = st.seq + 1;
        st.seq = seq;
        if let Some(cal) = st.calendars.get_mut(token) {
            cal.expired_before = seq;
        }
    }

    /// The next `n` requests fail with `fault`.
    pub fn fail_next(&self, n: u32, fault: Fault) {
        self.st().faults.push((n, fault));
    }

    /// The query strings of every request so far.
    pub fn requests(&self) -> Vec<HashMap<String, String>> {
        self.st().requests.clone()
    }

    pub fn stop(&self) {
        self.stop.cancel();
    }
}

impl Drop for FakeGoogleCalendar {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl State {
    fn handle(&mut self, path: &str, q: HashMap<String, String>, auth: &str) -> Response {
        self.requests.push(q.clone());
        if let Some(slot) = self.faults.first_mut() {
            slot.0 -= 1;
            let fault = slot.1.clone();
            if slot.0 == 0 {
                self.faults.remove(0);
            }
            return match fault {
                Fault::Unauthorized => error(401, "global", "authError", "Invalid Credentials"),
                Fault::Forbidden(reason) => {
                    error(403, "usageLimits", reason, "Rate Limit Exceeded")
                }
                Fault::Status(s) if s >= 500 => error(s, "global", "backendError", "Backend Error"),
                Fault::Status(s) => error(s, "global", "invalid", "Invalid Value"),
            };
        }
        if path != "/calendars/primary/events" {
            return error(404, "global", "notFound", "Not Found");
        }
        let token = auth.strip_prefix("Bearer ").unwrap_or("");
        let seq = self.seq;
        let Some(cal) = self.calendars.get(token) else {
            return error(401, "global", "authError", "Invalid Credentials");
        };
        let sync = q.get("syncToken");
        if sync.is_some()
            && [
                "timeMin",
                "timeMax",
                "orderBy",
                "q",
                "updatedMin",
                "iCalUID",
            ]
            .iter()
            .any(|k| q.contains_key(*k))
        {
            return error(
                400,
                "global",
                "invalid",
                "Sync token cannot be used with other request restrictions.",
            );
        }
        let since = match sync.map(|s| s.strip_prefix("sync-").and_then(|n| n.parse::<u64>().ok()))
        {
            None => None,
            Some(Some(n)) if n >= cal.expired_before => Some(n),
            Some(_) => {
                return error(
                    410,
                    "global",
                    "fullSyncRequired",
                    "Sync token is no longer valid, a full sync is required.",
                );
            }
        };
        let in_window = |e: &Value| {
            let start = e["start"]["dateTime"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| {
                    e["start"]["date"]
                        .as_str()
                        .map(|d| format!("{d}T00:00:00Z"))
                });
            let Some(start) = start.and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
            else {
                return true; // malformed events are served as they are
            };
            let min = q
                .get("timeMin")
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
            let max = q
                .get("timeMax")
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
            min.is_none_or(|m| start >= m) && max.is_none_or(|m| start < m)
        };
        let show_deleted = q.get("showDeleted").map(String::as_str) == Some("true");
        let matching: Vec<Value> = cal
            .events
            .iter()
            .filter(|(s, e)| match since {
                Some(n) => *s > n,
                None => in_window(e) && (show_deleted || e["status"] != "cancelled"),
            })
            .map(|(_, e)| {
                if e["status"] == "cancelled" && since.is_some() {
                    json!({"kind": "calendar#event", "id": e["id"], "status": "cancelled"})
                } else {
                    e.clone()
                }
            })
            .collect();
        let size: usize = q
            .get("maxResults")
            .and_then(|s| s.parse().ok())
            .unwrap_or(250);
        let offset: usize = q
            .get("pageToken")
            .and_then(|p| p.strip_prefix("page-"))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let items: Vec<Value> = matching.iter().skip(offset).take(size).cloned().collect();
        let mut body = json!({
            "kind": "calendar#events", "summary": cal.owner, "timeZone": "Europe/Berlin",
            "accessRole": "owner", "items": items,
        });
        if offset + size < matching.len() {
            body["nextPageToken"] = json!(format!("page-{}", offset + size));
        } else {
            body["nextSyncToken"] = json!(format!("sync-{seq}"));
        }
        Response::builder()
            .content_type("application/json; charset=UTF-8")
            .body(body.to_string())
    }
}
