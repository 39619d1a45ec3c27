//! CRM object records (companies, contacts, deals, engagements): the backfill listing, the
//! incremental search with its restart past the 10,000-result cap, the v4 association batch
//! read, and the per-record mapping of a page (see [`super::cursor`] for the phases).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::HubSpotConnector;
use super::cursor::{Cursor, Phase, SearchKey, Window};
use super::mapping;
use super::types::{AssociationBatch, Associations, Listing, ObjectKind, id_string};
use crate::connectors::{ConnectorError, Page, Rows, SkippedRecord, Table};

/// Page size of list endpoints (HubSpot's maximum).
pub(super) const LIST_LIMIT: u32 = 100;
/// Page size of search (HubSpot's maximum).
const SEARCH_LIMIT: u32 = 200;
/// HubSpot returns at most this many results for one search query.
const SEARCH_CAP: u32 = 10_000;

impl HubSpotConnector {
    pub(super) fn records_page(
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
                cursor.read += listing.results.len() as u32;
                cursor.count_window(keys.iter().map(|(_, k)| k.modified));
                match next {
                    Some(after) if cursor.read + SEARCH_LIMIT <= SEARCH_CAP => {
                        cursor.after = Some(after)
                    }
                    Some(_) => {
                        let window = next_window(&cursor, &keys).ok_or_else(|| {
                            ConnectorError::Api(format!(
                                "HubSpot {} search: no usable record to restart from at the 10,000-result cap",
                                kind.api_name()
                            ))
                        })?;
                        cursor.restart(window);
                    }
                    None => match cursor.window {
                        Some(Window::Ties { modified, .. }) => {
                            cursor.restart(Window::After { modified })
                        }
                        _ => cursor.enter(Phase::Archived),
                    },
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
        let since = cursor.since.map_or(0, |s| s.timestamp_millis());
        let (filters, sort) = match cursor.window.unwrap_or(Window::From { modified: since }) {
            Window::From { modified: m } => (vec![filter("GTE", m.to_string())], modified),
            Window::After { modified: m } => (vec![filter("GT", m.to_string())], modified),
            Window::Ties { modified: m, id } => (
                vec![
                    filter("EQ", m.to_string()),
                    json!({ "propertyName": "hs_object_id", "operator": "GT", "value": id.to_string() }),
                ],
                "hs_object_id",
            ),
        };
        let mut body = json!({
            "filterGroups": [{ "filters": filters }],
            "sorts": [{ "propertyName": sort, "direction": "ASCENDING" }],
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
}

/// The query that continues a search whose next page would cross the 10,000-result cap.
fn next_window(cursor: &Cursor, keys: &Keys) -> Option<Window> {
    let last = keys.iter().map(|(_, k)| *k).max()?;
    Some(match cursor.window {
        // Sorted by id within one timestamp: resume past the last id.
        Some(Window::Ties { modified, .. }) => Window::Ties {
            modified,
            id: last.id,
        },
        // The whole window (or half of it) shares one timestamp: a bulk update that may not fit
        // a window. Drain that timestamp by id, then go past it.
        _ if cursor.first == Some(last.modified)
            || cursor
                .tail
                .is_some_and(|(t, n)| t == last.modified && n >= SEARCH_CAP / 2) =>
        {
            Window::Ties {
                modified: last.modified,
                id: 0,
            }
        }
        // Again from the last timestamp, inclusive: its ties may come in any order.
        _ => Window::From {
            modified: last.modified,
        },
    })
}

pub(super) fn skip(raw: &Value, reason: impl Into<String>) -> SkippedRecord {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[(i64, u64)]) -> Keys {
        list.iter()
            .map(|&(modified, id)| {
                let at = DateTime::from_timestamp_millis(modified).unwrap();
                (at, SearchKey { modified, id })
            })
            .collect()
    }

    fn window(first: i64, tail: (i64, u32), current: Option<Window>) -> Cursor {
        Cursor {
            first: Some(first),
            tail: Some(tail),
            window: current,
            read: SEARCH_CAP,
            ..Cursor::default()
        }
    }

    #[test]
    fn the_cap_restarts_from_the_last_timestamp_inclusive() {
        let page = keys(&[(100, 9), (100, 3), (101, 7)]);
        let next = next_window(&window(5, (101, 1), None), &page);
        assert_eq!(next, Some(Window::From { modified: 101 }));
    }

    #[test]
    fn a_timestamp_filling_a_window_is_drained_by_id() {
        let page = keys(&[(100, 9), (100, 3)]);
        let all_tied = next_window(&window(100, (100, 10_000), None), &page);
        assert_eq!(
            all_tied,
            Some(Window::Ties {
                modified: 100,
                id: 0
            })
        );
        let mostly = next_window(&window(5, (100, 6_000), None), &page);
        assert_eq!(
            mostly,
            Some(Window::Ties {
                modified: 100,
                id: 0
            })
        );
        let ties = Some(Window::Ties {
            modified: 100,
            id: 0,
        });
        let resumed = next_window(&window(100, (100, 10_000), ties), &page);
        assert_eq!(
            resumed,
            Some(Window::Ties {
                modified: 100,
                id: 9
            })
        );
        assert_eq!(next_window(&window(1, (1, 1), None), &keys(&[])), None);
    }
}
