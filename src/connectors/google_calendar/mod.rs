//! Google Calendar API v3 connector: a member's `primary` calendar, its events as activities of
//! type `meeting`, one page per [`Connector::fetch_page`] call.
//!
//! The first run lists the window `calendar_past` .. `calendar_future` around now with
//! `singleEvents=true` (recurring series expanded into instances), paging with `pageToken`; its
//! last page carries the `nextSyncToken` every later run lists with alone (Google refuses it with
//! any other restriction). A 410 means the token expired: the run starts a full sync over, with
//! deletions shown so the events cancelled meanwhile are soft-deleted. See [`cursor`].

mod client;
mod cursor;
pub mod mapping;

use std::sync::Arc;

use serde_json::Value;
use url::Url;

use self::client::{Client, Listed};
use self::cursor::Cursor;
use super::{
    Connector, ConnectorError, ConnectorOptions, Credentials, ObjectSpec, Page, Rows,
    SkippedRecord, Table,
};

const OBJECTS: &[ObjectSpec] = &[ObjectSpec {
    name: "events",
    table: Table::Activities,
}];

const EVENTS_PATH: &str = "/calendars/primary/events";

/// Google's default page size; it allows up to 2500.
pub const PAGE_SIZE: u32 = 250;

/// How far back and ahead of now a full sync lists.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub past: std::time::Duration,
    pub future: std::time::Duration,
}

pub struct GoogleCalendarConnector {
    client: Client,
    window: Window,
    page_size: u32,
    options: ConnectorOptions,
}

impl GoogleCalendarConnector {
    pub fn new(
        base_url: Url,
        credentials: Arc<dyn Credentials>,
        options: ConnectorOptions,
        window: Window,
    ) -> Self {
        Self {
            client: Client::new(&base_url, credentials, &options),
            window,
            page_size: PAGE_SIZE,
            options,
        }
    }

    /// Smaller pages (tests page through a handful of events).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, 2500);
        self
    }

    fn query(&self, cursor: &Cursor) -> Vec<(&'static str, String)> {
        let mut query = vec![
            ("singleEvents", "true".to_owned()),
            ("maxResults", self.page_size.to_string()),
        ];
        match &cursor.sync_token {
            Some(token) => query.push(("syncToken", token.clone())),
            None => {
                let fmt = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                        .unwrap_or_default()
                };
                query.push(("timeMin", fmt(cursor.time_min)));
                query.push(("timeMax", fmt(cursor.time_max)));
                if cursor.resync {
                    query.push(("showDeleted", "true".to_owned()));
                }
            }
        }
        if let Some(page) = &cursor.page_token {
            query.push(("pageToken", page.clone()));
        }
        query
    }

    fn events_page(&self, mut cursor: Cursor) -> Result<Page, ConnectorError> {
        let days = |d: std::time::Duration| {
            chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(30))
        };
        if cursor.sync_token.is_none() {
            cursor.window(
                chrono::Utc::now(),
                days(self.window.past),
                days(self.window.future),
            );
        }
        let body = match self.client.get(EVENTS_PATH, &self.query(&cursor))? {
            Listed::Ok(body) => body,
            Listed::Gone(reason) => {
                tracing::warn!(%reason, "Google Calendar sync token expired: full resync");
                let mut fresh = Cursor::full(true);
                fresh.window(
                    chrono::Utc::now(),
                    days(self.window.past),
                    days(self.window.future),
                );
                match self.client.get(EVENTS_PATH, &self.query(&fresh))? {
                    Listed::Ok(body) => {
                        cursor = fresh;
                        body
                    }
                    Listed::Gone(reason) => return Err(ConnectorError::Api(reason)),
                }
            }
        };
        let owner = body["summary"].as_str().filter(|s| s.contains('@'));
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        let items = match &body["items"] {
            Value::Null => &[][..],
            Value::Array(items) => &items[..],
            _ => {
                return Err(ConnectorError::Api(
                    "Google Calendar: unexpected events listing shape (items)".into(),
                ));
            }
        };
        for raw in items {
            match mapping::event(raw, owner) {
                Ok(row) => rows.push(row),
                Err(reason) => skipped.push(SkippedRecord {
                    source_id: raw["id"].as_str().map(str::to_owned),
                    reason,
                }),
            }
        }
        let (cursor, done) = match (
            body["nextPageToken"].as_str(),
            body["nextSyncToken"].as_str(),
        ) {
            (Some(page), _) => {
                cursor.page_token = Some(page.to_owned());
                (cursor.to_value(), false)
            }
            (None, Some(sync)) => (
                Cursor {
                    sync_token: Some(sync.to_owned()),
                    ..Cursor::default()
                }
                .to_value(),
                true,
            ),
            (None, None) => {
                return Err(ConnectorError::Api(
                    "Google Calendar: the last page carried no nextSyncToken".into(),
                ));
            }
        };
        Ok(Page {
            rows: Rows::Activities(rows),
            skipped,
            cursor,
            done,
        })
    }
}

impl Connector for GoogleCalendarConnector {
    fn provider(&self) -> &'static str {
        "google_calendar"
    }

    fn objects(&self) -> &'static [ObjectSpec] {
        OBJECTS
    }

    fn fetch_page(&self, object: &ObjectSpec, cursor: &Value) -> Result<Page, ConnectorError> {
        if self.options.cancel.is_cancelled() {
            return Err(ConnectorError::Cancelled);
        }
        if object.name != "events" {
            return Err(ConnectorError::Api(format!(
                "Google Calendar has no object {}",
                object.name
            )));
        }
        self.events_page(Cursor::load(cursor))
    }
}
