//! HubSpot CRM v3 connector: owners, deal pipelines, companies, contacts, deals and the five
//! engagement types, one page per [`Connector::fetch_page`] call.
//!
//! Owners and pipelines are small and re-listed fully every run. CRM objects are backfilled
//! through the list endpoints (live, then archived records) and afterwards synced
//! incrementally through the search endpoint (modified since the last run minus an overlap; the
//! 10,000-result cap handled by restarting from the last timestamp seen, and a timestamp shared
//! by a whole window drained on its own sorted by `hs_object_id`) followed by an archived pass
//! for deletes; see [`cursor`]. Search results carry no associations, so they come from the v4
//! batch read, per page.
//!
//! Each record is decoded and mapped on its own: one that cannot be used becomes a
//! [`SkippedRecord`] and the rest of the page still syncs.

mod client;
mod cursor;
pub mod mapping;
mod records;
pub mod types;

use std::sync::Arc;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use url::Url;

use self::client::Client;
use self::records::{LIST_LIMIT, skip};
use self::types::{Listing, ObjectKind, Pipeline};
use super::{Connector, ConnectorError, Credentials, ObjectSpec, Page, Rows, SkippedRecord, Table};

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

/// HubSpot takes the options every connector does.
pub type HubSpotOptions = super::ConnectorOptions;

pub struct HubSpotConnector {
    client: Client,
    overlap: chrono::Duration,
    cancel: CancellationToken,
}

impl HubSpotConnector {
    pub fn new(base_url: Url, credentials: Arc<dyn Credentials>, options: HubSpotOptions) -> Self {
        let client = Client::new(&base_url, credentials, &options);
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

    pub(super) fn listing(&self, body: Value) -> Result<Listing, ConnectorError> {
        serde_json::from_value(body)
            .map_err(|e| ConnectorError::Api(format!("HubSpot: unexpected listing shape: {e}")))
    }

    pub(super) fn check_cancel(&self) -> Result<(), ConnectorError> {
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
