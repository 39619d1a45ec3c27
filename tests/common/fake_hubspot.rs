//! A stateful fake HubSpot (CRM v3 list/search, v4 batch associations, owners, deal pipelines)
//! on 127.0.0.1:0, speaking HubSpot's wire format: opaque `after` cursors, list limit ≤ 100,
//! search limit ≤ 200 and its 10,000-result cap (a 400), bearer tokens that can expire, the
//! error and 429 envelopes, rate-limit headers, and scripted faults.
//!
//! Records are generated lazily and deterministically from their id (1..=n per object), so it
//! serves a million records without holding them; an overlay holds the modified and archived
//! ones and the malformed records inserted by a test. Self-contained (std, poem, serde_json,
//! tokio, tokio-util, chrono): benches include this file by path.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use poem::http::StatusCode;
use poem::{Request, Response};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

/// 2024-01-01T00:00:00Z: record `id` was last modified at `T0 + id` minutes.
const T0: i64 = 1_704_067_200_000;
const STEP: i64 = 60_000;
pub const OBJECTS: [&str; 8] = [
    "companies",
    "contacts",
    "deals",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
];
/// (id, label, probability, isClosed) of a stage; (id, label, stages) of a pipeline.
type StageSpec = (&'static str, &'static str, &'static str, &'static str);
type PipelineSpec = (&'static str, &'static str, &'static [StageSpec]);

const PIPELINES: [PipelineSpec; 2] = [
    (
        "default",
        "Sales Pipeline",
        &[
            (
                "appointmentscheduled",
                "Appointment Scheduled",
                "0.2",
                "false",
            ),
            ("qualifiedtobuy", "Qualified To Buy", "0.4", "false"),
            (
                "presentationscheduled",
                "Presentation Scheduled",
                "0.6",
                "false",
            ),
            ("contractsent", "Contract Sent", "0.9", "false"),
            ("closedwon", "Closed Won", "1.0", "true"),
            ("closedlost", "Closed Lost", "0.0", "true"),
        ],
    ),
    (
        "renewals",
        "Renewals",
        &[
            ("renewal_open", "Renewal Open", "0.5", "false"),
            ("renewal_won", "Renewed", "1.0", "true"),
            ("renewal_lost", "Churned", "0.0", "true"),
        ],
    ),
];

#[derive(Debug, Clone, Copy, Default)]
pub struct Dataset {
    pub owners: u64,
    pub companies: u64,
    pub contacts: u64,
    pub deals: u64,
    pub per_engagement_type: u64,
}

#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 with `policyName` (`TEN_SECONDLY_ROLLING`, `SECONDLY`, `DAILY`).
    RateLimit {
        policy: &'static str,
        retry_after: Option<u64>,
    },
    /// Any status with HubSpot's error envelope.
    Status(u16),
    /// 401 whatever the token.
    Unauthorized,
}

/// What a deal should look like after a sync.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedDeal {
    pub id: String,
    pub name: String,
    /// The raw `amount` property ("" and "n/a" included).
    pub amount: String,
    pub stage: String,
    pub pipeline: String,
    pub account_id: Option<String>,
    pub owner_id: Option<String>,
    pub archived: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Over {
    modified: Option<i64>,
    version: u32,
    archived: bool,
}

struct State {
    data: Dataset,
    token: String,
    generation: u64,
    faults: Vec<(String, u32, Fault)>,
    overlay: HashMap<String, BTreeMap<u64, Over>>,
    extras: HashMap<String, Vec<(i64, Value)>>,
    counts: HashMap<String, usize>,
    correlation: u64,
}

pub struct FakeHubSpot {
    base_url: String,
    state: Arc<Mutex<State>>,
    /// Milliseconds every answer waits (a real portal is not on loopback).
    latency_ms: Arc<std::sync::atomic::AtomicU64>,
    stop: CancellationToken,
}

impl FakeHubSpot {
    pub async fn start(data: Dataset) -> Self {
        let state = Arc::new(Mutex::new(State {
            data,
            token: "pat-na1-fake-0".into(),
            generation: 0,
            faults: Vec::new(),
            overlay: HashMap::new(),
            extras: HashMap::new(),
            counts: HashMap::new(),
            correlation: 0,
        }));
        let shared = state.clone();
        let latency_ms = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let latency = latency_ms.clone();
        let app = poem::endpoint::make(move |req: Request| {
            let state = shared.clone();
            let wait = latency.load(std::sync::atomic::Ordering::Relaxed);
            async move {
                if wait > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                }
                let method = req.method().clone();
                let path = req.uri().path().to_owned();
                let query = parse_query(req.uri().query().unwrap_or(""));
                let auth = req
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let body = req.into_body().into_string().await.unwrap_or_default();
                let mut st = state.lock().unwrap();
                st.handle(method.as_str(), &path, &query, &auth, &body)
            }
        });
        let (base_url, stop) = super::serve::serve_fake(app).await;
        Self {
            base_url,
            state,
            latency_ms,
            stop,
        }
    }

    /// Every later answer waits `ms` milliseconds first.
    pub fn set_latency(&self, ms: u64) {
        self.latency_ms
            .store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// Drops every pending fault.
    pub fn clear_faults(&self) {
        self.st().faults.clear();
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn current_token(&self) -> String {
        self.st().token.clone()
    }

    /// Rotates the token: the old one gets 401 from now on.
    pub fn expire_token(&self) {
        let mut st = self.st();
        st.generation += 1;
        st.token = format!("pat-na1-fake-{}", st.generation);
    }

    /// The next `n` requests whose path starts with `path_prefix` fail with `fault`.
    pub fn fail_next(&self, path_prefix: &str, n: u32, fault: Fault) {
        self.st().faults.push((path_prefix.to_owned(), n, fault));
    }

    /// Bumps the record's modified time to now and changes a property (its name/title).
    pub fn modify(&self, object: &str, id: u64) {
        let now = chrono::Utc::now().timestamp_millis();
        let mut st = self.st();
        let over = st
            .overlay
            .entry(object.to_owned())
            .or_default()
            .entry(id)
            .or_default();
        over.modified = Some(now);
        over.version += 1;
    }

    /// Modifies many records at one shared timestamp (like HubSpot's bulk updates do).
    pub fn bulk_modify(&self, object: &str, ids: impl IntoIterator<Item = u64>) {
        let now = chrono::Utc::now().timestamp_millis();
        let mut st = self.st();
        let overlay = st.overlay.entry(object.to_owned()).or_default();
        for id in ids {
            let over = overlay.entry(id).or_default();
            over.modified = Some(now);
            over.version += 1;
        }
    }

    pub fn archive(&self, object: &str, id: u64) {
        let now = chrono::Utc::now().timestamp_millis();
        let mut st = self.st();
        let over = st
            .overlay
            .entry(object.to_owned())
            .or_default()
            .entry(id)
            .or_default();
        over.archived = true;
        over.modified = Some(now);
    }

    /// Serves `raw` as one more live record of `object` (listed after the generated ones and
    /// matched by searches from now on); returns its position in the listing.
    pub fn insert_malformed(&self, object: &str, raw: Value) -> u64 {
        let now = chrono::Utc::now().timestamp_millis();
        let mut st = self.st();
        let n = st.count(object);
        let extras = st.extras.entry(object.to_owned()).or_default();
        extras.push((now, raw));
        n + extras.len() as u64
    }

    /// Requests served so far whose path starts with `prefix`.
    pub fn requests(&self, prefix: &str) -> usize {
        self.st()
            .counts
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }

    /// Generated records of `object` that are not archived (malformed extras excluded).
    pub fn live_ids(&self, object: &str) -> Vec<String> {
        let st = self.st();
        (1..=st.count(object))
            .filter(|id| !st.over(object, *id).archived)
            .map(|id| id.to_string())
            .collect()
    }

    pub fn archived_ids(&self, object: &str) -> Vec<String> {
        let st = self.st();
        st.overlay
            .get(object)
            .into_iter()
            .flatten()
            .filter(|(_, o)| o.archived)
            .map(|(id, _)| id.to_string())
            .collect()
    }

    pub fn modified_ids(&self, object: &str) -> Vec<String> {
        let st = self.st();
        st.overlay
            .get(object)
            .into_iter()
            .flatten()
            .filter(|(_, o)| o.version > 0 && !o.archived)
            .map(|(id, _)| id.to_string())
            .collect()
    }

    /// The record's current last-modified time in epoch milliseconds.
    pub fn modified_at(&self, object: &str, id: u64) -> i64 {
        self.st().modified(object, id)
    }

    pub fn expected_deal(&self, id: u64) -> ExpectedDeal {
        let st = self.st();
        let record = st.record("deals", id, None, &[]);
        let p = &record["properties"];
        let s = |k: &str| p[k].as_str().unwrap_or("").to_owned();
        ExpectedDeal {
            id: id.to_string(),
            name: s("dealname"),
            amount: s("amount"),
            stage: s("dealstage"),
            pipeline: s("pipeline"),
            account_id: st.assoc("deals", id, "companies").map(|c| c.to_string()),
            owner_id: p["hubspot_owner_id"].as_str().map(str::to_owned),
            archived: st.over("deals", id).archived,
        }
    }

    /// Stage count over both pipelines.
    pub fn stage_count(&self) -> usize {
        PIPELINES.iter().map(|(_, _, s)| s.len()).sum()
    }

    pub fn stop(&self) {
        self.stop.cancel();
    }
}

impl Drop for FakeHubSpot {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

// ---- the server side -------------------------------------------------------------------------

type Query = HashMap<String, String>;

fn parse_query(raw: &str) -> Query {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn json_response(status: u16, body: &Value, rate_headers: bool) -> Response {
    let mut resp = Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .content_type("application/json;charset=utf-8");
    if rate_headers {
        resp = resp
            .header("X-HubSpot-RateLimit-Max", "190")
            .header("X-HubSpot-RateLimit-Remaining", "189")
            .header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
            .header("X-HubSpot-RateLimit-Daily", "1000000")
            .header("X-HubSpot-RateLimit-Daily-Remaining", "999000");
    }
    resp.body(body.to_string())
}

/// A search/list filter: `(property, operator, value)`.
type Filter = (String, String, i64);

impl State {
    fn count(&self, object: &str) -> u64 {
        let d = &self.data;
        match object {
            "owners" => d.owners,
            "companies" => d.companies,
            "contacts" => d.contacts,
            "deals" => d.deals,
            o if OBJECTS.contains(&o) => d.per_engagement_type,
            _ => 0,
        }
    }

    fn extras(&self, object: &str) -> &[(i64, Value)] {
        self.extras.get(object).map(Vec::as_slice).unwrap_or(&[])
    }

    fn over(&self, object: &str, id: u64) -> Over {
        self.overlay
            .get(object)
            .and_then(|m| m.get(&id))
            .copied()
            .unwrap_or_default()
    }

    fn modified(&self, object: &str, id: u64) -> i64 {
        let n = self.count(object);
        if id > n {
            return self
                .extras(object)
                .get((id - n - 1) as usize)
                .map_or(0, |e| e.0);
        }
        self.over(object, id)
            .modified
            .unwrap_or(T0 + id as i64 * STEP)
    }

    fn modified_property(object: &str) -> &'static str {
        if object == "contacts" {
            "lastmodifieddate"
        } else {
            "hs_lastmodifieddate"
        }
    }

    /// The first record of `to` that `id` is associated with.
    fn assoc(&self, object: &str, id: u64, to: &str) -> Option<u64> {
        let pick = |n: u64, k: u64| (n > 0).then(|| (id * k) % n + 1);
        match (object, to) {
            ("contacts", "companies") => pick(self.data.companies, 1),
            ("deals", "companies") => pick(self.data.companies, 7),
            (o, "deals") if OBJECTS[3..].contains(&o) && !id.is_multiple_of(5) => {
                pick(self.data.deals, 1)
            }
            (o, "companies") if OBJECTS[3..].contains(&o) => pick(self.data.companies, 3),
            (o, "contacts") if OBJECTS[3..].contains(&o) => pick(self.data.contacts, 5),
            _ => None,
        }
    }

    /// The record as the API shows it; `properties` limits the properties returned.
    fn record(
        &self,
        object: &str,
        id: u64,
        properties: Option<&[String]>,
        associations: &[String],
    ) -> Value {
        let n = self.count(object);
        if id > n {
            return self.extras(object)[(id - n - 1) as usize].1.clone();
        }
        let over = self.over(object, id);
        let modified = self.modified(object, id);
        let created = T0 + id as i64 * STEP - 86_400_000;
        let v = |s: &str| {
            if over.version > 0 {
                format!("{s} v{}", over.version)
            } else {
                s.to_owned()
            }
        };
        let owner = (self.data.owners > 0).then(|| ((id % self.data.owners) + 1).to_string());
        let mut p: Map<String, Value> = Map::new();
        let mut set = |k: &str, val: String| {
            p.insert(k.to_owned(), Value::String(val));
        };
        let when = iso(T0 + id as i64 * 3_600_000);
        match object {
            "companies" => {
                set("name", v(&format!("Company {id}")));
                set("domain", format!("company{id}.example"));
                set(
                    "industry",
                    ["SOFTWARE", "RETAIL", "BANKING", "HEALTHCARE"][id as usize % 4].into(),
                );
                set("numberofemployees", ((id * 7) % 500 + 1).to_string());
                set(
                    "annualrevenue",
                    if id.is_multiple_of(41) {
                        "unknown".into()
                    } else {
                        format!("{}", id * 1000)
                    },
                );
                set("city", format!("City {}", id % 10));
                set("lifecyclestage", "customer".into());
            }
            "contacts" => {
                set("firstname", format!("First{id}"));
                set("lastname", format!("Last{id}"));
                set("email", format!("contact{id}@example.com"));
                set("jobtitle", v("Buyer"));
                set(
                    "phone",
                    if id.is_multiple_of(9) {
                        String::new()
                    } else {
                        format!("+1555{id:07}")
                    },
                );
                set("lifecyclestage", "lead".into());
            }
            "deals" => {
                let (pipeline, _, stages) = PIPELINES[usize::from(id.is_multiple_of(4))];
                set("dealname", v(&format!("Deal {id}")));
                let amount = match id {
                    i if i.is_multiple_of(50) => String::new(),
                    i if i.is_multiple_of(97) => "n/a".into(),
                    i => format!("{}.{:02}", i * 100, i % 100),
                };
                set("amount", amount);
                set(
                    "deal_currency_code",
                    ["USD", "EUR", "GBP"][id as usize % 3].into(),
                );
                set("pipeline", pipeline.into());
                set("dealstage", stages[id as usize % stages.len()].0.into());
                let close = T0 + (id as i64 % 700) * 86_400_000;
                set(
                    "closedate",
                    if id.is_multiple_of(2) {
                        iso(close)
                    } else {
                        close.to_string()
                    },
                );
                set("dealtype", "newbusiness".into());
            }
            "calls" => {
                set("hs_call_title", v(&format!("Call {id}")));
                set("hs_call_body", format!("Discussed pricing #{id}"));
                set("hs_call_duration", ((id % 3600) * 1000).to_string());
                set("hs_call_direction", "OUTBOUND".into());
                set("hs_timestamp", when.clone());
            }
            "emails" => {
                set("hs_email_subject", v(&format!("Email {id}")));
                set("hs_email_text", format!("Hello #{id}"));
                set("hs_email_from_email", "rep@acme.test".into());
                set("hs_email_to_email", format!("contact{id}@example.com"));
                set("hs_timestamp", when.clone());
            }
            "meetings" => {
                set("hs_meeting_title", v(&format!("Meeting {id}")));
                set("hs_meeting_body", "Agenda".into());
                set("hs_meeting_start_time", when.clone());
                set(
                    "hs_meeting_end_time",
                    iso(T0 + id as i64 * 3_600_000 + 1_800_000),
                );
                set("hs_timestamp", when.clone());
            }
            "notes" => {
                set("hs_note_body", v(&format!("Note {id}")));
                set("hs_timestamp", when.clone());
            }
            "tasks" => {
                set("hs_task_subject", v(&format!("Task {id}")));
                set("hs_task_body", "Follow up".into());
                set("hs_task_status", "NOT_STARTED".into());
                set("hs_timestamp", when.clone());
            }
            _ => {}
        }
        if let Some(owner) = owner {
            set("hubspot_owner_id", owner);
        }
        set("hs_object_id", id.to_string());
        set(
            if object == "contacts" {
                "createdate"
            } else {
                "hs_createdate"
            },
            iso(created),
        );
        set(Self::modified_property(object), iso(modified));
        if let Some(wanted) = properties {
            p.retain(|k, _| wanted.iter().any(|w| w == k) || k == "hs_object_id");
            for w in wanted {
                p.entry(w.clone()).or_insert(Value::Null);
            }
        }
        let mut out = json!({
            "id": id.to_string(),
            "properties": p,
            "createdAt": iso(created),
            "updatedAt": iso(modified),
            "archived": over.archived,
        });
        if over.archived {
            out["archivedAt"] = json!(iso(modified));
        }
        let mut assoc = Map::new();
        for to in associations {
            if let Some(target) = self.assoc(object, id, to) {
                let kind = format!("{}_to_{}", singular(object), singular(to));
                assoc.insert(
                    to.clone(),
                    json!({ "results": [{ "id": target.to_string(), "type": kind }] }),
                );
            }
        }
        if !assoc.is_empty() {
            out["associations"] = Value::Object(assoc);
        }
        out
    }

    fn error(&mut self, status: u16, message: &str, category: &str) -> Response {
        self.correlation += 1;
        let body = json!({
            "status": "error",
            "message": message,
            "correlationId": format!("c0ffee00-0000-4000-8000-{:012}", self.correlation),
            "category": category,
        });
        json_response(status, &body, true)
    }

    fn fault(&mut self, path: &str) -> Option<Fault> {
        let slot = self
            .faults
            .iter_mut()
            .find(|(prefix, n, _)| *n > 0 && path.starts_with(prefix.as_str()))?;
        slot.1 -= 1;
        let fault = slot.2.clone();
        self.faults.retain(|(_, n, _)| *n > 0);
        Some(fault)
    }

    fn handle(
        &mut self,
        method: &str,
        path: &str,
        query: &Query,
        auth: &str,
        body: &str,
    ) -> Response {
        *self.counts.entry(path.to_owned()).or_default() += 1;
        match self.fault(path) {
            Some(Fault::RateLimit {
                policy,
                retry_after,
            }) => {
                self.correlation += 1;
                let window = if policy == "DAILY" {
                    "daily"
                } else {
                    "ten_secondly_rolling"
                };
                let body = json!({
                    "status": "error",
                    "message": format!("You have reached your {window} limit."),
                    "errorType": "RATE_LIMIT",
                    "correlationId": format!("c0ffee00-0000-4000-8000-{:012}", self.correlation),
                    "policyName": policy,
                });
                let mut resp = json_response(429, &body, true);
                if let Some(secs) = retry_after {
                    resp.headers_mut()
                        .insert("retry-after", secs.to_string().parse().unwrap());
                }
                return resp;
            }
            Some(Fault::Status(code)) => {
                return self.error(code, "An internal error occurred.", "INTERNAL_ERROR");
            }
            Some(Fault::Unauthorized) => return self.unauthorized(),
            None => {}
        }
        if auth.strip_prefix("Bearer ") != Some(self.token.as_str()) {
            return self.unauthorized();
        }
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("GET", ["crm", "v3", "owners"]) => self.owners(query),
            ("GET", ["crm", "v3", "pipelines", "deals"]) => self.pipelines(),
            ("GET", ["crm", "v3", "objects", object]) if OBJECTS.contains(object) => {
                self.list(object, query)
            }
            ("POST", ["crm", "v3", "objects", object, "search"]) if OBJECTS.contains(object) => {
                self.search(object, body)
            }
            ("POST", ["crm", "v4", "associations", from, to, "batch", "read"]) => {
                self.batch(from, to, body)
            }
            _ => self.error(
                404,
                &format!("Unable to find a route for {method} {path}"),
                "OBJECT_NOT_FOUND",
            ),
        }
    }

    fn unauthorized(&mut self) -> Response {
        self.error(
            401,
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "INVALID_AUTHENTICATION",
        )
    }

    /// The `limit` query parameter (default 10), or the 400 answer when it is out of range.
    fn limit(&mut self, query: &Query, max: u64) -> Result<u64, Box<Response>> {
        let limit = query.get("limit").map_or(Ok(10), |l| l.parse::<u64>());
        match limit {
            Ok(l) if (1..=max).contains(&l) => Ok(l),
            _ => Err(Box::new(self.error(
                400,
                &format!("limit must be between 1 and {max}"),
                "VALIDATION_ERROR",
            ))),
        }
    }

    fn owners(&mut self, query: &Query) -> Response {
        let limit = match self.limit(query, 100) {
            Ok(l) => l,
            Err(resp) => return *resp,
        };
        let archived = query.get("archived").is_some_and(|a| a == "true");
        let start: u64 = query.get("after").and_then(|a| a.parse().ok()).unwrap_or(1);
        let ids: Vec<u64> = (start..=self.data.owners)
            .filter(|id| self.over("owners", *id).archived == archived)
            .take(limit as usize + 1)
            .collect();
        let results: Vec<Value> = ids
            .iter()
            .take(limit as usize)
            .map(|id| {
                let archived = self.over("owners", *id).archived;
                json!({
                    "id": id.to_string(), "email": format!("rep{id}@acme.test"),
                    "firstName": format!("Rep{id}"), "lastName": "Owner", "userId": 9000 + id,
                    "createdAt": iso(T0), "updatedAt": iso(self.modified("owners", *id)),
                    "archived": archived, "teams": [{"id": "1", "name": "East", "primary": true}],
                })
            })
            .collect();
        let mut body = json!({ "results": results });
        if ids.len() as u64 > limit {
            body["paging"] = json!({ "next": { "after": ids[limit as usize].to_string() } });
        }
        json_response(200, &body, true)
    }

    fn pipelines(&mut self) -> Response {
        let results: Vec<Value> = PIPELINES
            .iter()
            .enumerate()
            .map(|(i, (id, label, stages))| {
                let stages: Vec<Value> = stages
                    .iter()
                    .enumerate()
                    .map(|(order, (sid, slabel, p, closed))| {
                        json!({
                            "id": sid, "label": slabel, "displayOrder": order, "archived": false,
                            "createdAt": iso(T0), "updatedAt": iso(T0),
                            "metadata": { "isClosed": closed, "probability": p },
                        })
                    })
                    .collect();
                json!({ "id": id, "label": label, "displayOrder": i, "archived": false,
                    "createdAt": iso(T0), "updatedAt": iso(T0), "stages": stages })
            })
            .collect();
        json_response(200, &json!({ "results": results }), true)
    }
}

impl State {
    fn list(&mut self, object: &str, query: &Query) -> Response {
        let limit = match self.limit(query, 100) {
            Ok(l) => l as usize,
            Err(resp) => return *resp,
        };
        let archived = query.get("archived").is_some_and(|a| a == "true");
        let split = |key: &str| -> Option<Vec<String>> {
            query.get(key).map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
        };
        let properties = split("properties");
        let associations = split("associations").unwrap_or_default();
        let start: u64 = match query.get("after").map(|a| a.parse::<u64>()) {
            None => 1,
            Some(Ok(a)) => a,
            Some(Err(_)) => {
                return self.error(
                    400,
                    "Invalid input: after must be a paging cursor returned by a previous page",
                    "VALIDATION_ERROR",
                );
            }
        };
        let n = self.count(object);
        let total = n + self.extras(object).len() as u64;
        let ids: Vec<u64> = if archived {
            self.overlay
                .get(object)
                .into_iter()
                .flat_map(|m| m.range(start..))
                .filter(|(_, o)| o.archived)
                .map(|(id, _)| *id)
                .take(limit + 1)
                .collect()
        } else {
            (start..=total)
                .filter(|id| *id > n || !self.over(object, *id).archived)
                .take(limit + 1)
                .collect()
        };
        let results: Vec<Value> = ids
            .iter()
            .take(limit)
            .map(|id| self.record(object, *id, properties.as_deref(), &associations))
            .collect();
        let mut body = json!({ "results": results });
        if ids.len() > limit {
            let after = ids[limit].to_string();
            let link = format!("?after={after}");
            body["paging"] = json!({ "next": { "after": after, "link": link } });
        }
        json_response(200, &body, true)
    }

    fn search(&mut self, object: &str, body: &str) -> Response {
        let Ok(req) = serde_json::from_str::<Value>(body) else {
            return self.error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR");
        };
        let limit = req["limit"].as_u64().unwrap_or(10) as usize;
        if !(1..=200).contains(&limit) {
            return self.error(400, "limit must be between 1 and 200", "VALIDATION_ERROR");
        }
        let offset = match &req["after"] {
            Value::Null => 0,
            Value::String(s) => s.parse::<usize>().unwrap_or(usize::MAX),
            v => v.as_u64().map_or(usize::MAX, |v| v as usize),
        };
        if offset >= 10_000 {
            return self.error(400, "There was a problem with the request: search results are limited to 10,000; narrow the filters to page further.", "VALIDATION_ERROR");
        }
        if req["sorts"].as_array().is_some_and(|s| s.len() > 1) {
            return self.error(
                400,
                "Only one sort is supported per search request.",
                "VALIDATION_ERROR",
            );
        }
        let modified_prop = Self::modified_property(object);
        let mut groups: Vec<Vec<Filter>> = Vec::new();
        for group in req["filterGroups"].as_array().into_iter().flatten() {
            let mut filters = Vec::new();
            for f in group["filters"].as_array().into_iter().flatten() {
                let prop = f["propertyName"].as_str().unwrap_or("").to_owned();
                let op = f["operator"].as_str().unwrap_or("").to_owned();
                let raw = f["value"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| f["value"].to_string());
                let value = raw.parse::<i64>().ok().or_else(|| {
                    chrono::DateTime::parse_from_rfc3339(&raw)
                        .ok()
                        .map(|d| d.timestamp_millis())
                });
                let (Some(value), true) = (value, prop == modified_prop || prop == "hs_object_id")
                else {
                    return self.error(
                        400,
                        &format!("The fake cannot filter on {prop}={raw}"),
                        "VALIDATION_ERROR",
                    );
                };
                filters.push((prop, op, value));
            }
            groups.push(filters);
        }
        let total_filters: usize = groups.iter().map(Vec::len).sum();
        if groups.len() > 5 || total_filters > 25 || groups.iter().any(|g| g.len() > 10) {
            return self.error(400, "Too many filters or filter groups", "VALIDATION_ERROR");
        }
        let properties: Vec<String> = match req["properties"].as_array() {
            Some(p) => p
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            None => vec![modified_prop.to_owned()],
        };
        let lo = groups
            .iter()
            .map(|g| {
                g.iter()
                    .filter(|(p, _, _)| p != "hs_object_id")
                    .filter_map(|(_, op, v)| match op.as_str() {
                        "GT" => Some(v + 1),
                        "GTE" | "EQ" => Some(*v),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(i64::MIN)
            })
            .min()
            .unwrap_or(i64::MIN);
        let hi = groups
            .iter()
            .map(|g| {
                g.iter()
                    .filter(|(p, _, _)| p != "hs_object_id")
                    .filter_map(|(_, op, v)| match op.as_str() {
                        "LT" => Some(v - 1),
                        "LTE" | "EQ" => Some(*v),
                        _ => None,
                    })
                    .min()
                    .unwrap_or(i64::MAX)
            })
            .max()
            .unwrap_or(i64::MAX);
        // HubSpot sorts on one property: records sharing a timestamp come in an order of its
        // choosing (here a scramble of their ids), never reliably by id.
        let by_id = req["sorts"][0]["propertyName"] == "hs_object_id";
        if by_id && hi == i64::MAX {
            return self.error(
                400,
                "The fake sorts by hs_object_id only within a bounded modified range",
                "VALIDATION_ERROR",
            );
        }
        let scramble = |id: u64| id.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
        let matches = |m: i64, id: u64| {
            groups.is_empty()
                || groups.iter().any(|g| {
                    g.iter().all(|(prop, op, v)| {
                        let x = if prop == "hs_object_id" { id as i64 } else { m };
                        match op.as_str() {
                            "GT" => x > *v,
                            "GTE" => x >= *v,
                            "LT" => x < *v,
                            "LTE" => x <= *v,
                            "EQ" => x == *v,
                            "NEQ" => x != *v,
                            _ => false,
                        }
                    })
                })
        };
        let n = self.count(object);
        let first = if lo <= T0 + STEP {
            1
        } else {
            ((lo - T0 + STEP - 1) / STEP) as u64
        };
        let overlay = self.overlay.get(object);
        let mut base = (first..=n)
            .filter(|id| {
                overlay
                    .and_then(|m| m.get(id))
                    .is_none_or(|o| o.version == 0 && !o.archived)
            })
            .map(|id| (T0 + id as i64 * STEP, scramble(id), id))
            .peekable();
        let mut changed: Vec<(i64, u64, u64)> = overlay
            .into_iter()
            .flatten()
            .filter(|(_, o)| !o.archived && o.modified.is_some())
            .map(|(id, o)| (o.modified.unwrap_or(0), *id))
            .chain(
                self.extras(object)
                    .iter()
                    .enumerate()
                    .map(|(k, e)| (e.0, n + k as u64 + 1)),
            )
            .filter(|(m, _)| *m >= lo)
            .map(|(m, id)| (m, scramble(id), id))
            .collect();
        changed.sort_unstable();
        let total = n.saturating_sub(first) + 1 + changed.len() as u64;
        let mut changed = changed.into_iter().peekable();
        // Sorted by id, every match is needed first (the fake supports that only for queries
        // bounded to a timestamp range, which keeps it cheap).
        let wanted = if by_id {
            usize::MAX
        } else {
            offset + limit + 1
        };
        let mut found: Vec<u64> = Vec::new();
        while found.len() < wanted {
            let next = match (base.peek(), changed.peek()) {
                (Some(b), Some(c)) => {
                    if b <= c {
                        base.next()
                    } else {
                        changed.next()
                    }
                }
                (Some(_), None) => base.next(),
                (None, Some(_)) => changed.next(),
                (None, None) => break,
            };
            let Some((m, _, id)) = next else { break };
            if m > hi {
                break;
            }
            if matches(m, id) {
                found.push(id);
            }
        }
        if by_id {
            found.sort_unstable();
        }
        let results: Vec<Value> = found
            .iter()
            .skip(offset)
            .take(limit)
            .map(|id| {
                let mut r = self.record(object, *id, Some(&properties), &[]);
                if let Some(o) = r.as_object_mut() {
                    o.remove("associations");
                }
                r
            })
            .collect();
        let mut body = json!({ "total": total, "results": results });
        if found.len() > offset + limit {
            body["paging"] = json!({ "next": { "after": (offset + limit).to_string() } });
        }
        json_response(200, &body, false)
    }

    fn batch(&mut self, from: &str, to: &str, body: &str) -> Response {
        let req: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let Some(inputs) = req["inputs"].as_array() else {
            return self.error(
                400,
                "Invalid input JSON: inputs is required",
                "VALIDATION_ERROR",
            );
        };
        if inputs.len() > 1000 {
            return self.error(
                400,
                "Batch input must contain at most 1000 inputs",
                "VALIDATION_ERROR",
            );
        }
        let mut results = Vec::new();
        let mut errors = Vec::new();
        for input in inputs {
            let raw = input["id"].as_str().unwrap_or("").to_owned();
            let target = raw
                .parse::<u64>()
                .ok()
                .filter(|id| *id <= self.count(from))
                .and_then(|id| self.assoc(from, id, to));
            match target {
                Some(target) => results.push(json!({
                    "from": { "id": raw },
                    "to": [{ "toObjectId": target, "associationTypes": [
                        { "category": "HUBSPOT_DEFINED", "typeId": 1, "label": null }] }],
                })),
                None => errors.push(json!({
                    "status": "error", "category": "OBJECT_NOT_FOUND",
                    "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                    "message": format!("No {to} is associated with {} {raw}.", singular(from)),
                    "context": { "fromObjectId": [raw] },
                })),
            }
        }
        let now = iso(chrono::Utc::now().timestamp_millis());
        let mut body = json!({ "status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now });
        let status = if errors.is_empty() {
            200
        } else {
            body["numErrors"] = json!(errors.len());
            body["errors"] = Value::Array(errors);
            207
        };
        json_response(status, &body, true)
    }
}

fn singular(object: &str) -> &str {
    match object {
        "companies" => "company",
        o => o.strip_suffix('s').unwrap_or(o),
    }
}
