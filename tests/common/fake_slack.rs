//! A stateful fake Slack Web API on 127.0.0.1:0: users.list, conversations.list/history/replies
//! with opaque cursors, `oldest`/`latest`/`inclusive`/`limit`, newest first, the HTTP-200
//! `{"ok": false}` envelope (not_in_channel, invalid_auth, token_revoked), and a throttled mode
//! answering 429 + Retry-After to more than one history read per window. Generated messages are
//! computed from their index, so a channel can hold 100k without storing them; explicit
//! messages (mentions, domains, malformed ones) are stored.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::http::StatusCode;
use poem::{Request, Response};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub const USERS: u64 = 3;

#[derive(Debug, Clone)]
pub struct FakeChannel {
    pub id: String,
    pub name: String,
    pub member: bool,
    /// Generated messages 1..=n, one a minute from the fake's t0; every 5th has 2 replies.
    pub generated: u64,
    pub extras: Vec<Value>,
}

struct State {
    t0: i64,
    token: String,
    revoked: Option<&'static str>,
    channels: Vec<FakeChannel>,
    window: Option<Duration>,
    last_history: Option<Instant>,
    counts: HashMap<String, usize>,
    throttled: usize,
}

pub struct FakeSlack {
    base_url: String,
    state: Arc<Mutex<State>>,
    stop: CancellationToken,
}

pub fn user_email(k: u64) -> String {
    format!("user{k}@acme{k}.com")
}

fn ts_key(ts: &str) -> f64 {
    ts.parse().unwrap_or(f64::NAN)
}

impl State {
    fn generated(&self, i: u64) -> Value {
        let ts = format!("{}.000000", self.t0 + (i as i64) * 60);
        let mut m = json!({
            "type": "message",
            "user": format!("U{}", i % USERS + 1),
            "text": format!("message {i} for <@U{}>", (i + 1) % USERS + 1),
            "ts": ts,
        });
        if i.is_multiple_of(5) {
            m["thread_ts"] = json!(ts);
            m["reply_count"] = json!(2);
        }
        m
    }

    fn all(&self, c: &FakeChannel) -> Vec<Value> {
        let mut v: Vec<Value> = (1..=c.generated).map(|i| self.generated(i)).collect();
        v.extend(c.extras.iter().cloned());
        v
    }

    fn generated_ts(&self, i: u64) -> f64 {
        (self.t0 + (i as i64) * 60) as f64
    }

    /// The message with exactly this ts: generated ones are found by arithmetic, so a channel
    /// of 100k costs nothing per lookup.
    fn message_at(&self, c: &FakeChannel, ts: &str) -> Option<Value> {
        let t = ts_key(ts);
        let i = (t - self.t0 as f64) / 60.0;
        if i.fract() == 0.0 && i >= 1.0 && i <= c.generated as f64 {
            let m = self.generated(i as u64);
            if m["ts"] == json!(ts) {
                return Some(m);
            }
        }
        c.extras.iter().find(|m| m["ts"] == json!(ts)).cloned()
    }

    /// One history page, newest first: the generated messages in the `oldest`/`latest` window
    /// are a contiguous run of indices, merged with the (few) stored extras; only the page's
    /// messages are built. Returns the page and whether more follow.
    fn history(
        &self,
        c: &FakeChannel,
        q: &HashMap<String, String>,
        offset: usize,
        limit: usize,
    ) -> (Vec<Value>, bool) {
        let oldest = q.get("oldest").map(|t| ts_key(t)).unwrap_or(0.0);
        let latest = q.get("latest").map(|t| ts_key(t)).unwrap_or(f64::MAX);
        let inclusive = q.get("inclusive").is_some_and(|v| v == "true" || v == "1");
        let above = |t: f64| if inclusive { t >= oldest } else { t > oldest };
        let below = |t: f64| if inclusive { t <= latest } else { t < latest };
        let n = c.generated as i64;
        let mut lo = (((oldest - self.t0 as f64) / 60.0).floor() as i64).clamp(1, n.max(1));
        while lo <= n && !above(self.generated_ts(lo as u64)) {
            lo += 1;
        }
        let mut hi = if latest == f64::MAX {
            n
        } else {
            (((latest - self.t0 as f64) / 60.0).ceil() as i64).min(n)
        };
        while hi >= lo && !below(self.generated_ts(hi as u64)) {
            hi -= 1;
        }
        let mut extras: Vec<&Value> = c
            .extras
            .iter()
            .filter(|m| {
                let t = ts_key(m["ts"].as_str().unwrap_or("0"));
                t.is_nan() || (above(t) && below(t))
            })
            .collect();
        extras.sort_by(|a, b| {
            ts_key(b["ts"].as_str().unwrap_or("0"))
                .total_cmp(&ts_key(a["ts"].as_str().unwrap_or("0")))
        });
        let total = (hi - lo + 1).max(0) as usize + extras.len();
        let (mut g, mut e, mut out) = (hi, 0usize, Vec::new());
        for k in 0..(offset + limit).min(total) {
            let take_extra = match (g >= lo, extras.get(e)) {
                (true, Some(x)) => ts_key(x["ts"].as_str().unwrap_or("0"))
                    .total_cmp(&self.generated_ts(g as u64))
                    .is_gt(),
                (false, Some(_)) => true,
                _ => false,
            };
            if take_extra {
                if k >= offset {
                    out.push(extras[e].clone());
                }
                e += 1;
            } else {
                if k >= offset {
                    out.push(self.generated(g as u64));
                }
                g -= 1;
            }
        }
        (out, offset + limit < total)
    }

    fn handle(&mut self, path: &str, q: &HashMap<String, String>, auth: &str) -> Response {
        let method = path.trim_start_matches('/').to_owned();
        *self.counts.entry(method.clone()).or_default() += 1;
        if let Some(code) = self.revoked {
            return ok_false(code);
        }
        if auth != format!("Bearer {}", self.token) {
            return ok_false("invalid_auth");
        }
        let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(100);
        let offset: usize = q
            .get("cursor")
            .and_then(|c| c.strip_prefix("b2Zmc2V0Oi"))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let page = |items: Vec<Value>, key: &str| {
            let next = if offset + limit < items.len() {
                format!("b2Zmc2V0Oi{}", offset + limit)
            } else {
                String::new()
            };
            let slice: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
            let mut body = json!({"ok": true, "response_metadata": {"next_cursor": next}});
            body["has_more"] = json!(!next.is_empty());
            body[key] = Value::Array(slice);
            json_response(StatusCode::OK, body)
        };
        match method.as_str() {
            "users.list" => {
                let mut members: Vec<Value> = (1..=USERS)
                    .map(|k| json!({"id": format!("U{k}"), "name": format!("user{k}"), "is_bot": false,
                        "deleted": false, "profile": {"email": user_email(k), "real_name": format!("User {k}")}}))
                    .collect();
                members.push(json!({"id": "B1", "name": "deploybot", "is_bot": true, "profile": {"real_name": "Deploy Bot"}}));
                page(members, "members")
            }
            "conversations.list" => {
                let chans = self
                    .channels
                    .iter()
                    .map(|c| json!({"id": c.id, "name": c.name, "is_private": false, "is_archived": false, "is_member": c.member, "num_members": 3}))
                    .collect();
                page(chans, "channels")
            }
            "conversations.history" | "conversations.replies" => {
                if method == "conversations.history"
                    && let Some(window) = self.window
                {
                    if let Some(last) = self.last_history
                        && last.elapsed() < window
                    {
                        self.throttled += 1;
                        let wait = (window - last.elapsed()).as_secs().max(1);
                        return Response::builder()
                            .status(StatusCode::TOO_MANY_REQUESTS)
                            .header("retry-after", wait.to_string())
                            .header("content-type", "application/json")
                            .body(r#"{"ok":false,"error":"ratelimited"}"#);
                    }
                    self.last_history = Some(Instant::now());
                }
                let Some(c) = q
                    .get("channel")
                    .and_then(|id| self.channels.iter().find(|c| &c.id == id))
                else {
                    return ok_false("channel_not_found");
                };
                if !c.member {
                    return ok_false("not_in_channel");
                }
                let c = c.clone();
                if method == "conversations.replies" {
                    let ts = q.get("ts").cloned().unwrap_or_default();
                    let Some(parent) = self.message_at(&c, &ts) else {
                        return ok_false("thread_not_found");
                    };
                    let base = ts_key(&ts);
                    let mut v = vec![parent.clone()];
                    for r in 1..=parent["reply_count"].as_u64().unwrap_or(0) {
                        v.push(
                            json!({"type": "message", "user": "U1", "text": format!("reply {r}"),
                            "ts": format!("{:.6}", base + r as f64), "thread_ts": ts}),
                        );
                    }
                    return page(v, "messages");
                }
                let (slice, more) = self.history(&c, q, offset, limit);
                let next = if more {
                    format!("b2Zmc2V0Oi{}", offset + limit)
                } else {
                    String::new()
                };
                json_response(
                    StatusCode::OK,
                    json!({"ok": true, "messages": slice, "has_more": more,
                           "response_metadata": {"next_cursor": next}}),
                )
            }
            _ => ok_false("unknown_method"),
        }
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
}

fn ok_false(code: &str) -> Response {
    json_response(StatusCode::OK, json!({"ok": false, "error": code}))
}

impl FakeSlack {
    pub async fn start(channels: Vec<FakeChannel>) -> Self {
        let state = Arc::new(Mutex::new(State {
            t0: chrono::Utc::now().timestamp() - 86_400,
            token: "xoxb-fake-0".into(),
            revoked: None,
            channels,
            window: None,
            last_history: None,
            counts: HashMap::new(),
            throttled: 0,
        }));
        let shared = state.clone();
        let app = poem::endpoint::make(move |req: Request| {
            let state = shared.clone();
            async move {
                let path = req.uri().path().to_owned();
                let query: HashMap<String, String> =
                    url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                        .into_owned()
                        .collect();
                let auth = req
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                state.lock().unwrap().handle(&path, &query, &auth)
            }
        });
        let (base_url, stop) = super::serve::serve_fake(app).await;
        Self {
            base_url,
            state,
            stop,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    pub fn token(&self) -> String {
        self.state.lock().unwrap().token.clone()
    }
    pub fn t0(&self) -> i64 {
        self.state.lock().unwrap().t0
    }
    pub fn revoke(&self, code: &'static str) {
        self.state.lock().unwrap().revoked = Some(code);
    }
    /// One history read per `window`; more get 429 + Retry-After.
    pub fn throttle_history(&self, window: Duration) {
        self.state.lock().unwrap().window = Some(window);
    }
    pub fn throttled(&self) -> usize {
        self.state.lock().unwrap().throttled
    }
    pub fn requests(&self, method: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .counts
            .get(method)
            .copied()
            .unwrap_or(0)
    }
    pub fn add_message(&self, channel: &str, message: Value) {
        let mut st = self.state.lock().unwrap();
        if let Some(c) = st.channels.iter_mut().find(|c| c.id == channel) {
            c.extras.push(message);
        }
    }
    pub fn add_generated(&self, channel: &str, n: u64) {
        let mut st = self.state.lock().unwrap();
        if let Some(c) = st.channels.iter_mut().find(|c| c.id == channel) {
            c.generated += n;
        }
    }
    /// Every source id (`channel/ts`) the connector should produce: member channels' messages
    /// with a valid ts, and their replies.
    pub fn expected_ids(&self) -> Vec<String> {
        let st = self.state.lock().unwrap();
        let mut out = Vec::new();
        for c in st.channels.iter().filter(|c| c.member) {
            for m in st.all(c) {
                let Some(ts) = m["ts"].as_str().filter(|t| !ts_key(t).is_nan()) else {
                    continue;
                };
                if m["subtype"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("channel_"))
                {
                    continue;
                }
                out.push(format!("{}/{ts}", c.id));
                for r in 1..=m["reply_count"].as_u64().unwrap_or(0) {
                    out.push(format!("{}/{:.6}", c.id, ts_key(ts) + r as f64));
                }
            }
        }
        out.sort();
        out
    }
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
