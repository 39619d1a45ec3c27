//! A stateful fake Salesforce REST API on 127.0.0.1:0 (also the instance URL): `query` and
//! `queryAll` understanding the SOQL the connector sends (`SELECT fields FROM X [WHERE
//! SystemModstamp >= literal] ORDER BY SystemModstamp, Id`), batches following opaque
//! `nextRecordsUrl` locators (which can be expired: `INVALID_QUERY_LOCATOR`), `sobjects/X/describe`,
//! bearer tokens (401 `INVALID_SESSION_ID` once rotated), and injected faults (403
//! `REQUEST_LIMIT_EXCEEDED` TotalRequests / ConcurrentRequests, 500). Errors use Salesforce's
//! JSON-array body. Records are kept per object in a BTreeMap keyed by (SystemModstamp, Id), so a
//! batch costs O(log n + batch size) however large the object is.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use poem::http::StatusCode;
use poem::{Request, Response};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

pub const API_VERSION: &str = "v62.0";
pub const DEFAULT_BATCH: usize = 2000;
/// Modstamps of generated records: groups of 3 share one, 10 minutes apart.
pub const SPACING_MS: i64 = 600_000;

#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub users: u64,
    pub accounts: u64,
    pub contacts: u64,
    pub opportunities: u64,
    pub tasks: u64,
    pub events: u64,
    pub multi_currency: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Status500,
    /// 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded." (the 24 h allocation).
    TotalRequests,
    /// 403 REQUEST_LIMIT_EXCEEDED "ConcurrentRequests … Limit exceeded.".
    ConcurrentRequests,
}

pub const SOBJECTS: [&str; 7] = [
    "User",
    "OpportunityStage",
    "Account",
    "Contact",
    "Opportunity",
    "Task",
    "Event",
];

pub const STAGES: [(&str, &str, i64, bool, bool); 6] = [
    ("Prospecting", "Prospecting", 10, false, false),
    ("Qualification", "Qualification", 20, false, false),
    (
        "Perception_Analysis",
        "Perception Analysis",
        50,
        false,
        false,
    ),
    ("Negotiation", "Negotiation/Review", 80, false, false),
    ("Closed Won", "Closed Won", 100, true, true),
    ("Closed Lost", "Closed Lost", 0, true, false),
];

fn standard_fields(sobject: &str) -> &'static [&'static str] {
    match sobject {
        "User" => &[
            "Id",
            "Email",
            "Name",
            "FirstName",
            "LastName",
            "IsActive",
            "SystemModstamp",
        ],
        "OpportunityStage" => &[
            "Id",
            "ApiName",
            "MasterLabel",
            "SortOrder",
            "DefaultProbability",
            "IsClosed",
            "IsWon",
            "IsActive",
            "ForecastCategoryName",
            "SystemModstamp",
        ],
        "Account" => &[
            "Id",
            "Name",
            "Website",
            "Industry",
            "NumberOfEmployees",
            "AnnualRevenue",
            "OwnerId",
            "Type",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ],
        "Contact" => &[
            "Id",
            "FirstName",
            "LastName",
            "Name",
            "Email",
            "Title",
            "Phone",
            "AccountId",
            "OwnerId",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ],
        "Opportunity" => &[
            "Id",
            "Name",
            "StageName",
            "Amount",
            "CloseDate",
            "Probability",
            "IsClosed",
            "IsWon",
            "OwnerId",
            "AccountId",
            "Type",
            "ForecastCategoryName",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ],
        "Task" => &[
            "Id",
            "Subject",
            "Description",
            "Status",
            "ActivityDate",
            "TaskSubtype",
            "CallDurationInSeconds",
            "WhoId",
            "WhatId",
            "AccountId",
            "OwnerId",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ],
        "Event" => &[
            "Id",
            "Subject",
            "Description",
            "StartDateTime",
            "EndDateTime",
            "DurationInMinutes",
            "Location",
            "IsPrivate",
            "WhoId",
            "WhatId",
            "AccountId",
            "OwnerId",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ],
        _ => &[],
    }
}

fn custom_fields(sobject: &str) -> &'static [&'static str] {
    match sobject {
        "Account" => &["Region__c"],
        "Opportunity" => &["Deal_Score__c"],
        _ => &[],
    }
}

/// `prefix` + 12 digits + "AAA": 18 characters, ordered like `n`.
pub fn sf_id(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:012}AAA")
}

pub fn stamp(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string()
}

type Key = (i64, String);

#[derive(Default)]
struct Object {
    rows: BTreeMap<Key, Value>,
    keys: HashMap<String, Key>,
}

impl Object {
    fn put(&mut self, sort_id: String, ms: i64, mut record: Value) {
        if let Some(old) = self.keys.remove(&sort_id) {
            self.rows.remove(&old);
        }
        record["SystemModstamp"] = json!(stamp(ms));
        let key = (ms, sort_id.clone());
        self.keys.insert(sort_id, key.clone());
        self.rows.insert(key, record);
    }
}

struct Locator {
    sobject: String,
    fields: Vec<String>,
    all: bool,
    after: Key,
    served: usize,
    total: usize,
    batch: usize,
}

struct State {
    t0: i64,
    clock: i64,
    token: String,
    reject_all: bool,
    multi_currency: bool,
    objects: HashMap<String, Object>,
    batch: usize,
    locators: HashMap<String, Locator>,
    next_locator: u64,
    faults: VecDeque<Fault>,
    counts: HashMap<String, usize>,
    soql: Vec<String>,
    /// (sobject, field) pairs the API user cannot see (field-level security).
    hidden: Vec<(String, String)>,
    /// (sobject, field) pairs describe lists but a query refuses (INVALID_FIELD).
    broken: Vec<(String, String)>,
    /// A connected app's (consumer key, secret) accepted by the client credentials flow.
    connected_app: Option<(String, String)>,
    instance_url: String,
}

pub struct FakeSalesforce {
    base_url: String,
    state: Arc<Mutex<State>>,
    stop: CancellationToken,
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, json!([{"message": message, "errorCode": code}]))
}

fn json_response(status: StatusCode, body: Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("sforce-limit-info", "api-usage=10/100000")
        .body(body.to_string())
}

/// The parsed SOQL of a query: fields, object, optional `SystemModstamp >=` bound.
struct Soql {
    fields: Vec<String>,
    sobject: String,
    since: Option<i64>,
}

fn parse_soql(q: &str) -> Result<Soql, String> {
    let q = q.trim();
    let rest = q.strip_prefix("SELECT ").ok_or("expected SELECT")?;
    let (fields, rest) = rest.split_once(" FROM ").ok_or("expected FROM")?;
    let fields: Vec<String> = fields.split(',').map(|f| f.trim().to_owned()).collect();
    let (sobject, rest) = rest.split_once(' ').ok_or("expected ORDER BY")?;
    let (filter, order) = match rest.split_once("ORDER BY ") {
        Some((filter, order)) => (filter.trim(), order.trim()),
        None => return Err("the fake needs ORDER BY SystemModstamp, Id".into()),
    };
    if order != "SystemModstamp, Id" && order != "SystemModstamp,Id" {
        return Err(format!("unsupported ORDER BY {order}"));
    }
    let since = if filter.is_empty() {
        None
    } else {
        let literal = filter
            .strip_prefix("WHERE SystemModstamp >= ")
            .ok_or_else(|| format!("unsupported WHERE {filter}"))?;
        let at = DateTime::parse_from_rfc3339(literal.trim())
            .map_err(|_| format!("line 1:{} no viable alternative at character ' '", q.len()))?;
        Some(at.timestamp_millis())
    };
    Ok(Soql {
        fields,
        sobject: sobject.to_owned(),
        since,
    })
}

impl State {
    fn known_fields(&self, sobject: &str) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = standard_fields(sobject).to_vec();
        v.extend_from_slice(custom_fields(sobject));
        if self.multi_currency && matches!(sobject, "Account" | "Opportunity") {
            v.push("CurrencyIsoCode");
        }
        v.retain(|f| !self.hidden.iter().any(|(o, h)| o == sobject && h == f));
        v
    }

    fn count(&mut self, what: &str) {
        *self.counts.entry(what.to_owned()).or_default() += 1;
    }

    /// `POST /services/oauth2/token` with `grant_type=client_credentials`: the current session
    /// token for the connected app's key and secret, Salesforce's OAuth error otherwise.
    fn oauth_token(&mut self, form: &HashMap<String, String>) -> Response {
        self.count("oauth2");
        let oauth_error = |code: &str, description: &str| {
            json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": code, "error_description": description}),
            )
        };
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return oauth_error("unsupported_grant_type", "grant type not supported");
        }
        let given = (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        );
        match &self.connected_app {
            Some(app) if *app == given => json_response(
                StatusCode::OK,
                json!({"access_token": self.token, "signature": "c2lnbmF0dXJl",
                       "scope": "api", "instance_url": self.instance_url,
                       "id": "https://login.salesforce.com/id/00DFAKE/005FAKE",
                       "token_type": "Bearer", "issued_at": Utc::now().timestamp_millis().to_string()}),
            ),
            Some(_) => oauth_error("invalid_client", "invalid client credentials"),
            None => oauth_error("invalid_grant", "no client credentials user enabled"),
        }
    }

    fn handle(
        &mut self,
        path: &str,
        q: &HashMap<String, String>,
        auth: &str,
        batch_header: Option<usize>,
    ) -> Response {
        self.count("requests");
        if let Some(fault) = self.faults.pop_front() {
            self.count("faults");
            return match fault {
                Fault::Status500 => error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "UNKNOWN_EXCEPTION",
                    "An unexpected error occurred.",
                ),
                Fault::TotalRequests => error(
                    StatusCode::FORBIDDEN,
                    "REQUEST_LIMIT_EXCEEDED",
                    "TotalRequests Limit exceeded.",
                ),
                Fault::ConcurrentRequests => error(
                    StatusCode::FORBIDDEN,
                    "REQUEST_LIMIT_EXCEEDED",
                    "ConcurrentRequests (concurrent API requests) Limit exceeded.",
                ),
            };
        }
        if self.reject_all || auth != format!("Bearer {}", self.token) {
            self.count("unauthorized");
            return error(
                StatusCode::UNAUTHORIZED,
                "INVALID_SESSION_ID",
                "Session expired or invalid",
            );
        }
        let Some(rest) = path.strip_prefix("/services/data/") else {
            return error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested resource does not exist",
            );
        };
        let parts: Vec<&str> = rest.split('/').collect();
        match parts.as_slice() {
            [_v, kind @ ("query" | "queryAll")] => {
                self.count(kind);
                let Some(soql) = q.get("q") else {
                    return error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", "q is required");
                };
                self.soql.push(soql.clone());
                self.query(soql, *kind == "queryAll", batch_header)
            }
            [_v, "query" | "queryAll", locator] => {
                self.count("locator");
                self.next_batch(locator)
            }
            [_v, "sobjects", sobject, "describe"] => {
                self.count("describe");
                if !SOBJECTS.contains(sobject) {
                    return error(
                        StatusCode::NOT_FOUND,
                        "NOT_FOUND",
                        "The requested resource does not exist",
                    );
                }
                let fields: Vec<Value> = self
                    .known_fields(sobject)
                    .into_iter()
                    .map(|f| json!({"name": f, "custom": f.ends_with("__c"), "type": "string"}))
                    .collect();
                json_response(
                    StatusCode::OK,
                    json!({"name": sobject, "queryable": true, "fields": fields}),
                )
            }
            _ => error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested resource does not exist",
            ),
        }
    }

    fn query(&mut self, q: &str, all: bool, batch_header: Option<usize>) -> Response {
        let soql = match parse_soql(q) {
            Ok(s) => s,
            Err(e) => return error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", &e),
        };
        if !SOBJECTS.contains(&soql.sobject.as_str()) {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_TYPE",
                &format!("sObject type '{}' is not supported.", soql.sobject),
            );
        }
        let known = self.known_fields(&soql.sobject);
        let broken = |f: &String| {
            self.broken
                .iter()
                .any(|(o, b)| *o == soql.sobject && b == f)
        };
        if let Some(bad) = soql
            .fields
            .iter()
            .find(|f| !known.contains(&f.as_str()) || broken(f))
        {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                &format!(
                    "\n{q}\nERROR at Row:1:Column:8\nNo such column '{bad}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.",
                    soql.sobject
                ),
            );
        }
        let start: Key = (soql.since.unwrap_or(i64::MIN), String::new());
        let object = self.objects.entry(soql.sobject.clone()).or_default();
        let total = object
            .rows
            .range(start.clone()..)
            .filter(|(_, r)| all || !deleted(r))
            .count();
        let batch = batch_header.map_or(self.batch, |b| b.clamp(200, 2000).min(self.batch));
        let locator = Locator {
            sobject: soql.sobject,
            fields: soql.fields,
            all,
            after: start,
            served: 0,
            total,
            batch,
        };
        self.serve(locator, true)
    }

    fn next_batch(&mut self, id: &str) -> Response {
        match self.locators.remove(id) {
            Some(locator) => self.serve(locator, false),
            None => error(
                StatusCode::BAD_REQUEST,
                "INVALID_QUERY_LOCATOR",
                "invalid query locator",
            ),
        }
    }

    /// One batch after `locator.after` (inclusive on a fresh query), registering the next locator.
    fn serve(&mut self, mut locator: Locator, first: bool) -> Response {
        let object = self.objects.entry(locator.sobject.clone()).or_default();
        let lower = if first {
            Bound::Included(locator.after.clone())
        } else {
            Bound::Excluded(locator.after.clone())
        };
        let mut records = Vec::new();
        let mut more = false;
        for (key, record) in object.rows.range((lower, Bound::Unbounded)) {
            if !locator.all && deleted(record) {
                continue;
            }
            if records.len() == locator.batch {
                more = true;
                break;
            }
            locator.after = key.clone();
            records.push(project(&locator.sobject, record, &locator.fields));
        }
        locator.served += records.len();
        let mut body = json!({"totalSize": locator.total, "done": !more, "records": records});
        if more {
            self.next_locator += 1;
            let id = format!("01gFAKE{:08}-{}", self.next_locator, locator.served);
            body["nextRecordsUrl"] = json!(format!("/services/data/{API_VERSION}/query/{id}"));
            self.locators.insert(id, locator);
        }
        json_response(StatusCode::OK, body)
    }
}

fn deleted(record: &Value) -> bool {
    record["IsDeleted"].as_bool().unwrap_or(false)
}

fn project(sobject: &str, record: &Value, fields: &[String]) -> Value {
    let mut out = Map::new();
    let id = record["Id"].as_str().unwrap_or("");
    out.insert(
        "attributes".into(),
        json!({"type": sobject, "url": format!("/services/data/{API_VERSION}/sobjects/{sobject}/{id}")}),
    );
    for f in fields {
        out.insert(f.clone(), record.get(f).cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// The generated records of `data`, by sobject, with their modstamps.
fn generate(data: &Dataset, t0: i64) -> HashMap<String, Object> {
    let mut objects: HashMap<String, Object> = HashMap::new();
    let at = |i: u64| t0 + (i as i64 / 3) * SPACING_MS + 250;
    let created = |i: u64| stamp(t0 - 86_400_000 + i as i64 * 1000);
    let users = data.users.max(1);
    let owner = |i: u64| sf_id("005", i % users + 1);
    let accounts = data.accounts;
    let account = |i: u64| (accounts > 0).then(|| sf_id("001", i % accounts + 1));
    let contacts = data.contacts;
    let contact_account = |c: u64| (!c.is_multiple_of(10)).then(|| account(c)).flatten();

    let o = objects.entry("User".into()).or_default();
    for i in 1..=data.users {
        let id = sf_id("005", i);
        o.put(
            id.clone(),
            at(i),
            json!({
                "Id": id, "Email": format!("Rep{i}@Acme.test"), "Name": format!("Rep {i}"),
                "FirstName": "Rep", "LastName": i.to_string(), "IsActive": i != data.users,
            }),
        );
    }
    let o = objects.entry("OpportunityStage".into()).or_default();
    for (n, (api, label, p, closed, won)) in STAGES.iter().enumerate() {
        let id = sf_id("01J", n as u64 + 1);
        o.put(id.clone(), at(n as u64 + 1), json!({
            "Id": id, "ApiName": api, "MasterLabel": label, "SortOrder": n + 1,
            "DefaultProbability": p, "IsClosed": closed, "IsWon": won, "IsActive": true,
            "ForecastCategoryName": if *won { "Closed" } else if *closed { "Omitted" } else { "Pipeline" },
        }));
    }
    let o = objects.entry("Account".into()).or_default();
    for i in 1..=data.accounts {
        let id = sf_id("001", i);
        let industry = ["Software", "Retail", "Banking"][i as usize % 3];
        let mut r = json!({
            "Id": id, "Name": format!("Account {i}"), "Website": format!("https://www.account{i}.test/home"),
            "Industry": industry,
            "NumberOfEmployees": i * 10, "AnnualRevenue": i as f64 * 1000.5, "OwnerId": owner(i),
            "Type": "Customer", "CreatedDate": created(i), "IsDeleted": false,
            "Region__c": if i.is_multiple_of(2) { json!("EMEA") } else { Value::Null },
        });
        if data.multi_currency {
            r["CurrencyIsoCode"] = json!("USD");
        }
        o.put(id, at(i), r);
    }
    let o = objects.entry("Contact".into()).or_default();
    for i in 1..=data.contacts {
        let id = sf_id("003", i);
        o.put(id.clone(), at(i), json!({
            "Id": id, "FirstName": format!("Ana{i}"), "LastName": "Silva", "Name": format!("Ana{i} Silva"),
            "Email": format!("Ana{i}@Account{i}.test"), "Title": "VP Sales", "Phone": format!("+1 555 {i:04}"),
            "AccountId": contact_account(i), "OwnerId": owner(i), "CreatedDate": created(i), "IsDeleted": false,
        }));
    }
    let o = objects.entry("Opportunity".into()).or_default();
    for i in 1..=data.opportunities {
        let id = sf_id("006", i);
        let (api, _, p, closed, won) = STAGES[i as usize % STAGES.len()];
        let mut r = json!({
            "Id": id, "Name": format!("Deal {i}"), "StageName": api, "Amount": i as f64 * 100.0 + 0.5,
            "CloseDate": format!("2025-06-{:02}", i % 28 + 1), "Probability": p, "IsClosed": closed,
            "IsWon": won, "OwnerId": owner(i), "AccountId": account(i), "Type": "New Business",
            "ForecastCategoryName": "Pipeline", "CreatedDate": created(i), "IsDeleted": false,
            "Deal_Score__c": (i % 10) as f64,
        });
        if data.multi_currency {
            r["CurrencyIsoCode"] = json!(if i.is_multiple_of(2) { "EUR" } else { "USD" });
        }
        o.put(id, at(i), r);
    }
    let opps = data.opportunities;
    let opp_account = |d: u64| account(d);
    // Who/What of activity i: a contact (every 5th a lead), and an account, an opportunity or nothing.
    let who = |i: u64| {
        if i.is_multiple_of(5) {
            Some(sf_id("00Q", i))
        } else {
            (contacts > 0).then(|| sf_id("003", i % contacts + 1))
        }
    };
    let what = |i: u64| match i % 3 {
        0 if accounts > 0 => Some((sf_id("001", i % accounts + 1), account(i))),
        1 if opps > 0 => Some((sf_id("006", i % opps + 1), opp_account(i % opps + 1))),
        _ => None,
    };
    let derived_account = |i: u64| match what(i) {
        Some((_, acc)) => acc,
        None if !i.is_multiple_of(5) && contacts > 0 => contact_account(i % contacts + 1),
        None => None,
    };
    let o = objects.entry("Task".into()).or_default();
    for i in 1..=data.tasks {
        let id = sf_id("00T", i);
        let subtype = ["Call", "Email", "Task"][i as usize % 3];
        let duration = if subtype == "Call" {
            json!(60 + i)
        } else {
            Value::Null
        };
        o.put(
            id.clone(),
            at(i),
            json!({
                "Id": id, "Subject": format!("{subtype} {i}"), "Description": format!("notes {i}"),
                "Status": "Completed", "ActivityDate": format!("2025-05-{:02}", i % 28 + 1),
                "TaskSubtype": subtype,
                "CallDurationInSeconds": duration,
                "WhoId": who(i), "WhatId": what(i).map(|w| w.0), "AccountId": derived_account(i),
                "OwnerId": owner(i), "CreatedDate": created(i), "IsDeleted": false,
            }),
        );
    }
    let o = objects.entry("Event".into()).or_default();
    for i in 1..=data.events {
        let id = sf_id("00U", i);
        let start = t0 + i as i64 * 3_600_000;
        o.put(id.clone(), at(i), json!({
            "Id": id, "Subject": format!("Meeting {i}"), "Description": Value::Null,
            "StartDateTime": stamp(start), "EndDateTime": stamp(start + 1_800_000), "DurationInMinutes": 30,
            "Location": "Zoom", "IsPrivate": i.is_multiple_of(4), "WhoId": who(i), "WhatId": what(i).map(|w| w.0),
            "AccountId": derived_account(i), "OwnerId": owner(i), "CreatedDate": created(i), "IsDeleted": false,
        }));
    }
    objects
}

impl FakeSalesforce {
    pub async fn start(data: Dataset) -> Self {
        let t0 = (Utc::now().timestamp() - 30 * 86_400) * 1000;
        let objects = generate(&data, t0);
        let clock = objects
            .values()
            .filter_map(|o| o.rows.keys().next_back().map(|k| k.0))
            .max()
            .unwrap_or(t0);
        let state = Arc::new(Mutex::new(State {
            t0,
            clock,
            token: "00DFAKE!token-0".into(),
            reject_all: false,
            multi_currency: data.multi_currency,
            objects,
            batch: DEFAULT_BATCH,
            locators: HashMap::new(),
            next_locator: 0,
            faults: VecDeque::new(),
            counts: HashMap::new(),
            soql: Vec::new(),
            hidden: Vec::new(),
            broken: Vec::new(),
            connected_app: None,
            instance_url: String::new(),
        }));
        let shared = state.clone();
        let app = poem::endpoint::make(move |req: Request| {
            let state = shared.clone();
            async move {
                let path = req.uri().path().to_owned();
                if path == "/services/oauth2/token" {
                    let form = req.into_body().into_string().await.unwrap_or_default();
                    let form: HashMap<String, String> =
                        url::form_urlencoded::parse(form.as_bytes())
                            .into_owned()
                            .collect();
                    return state.lock().unwrap().oauth_token(&form);
                }
                let query: HashMap<String, String> =
                    url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                        .into_owned()
                        .collect();
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                let batch = header("sforce-query-options")
                    .strip_prefix("batchSize=")
                    .and_then(|b| b.trim().parse().ok());
                state
                    .lock()
                    .unwrap()
                    .handle(&path, &query, &header("authorization"), batch)
            }
        });
        let (base_url, stop) = super::serve::serve_fake(app).await;
        state.lock().unwrap().instance_url = base_url.clone();
        Self {
            base_url,
            state,
            stop,
        }
    }

    /// The instance URL (`https://acme.my.salesforce.com` in production).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    pub fn t0(&self) -> i64 {
        self.state.lock().unwrap().t0
    }
    pub fn current_token(&self) -> String {
        self.state.lock().unwrap().token.clone()
    }
    /// Rotates the session: the old token now gets 401 INVALID_SESSION_ID.
    pub fn expire_token(&self) {
        let mut st = self.state.lock().unwrap();
        let n: u64 = st
            .token
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        st.token = format!("00DFAKE!token-{}", n + 1);
    }
    /// Accepts this connected app's key and secret at `/services/oauth2/token`.
    pub fn enable_client_credentials(&self, client_id: &str, client_secret: &str) {
        self.state.lock().unwrap().connected_app =
            Some((client_id.to_owned(), client_secret.to_owned()));
    }
    /// Every token is refused (a revoked connection).
    pub fn reject_all(&self, on: bool) {
        self.state.lock().unwrap().reject_all = on;
    }
    /// Hides a field from the API user: describe omits it, selecting it is INVALID_FIELD.
    pub fn hide_field(&self, sobject: &str, field: &str) {
        self.state
            .lock()
            .unwrap()
            .hidden
            .push((sobject.into(), field.into()));
    }
    /// Describe lists the field, queries refuse it (INVALID_FIELD).
    pub fn break_field(&self, sobject: &str, field: &str) {
        self.state
            .lock()
            .unwrap()
            .broken
            .push((sobject.into(), field.into()));
    }
    pub fn set_batch_size(&self, n: usize) {
        self.state.lock().unwrap().batch = n.max(1);
    }
    /// Forgets every query locator: following a `nextRecordsUrl` answers INVALID_QUERY_LOCATOR.
    pub fn expire_locators(&self) {
        self.state.lock().unwrap().locators.clear();
    }
    /// The next requests (whatever they are) answer these faults, in order.
    pub fn inject(&self, faults: &[Fault]) {
        self.state
            .lock()
            .unwrap()
            .faults
            .extend(faults.iter().copied());
    }
    pub fn requests(&self, what: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .counts
            .get(what)
            .copied()
            .unwrap_or(0)
    }
    /// The SOQL of every query received, in order.
    pub fn soql(&self) -> Vec<String> {
        self.state.lock().unwrap().soql.clone()
    }

    /// Every stored record of `sobject` (deleted ones included), in query order.
    pub fn records(&self, sobject: &str) -> Vec<Value> {
        let st = self.state.lock().unwrap();
        st.objects
            .get(sobject)
            .map(|o| o.rows.values().cloned().collect())
            .unwrap_or_default()
    }
    pub fn record(&self, sobject: &str, id: &str) -> Option<Value> {
        let st = self.state.lock().unwrap();
        let o = st.objects.get(sobject)?;
        o.keys.get(id).and_then(|k| o.rows.get(k)).cloned()
    }
    /// Ids of records modified at or after `since_ms` (what `queryAll` with that bound returns).
    pub fn ids_since(&self, sobject: &str, since_ms: i64) -> Vec<String> {
        let st = self.state.lock().unwrap();
        st.objects
            .get(sobject)
            .map(|o| {
                o.rows
                    .range((since_ms, String::new())..)
                    .map(|(k, _)| k.1.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Merges `patch` into a record and bumps its SystemModstamp past everything stored.
    pub fn update(&self, sobject: &str, id: &str, patch: Value) {
        let mut st = self.state.lock().unwrap();
        st.clock += 1000;
        let ms = st.clock;
        let o = st.objects.entry(sobject.into()).or_default();
        let key = o.keys.get(id).cloned().expect("a stored record");
        let mut record = o.rows.get(&key).cloned().unwrap();
        for (k, v) in patch.as_object().unwrap() {
            record[k] = v.clone();
        }
        o.put(id.to_owned(), ms, record);
    }
    /// Soft-deletes a record (the recycle bin): only `queryAll` still returns it.
    pub fn delete(&self, sobject: &str, id: &str) {
        self.update(sobject, id, json!({"IsDeleted": true}));
    }
    /// Stores `record` as is (it may lack an Id) under `sort_id`, modified now.
    pub fn insert_raw(&self, sobject: &str, sort_id: &str, record: Value) {
        let mut st = self.state.lock().unwrap();
        st.clock += 1000;
        let ms = st.clock;
        st.objects
            .entry(sobject.into())
            .or_default()
            .put(sort_id.to_owned(), ms, record);
    }
}

impl Drop for FakeSalesforce {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
