//! HubSpot CRM v3 connector: owners, deal pipelines, companies, contacts, deals and the five
//! engagement types, one page per [`Connector::fetch_page`] call.
//!
//! Owners and pipelines are small and re-listed fully every run. CRM objects are backfilled
//! through the list endpoints (live, then archived records) and afterwards synced
//! incrementally through the search endpoint (modified since the last run minus an overlap,
//! ties broken by `hs_object_id`, the 10,000-result cap handled by restarting the search from
//! the last key seen) followed by an archived pass for deletes; see [`cursor`]. Search results
//! carry no associations, so they come from the v4 batch read, per page.
//!
//! Each record is decoded and mapped on its own: one that cannot be used becomes a
//! [`SkippedRecord`] and the rest of the page still syncs.

mod client;
mod cursor;
pub mod mapping;
pub mod types;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use url::Url;

use self::client::Client;
use self::cursor::{Cursor, Phase, SearchKey};
use self::types::{AssociationBatch, Associations, Listing, ObjectKind, Pipeline, id_string};
use super::{Connector, ConnectorError, Credentials, ObjectSpec, Page, Rows, SkippedRecord, Table};
use crate::config::SyncConfig;

/// Page size of list endpoints (HubSpot's maximum).
const LIST_LIMIT: u32 = 100;
/// Page size of search (HubSpot's maximum).
const SEARCH_LIMIT: u32 = 200;
/// HubSpot returns at most this many results for one search query.
const SEARCH_CAP: u32 = 10_000;

const OBJECTS: &[ObjectSpec] = &[
    ObjectSpec {
        name: "owners",
        table: Table::Users,
    },
    ObjectSpec {
        name: "pipelines",
        table: Table::PipelineStages,
    },
    ObjectSpec {
        name: "companies",
        table: Table::Accounts,
    },
    ObjectSpec {
        name: "contacts",
        table: Table::Contacts,
    },
    ObjectSpec {
        name: "deals",
        table: Table::Deals,
    },
    ObjectSpec {
        name: "calls",
        table: Table::Activities,
    },
    ObjectSpec {
        name: "emails",
        table: Table::Activities,
    },
    ObjectSpec {
        name: "meetings",
        table: Table::Activities,
    },
    ObjectSpec {
        name: "notes",
        table: Table::Activities,
    },
    ObjectSpec {
        name: "tasks",
        table: Table::Activities,
    },
];

#[derive(Debug, Clone)]
pub struct HubSpotOptions {
    /// First retry delay (doubles per attempt, with jitter).
    pub retry_base: Duration,
    /// Attempts per request before the run fails.
    pub max_attempts: u32,
    /// How far before the last change seen the next incremental run starts.
    pub overlap: Duration,
    /// Checked between requests and while waiting to retry.
    pub cancel: CancellationToken,
}

impl HubSpotOptions {
    pub fn from_config(sync: &SyncConfig, cancel: CancellationToken) -> Self {
        Self {
            retry_base: sync.retry_base,
            max_attempts: sync.max_attempts,
            overlap: Duration::from_secs(300),
            cancel,
        }
    }
}

impl Default for HubSpotOptions {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_millis(500),
            max_attempts: 6,
            overlap: Duration::from_secs(300),
            cancel: CancellationToken::new(),
        }
    }
}

pub struct HubSpotConnector {
    client: Client,
    overlap: chrono::Duration,
    cancel: CancellationToken,
}

impl HubSpotConnector {
    pub fn new(base_url: Url, credentials: Arc<dyn Credentials>, options: HubSpotOptions) -> Self {
        let client = Client::new(
            &base_url,
            credentials,
            options.retry_base,
            options.max_attempts,
            options.cancel.clone(),
        );
        Self {
            client,
            overlap: chrono::Duration::from_std(options.overlap)
                .unwrap_or(chrono::Duration::minutes(5)),
            cancel: options.cancel,
        }
    }

    fn owners_page(&self, cursor: &Value) -> Result<Page, ConnectorError> {
        let archived = cursor["phase"] == json!("archived");
        let mut query = vec![
            ("limit", LIST_LIMIT.to_string()),
            ("archived", archived.to_string()),
        ];
        if let Some(after) = cursor["after"].as_str() {
            query.push(("after", after.to_owned()));
        }
        let listing = self.listing(self.client.get("/crm/v3/owners", &query)?)?;
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        for raw in &listing.results {
            match mapping::owner(raw) {
                Ok(mut row) => {
                    row.deleted |= archived;
                    rows.push(row);
                }
                Err(reason) => skipped.push(skip(raw, reason)),
            }
        }
        let phase = if archived { "archived" } else { "live" };
        let (cursor, done) = match (listing.next_after(), archived) {
            (Some(after), _) => (json!({ "phase": phase, "after": after }), false),
            (None, false) => (json!({ "phase": "archived" }), false),
            (None, true) => (Value::Null, true),
        };
        Ok(Page {
            rows: Rows::Users(rows),
            skipped,
            cursor,
            done,
        })
    }

    fn pipelines_page(&self) -> Result<Page, ConnectorError> {
        let body = self.client.get("/crm/v3/pipelines/deals", &[])?;
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        for raw in body["results"].as_array().into_iter().flatten() {
            match serde_json::from_value::<Pipeline>(raw.clone()) {
                Ok(pipeline) => {
                    let (stages, errors) = mapping::stages(&pipeline);
                    rows.extend(stages);
                    skipped.extend(
                        errors
                            .into_iter()
                            .map(|(source_id, reason)| SkippedRecord { source_id, reason }),
                    );
                }
                Err(e) => skipped.push(skip(raw, format!("pipeline: {e}"))),
            }
        }
        Ok(Page {
            rows: Rows::PipelineStages(rows),
            skipped,
            cursor: Value::Null,
            done: true,
        })
    }

    fn records_page(
        &self,
        kind: ObjectKind,
        table: Table,
        raw: &Value,
    ) -> Result<Page, ConnectorError> {
        let mut cursor = Cursor::load(raw, Utc::now());
        let phase = cursor.phase();
        let (listing, associations) = match phase {
            Phase::Live | Phase::Archived => (self.list(kind, phase, &cursor)?, None),
            Phase::Search => {
                let listing = self.search(kind, &cursor)?;
                let assoc = self.batch_associations(kind, &listing.results)?;
                (listing, Some(assoc))
            }
        };
        let (rows, skipped, keys) =
            map_records(kind, table, &listing.results, phase, associations.as_ref());
        let next = listing.next_after();
        let mut done = false;
        match phase {
            Phase::Search => {
                if let Some(seen) = keys.iter().map(|(at, _)| *at).max() {
                    cursor.max_seen = Some(cursor.max_seen.map_or(seen, |m| m.max(seen)));
                }
                cursor.window += listing.results.len() as u32;
                match next {
                    Some(after) if cursor.window + SEARCH_LIMIT <= SEARCH_CAP => {
                        cursor.after = Some(after)
                    }
                    Some(_) => {
                        // The next page would cross the cap: search again after the last key.
                        let last = keys.iter().map(|(_, k)| *k).max().ok_or_else(|| {
                            ConnectorError::Api(format!(
                                "HubSpot {} search: no usable record to restart from at the 10,000-result cap",
                                kind.api_name()
                            ))
                        })?;
                        if cursor.resume.is_some_and(|r| r >= last) {
                            return Err(ConnectorError::Api(format!(
                                "HubSpot {} search made no progress past the 10,000-result cap",
                                kind.api_name()
                            )));
                        }
                        cursor.resume = Some(last);
                        cursor.after = None;
                        cursor.window = 0;
                    }
                    None => cursor.enter(Phase::Archived),
                }
            }
            Phase::Live | Phase::Archived => match next {
                Some(after) => {
                    cursor.phase = Some(phase);
                    cursor.after = Some(after);
                }
                None if phase == Phase::Live => cursor.enter(Phase::Archived),
                None => done = true,
            },
        }
        let cursor = if done {
            cursor.finished(self.overlap)
        } else {
            cursor.to_value()
        };
        Ok(Page {
            rows,
            skipped,
            cursor,
            done,
        })
    }

    fn list(
        &self,
        kind: ObjectKind,
        phase: Phase,
        cursor: &Cursor,
    ) -> Result<Listing, ConnectorError> {
        let mut query = vec![
            ("limit", LIST_LIMIT.to_string()),
            ("archived", (phase == Phase::Archived).to_string()),
            ("properties", kind.properties().join(",")),
        ];
        if !kind.associations().is_empty() {
            query.push(("associations", kind.associations().join(",")));
        }
        if let Some(after) = &cursor.after {
            query.push(("after", after.clone()));
        }
        let path = format!("/crm/v3/objects/{}", kind.api_name());
        self.listing(self.client.get(&path, &query)?)
    }

    fn search(&self, kind: ObjectKind, cursor: &Cursor) -> Result<Listing, ConnectorError> {
        let modified = kind.modified_property();
        let filter = |op: &str, value: String| json!({ "propertyName": modified, "operator": op, "value": value });
        let groups = match (cursor.resume, cursor.since) {
            (Some(key), _) => json!([
                { "filters": [filter("GT", key.modified.to_string())] },
                { "filters": [
                    filter("EQ", key.modified.to_string()),
                    { "propertyName": "hs_object_id", "operator": "GT", "value": key.id.to_string() },
                ] },
            ]),
            (None, since) => {
                let since = since.map_or(0, |s| s.timestamp_millis());
                json!([{ "filters": [filter("GTE", since.to_string())] }])
            }
        };
        let mut body = json!({
            "filterGroups": groups,
            "sorts": [{ "propertyName": modified, "direction": "ASCENDING" }],
            "properties": kind.properties(),
            "limit": SEARCH_LIMIT,
        });
        if let Some(after) = &cursor.after {
            body["after"] = json!(after);
        }
        let path = format!("/crm/v3/objects/{}/search", kind.api_name());
        self.listing(self.client.post(&path, &body)?)
    }

    /// The first association of each kind for the page's records (v4 batch read).
    fn batch_associations(
        &self,
        kind: ObjectKind,
        results: &[Value],
    ) -> Result<HashMap<String, Associations>, ConnectorError> {
        let mut out: HashMap<String, Associations> = HashMap::new();
        let inputs: Vec<Value> = results
            .iter()
            .filter_map(|r| id_string(&r["id"]))
            .map(|id| json!({ "id": id }))
            .collect();
        if inputs.is_empty() {
            return Ok(out);
        }
        for to in kind.associations() {
            self.check_cancel()?;
            let path = format!("/crm/v4/associations/{}/{to}/batch/read", kind.api_name());
            let body = self.client.post(&path, &json!({ "inputs": inputs }))?;
            let batch: AssociationBatch = serde_json::from_value(body).map_err(|e| {
                ConnectorError::Api(format!("HubSpot {path}: unexpected response: {e}"))
            })?;
            for result in batch.results {
                let (Some(from), Some(first)) = (
                    id_string(&result.from.id),
                    result.to.first().and_then(|t| id_string(&t.to_object_id)),
                ) else {
                    continue;
                };
                out.entry(from).or_default().add(to, first);
            }
        }
        Ok(out)
    }

    fn listing(&self, body: Value) -> Result<Listing, ConnectorError> {
        serde_json::from_value(body)
            .map_err(|e| ConnectorError::Api(format!("HubSpot: unexpected listing shape: {e}")))
    }

    fn check_cancel(&self) -> Result<(), ConnectorError> {
        if self.cancel.is_cancelled() {
            Err(ConnectorError::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl Connector for HubSpotConnector {
    fn provider(&self) -> &'static str {
        "hubspot"
    }

    fn objects(&self) -> &'static [ObjectSpec] {
        OBJECTS
    }

    fn fetch_page(&self, object: &ObjectSpec, cursor: &Value) -> Result<Page, ConnectorError> {
        self.check_cancel()?;
        let kind = ObjectKind::from_name(object.name)
            .ok_or_else(|| ConnectorError::Api(format!("HubSpot has no object {}", object.name)))?;
        match kind {
            ObjectKind::Owners => self.owners_page(cursor),
            ObjectKind::Pipelines => self.pipelines_page(),
            _ => self.records_page(kind, object.table, cursor),
        }
    }
}

fn skip(raw: &Value, reason: impl Into<String>) -> SkippedRecord {
    SkippedRecord {
        source_id: id_string(&raw["id"]),
        reason: reason.into(),
    }
}

type Keys = Vec<(DateTime<Utc>, SearchKey)>;

/// Maps a page's raw records one by one; also returns each record's (modified, id) search key.
fn map_records(
    kind: ObjectKind,
    table: Table,
    results: &[Value],
    phase: Phase,
    associations: Option<&HashMap<String, Associations>>,
) -> (Rows, Vec<SkippedRecord>, Keys) {
    let mut rows = match table {
        Table::Accounts => Rows::Accounts(Vec::new()),
        Table::Contacts => Rows::Contacts(Vec::new()),
        Table::Deals => Rows::Deals(Vec::new()),
        _ => Rows::Activities(Vec::new()),
    };
    let mut skipped = Vec::new();
    let mut keys = Vec::new();
    for raw in results {
        let mut record = match mapping::decode(raw) {
            Ok(r) => r,
            Err(reason) => {
                skipped.push(skip(raw, reason));
                continue;
            }
        };
        record.archived |= phase == Phase::Archived;
        if let (Some(at), Ok(id)) = (mapping::modified_at(kind, &record), record.id.parse()) {
            keys.push((
                at,
                SearchKey {
                    modified: at.timestamp_millis(),
                    id,
                },
            ));
        }
        let assoc = match associations {
            Some(map) => map.get(&record.id).cloned().unwrap_or_default(),
            None => mapping::embedded_associations(&record),
        };
        let mapped = match &mut rows {
            Rows::Accounts(v) => mapping::company(&record).map(|r| v.push(r)),
            Rows::Contacts(v) => mapping::contact(&record, &assoc).map(|r| v.push(r)),
            Rows::Deals(v) => mapping::deal(&record, &assoc).map(|r| v.push(r)),
            Rows::Activities(v) => mapping::activity(kind, &record, &assoc).map(|r| v.push(r)),
            _ => Err("unsupported table".to_owned()),
        };
        if let Err(reason) = mapped {
            skipped.push(SkippedRecord {
                source_id: Some(record.id.clone()),
                reason,
            });
        }
    }
    (rows, skipped, keys)
}
