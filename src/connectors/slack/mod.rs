//! Slack connector: messages (and thread replies) of the public channels the bot is a member
//! of, as `message` activities linked across sources by the authors' and mentioned people's
//! emails and the company domains involved. Users are not rows of their own: a small
//! id → person directory (`users.list`) is loaded lazily, also after a restart.
//!
//! One history page per [`Connector::fetch_page`] call. The cursor keeps, per channel, the newest
//! ts committed (the next run reads `oldest` = that ts); during a run it also holds the channel
//! list, the channel being read and Slack's `next_cursor`, so a crash or a throttled run resumes
//! after the last committed page. Known limit: a reply posted later to a thread whose parent is
//! older than the channel's newest ts is not seen by an incremental run (history only returns
//! parents newer than `oldest`); deletions are not seen at all (history omits deleted messages).

mod client;
pub mod mapping;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use self::client::{CallError, Client};
use self::mapping::{Directory, Person};
use super::{
    Connector, ConnectorError, ConnectorOptions, Credentials, ObjectSpec, Page, Rows,
    SkippedRecord, Table,
};

const OBJECTS: &[ObjectSpec] = &[ObjectSpec {
    name: "messages",
    table: Table::Activities,
}];

/// Messages per history read (`conversations.history`, `conversations.replies`) for a
/// commercially distributed app that is not in Slack's Marketplace: Slack caps those at 15 (and
/// one read a minute). An OAuth connection through Nango may be such an app.
pub const DISTRIBUTED_APP_HISTORY_LIMIT: u32 = 15;
/// The same for an internal app, one a workspace built for itself (the bot token an admin enters
/// directly): Slack keeps its normal limits for those (up to 999; 200 is its recommendation), so
/// a backfill makes a thirteenth of the requests.
pub const INTERNAL_APP_HISTORY_LIMIT: u32 = 200;
const LIST_LIMIT: u32 = 200;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Channel {
    id: String,
    name: String,
}

/// A run in progress.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Run {
    channels: Vec<Channel>,
    index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    /// The newest ts read so far in the current channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_ts: Option<String>,
    /// `oldest` of the current channel, fixed for the whole channel so paging is consistent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oldest: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Cursor {
    /// Channel id → newest ts committed.
    #[serde(default)]
    newest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    run: Option<Run>,
}

pub struct SlackConnector {
    client: Client,
    backfill: Duration,
    history_limit: u32,
    directory: Mutex<Option<Arc<Directory>>>,
}

impl SlackConnector {
    /// `backfill`: how far back the first run reads (`SyncConfig.slack_backfill`);
    /// `history_limit`: messages per history read, [`DISTRIBUTED_APP_HISTORY_LIMIT`] or
    /// [`INTERNAL_APP_HISTORY_LIMIT`].
    pub fn new(
        base_url: Url,
        credentials: Arc<dyn Credentials>,
        options: ConnectorOptions,
        backfill: Duration,
        history_limit: u32,
    ) -> Self {
        Self {
            client: Client::new(&base_url, credentials, &options),
            backfill,
            history_limit,
            directory: Mutex::new(None),
        }
    }

    fn call(&self, method: &str, query: &[(&str, String)]) -> Result<Value, ConnectorError> {
        self.client.call(method, query).map_err(|e| match e {
            CallError::Fatal(e) => e,
            CallError::Channel(code) => ConnectorError::Api(format!("Slack {method}: {code}")),
        })
    }

    fn directory(&self) -> Result<Arc<Directory>, ConnectorError> {
        if let Some(d) = self.directory.lock().ok().and_then(|d| d.clone()) {
            return Ok(d);
        }
        let mut directory = Directory::new();
        let mut cursor = String::new();
        loop {
            let mut query = vec![("limit", LIST_LIMIT.to_string())];
            if !cursor.is_empty() {
                query.push(("cursor", cursor.clone()));
            }
            let body = self.call("users.list", &query)?;
            for m in body["members"].as_array().into_iter().flatten() {
                let Some(id) = m["id"].as_str() else { continue };
                let name = m["profile"]["real_name"]
                    .as_str()
                    .or(m["real_name"].as_str())
                    .filter(|n| !n.is_empty())
                    .or(m["name"].as_str())
                    .unwrap_or(id);
                let email = m["profile"]["email"]
                    .as_str()
                    .filter(|e| e.contains('@'))
                    .map(|e| e.to_ascii_lowercase());
                directory.insert(
                    id.to_owned(),
                    Person {
                        email,
                        name: name.to_owned(),
                        is_bot: m["is_bot"] == Value::Bool(true),
                    },
                );
            }
            cursor = next_cursor(&body);
            if cursor.is_empty() {
                break;
            }
        }
        let directory = Arc::new(directory);
        if let Ok(mut slot) = self.directory.lock() {
            *slot = Some(directory.clone());
        }
        Ok(directory)
    }

    fn channels(&self) -> Result<Vec<Channel>, ConnectorError> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        loop {
            let mut query = vec![
                ("types", "public_channel".to_owned()),
                ("exclude_archived", "true".to_owned()),
                ("limit", LIST_LIMIT.to_string()),
            ];
            if !cursor.is_empty() {
                query.push(("cursor", cursor.clone()));
            }
            let body = self.call("conversations.list", &query)?;
            for c in body["channels"].as_array().into_iter().flatten() {
                if c["is_member"] != Value::Bool(true) || c["is_archived"] == Value::Bool(true) {
                    continue;
                }
                if let (Some(id), Some(name)) = (c["id"].as_str(), c["name"].as_str()) {
                    out.push(Channel {
                        id: id.to_owned(),
                        name: name.to_owned(),
                    });
                }
            }
            cursor = next_cursor(&body);
            if cursor.is_empty() {
                return Ok(out);
            }
        }
    }

    fn backfill_oldest(&self) -> String {
        let now = chrono::Utc::now().timestamp();
        let secs = now.saturating_sub(i64::try_from(self.backfill.as_secs()).unwrap_or(i64::MAX));
        format!("{}.000000", secs.max(0))
    }

    /// All replies of a thread but its parent.
    fn replies(&self, channel: &str, thread_ts: &str) -> Result<Vec<Value>, CallError> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        loop {
            let mut query = vec![
                ("channel", channel.to_owned()),
                ("ts", thread_ts.to_owned()),
                ("limit", self.history_limit.to_string()),
            ];
            if !cursor.is_empty() {
                query.push(("cursor", cursor.clone()));
            }
            let body = self.client.call("conversations.replies", &query)?;
            for m in body["messages"].as_array().into_iter().flatten() {
                if m["ts"].as_str() != Some(thread_ts) {
                    out.push(m.clone());
                }
            }
            cursor = next_cursor(&body);
            if cursor.is_empty() {
                return Ok(out);
            }
        }
    }

    fn messages_page(&self, value: &Value) -> Result<Page, ConnectorError> {
        let mut cursor: Cursor = match value {
            Value::Null => Cursor::default(),
            v => serde_json::from_value(v.clone()).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "unreadable Slack cursor: starting over");
                Cursor::default()
            }),
        };
        let directory = self.directory()?;
        let mut run = match cursor.run.take() {
            Some(run) => run,
            None => Run {
                channels: self.channels()?,
                ..Run::default()
            },
        };
        if let Ok(mut p) = self.client.progress.lock() {
            p.channels_left =
                u32::try_from(run.channels.len().saturating_sub(run.index)).unwrap_or(u32::MAX);
        }
        let Some(channel) = run.channels.get(run.index).cloned() else {
            return Ok(Page {
                rows: Rows::Activities(Vec::new()),
                skipped: Vec::new(),
                cursor: serde_json::to_value(&cursor).unwrap_or(Value::Null),
                done: true,
            });
        };
        let oldest = run
            .oldest
            .clone()
            .or_else(|| cursor.newest.get(&channel.id).cloned())
            .unwrap_or_else(|| self.backfill_oldest());
        run.oldest = Some(oldest.clone());
        let mut query = vec![
            ("channel", channel.id.clone()),
            ("oldest", oldest),
            ("limit", self.history_limit.to_string()),
        ];
        if let Some(c) = &run.next_cursor {
            query.push(("cursor", c.clone()));
        }
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        let mut channel_done = false;
        match self.client.call("conversations.history", &query) {
            Ok(body) => {
                for raw in body["messages"].as_array().into_iter().flatten() {
                    if let Some(ts) = raw["ts"].as_str()
                        && mapping::parse_ts(ts).is_some()
                        && run.max_ts.as_deref().and_then(mapping::parse_ts) < mapping::parse_ts(ts)
                    {
                        run.max_ts = Some(ts.to_owned());
                    }
                    self.take(raw, &channel, &directory, &mut rows, &mut skipped);
                    let threaded = raw["reply_count"].as_u64().unwrap_or(0) > 0;
                    if let (true, Some(ts)) = (threaded, raw["ts"].as_str()) {
                        match self.replies(&channel.id, ts) {
                            Ok(replies) => {
                                for r in &replies {
                                    self.take(r, &channel, &directory, &mut rows, &mut skipped);
                                }
                            }
                            Err(CallError::Channel(code)) => skipped.push(SkippedRecord {
                                source_id: Some(format!("{}/{ts}", channel.id)),
                                reason: format!("thread replies unavailable: {code}"),
                            }),
                            Err(CallError::Fatal(e)) => return Err(e),
                        }
                    }
                }
                let next = next_cursor(&body);
                if next.is_empty() {
                    channel_done = true;
                } else {
                    run.next_cursor = Some(next);
                }
            }
            Err(CallError::Channel(code)) => {
                skipped.push(SkippedRecord {
                    source_id: Some(channel.id.clone()),
                    reason: format!("channel #{} skipped: {code}", channel.name),
                });
                channel_done = true;
            }
            Err(CallError::Fatal(e)) => return Err(e),
        }
        if channel_done {
            if let Some(ts) = run.max_ts.take() {
                cursor.newest.insert(channel.id.clone(), ts);
            }
            run.index += 1;
            run.next_cursor = None;
            run.oldest = None;
            if let Ok(mut p) = self.client.progress.lock() {
                p.channels_done += 1;
            }
        }
        let done = run.index >= run.channels.len();
        if !done {
            cursor.run = Some(run);
        }
        Ok(Page {
            rows: Rows::Activities(rows),
            skipped,
            cursor: serde_json::to_value(&cursor).unwrap_or(Value::Null),
            done,
        })
    }

    fn take(
        &self,
        raw: &Value,
        channel: &Channel,
        directory: &Directory,
        rows: &mut Vec<crate::connectors::rows::ActivityRow>,
        skipped: &mut Vec<SkippedRecord>,
    ) {
        if mapping::is_system(raw) {
            return;
        }
        match mapping::message(raw, &channel.id, &channel.name, directory) {
            Ok(row) => rows.push(row),
            Err(reason) => skipped.push(SkippedRecord {
                source_id: raw["ts"].as_str().map(|ts| format!("{}/{ts}", channel.id)),
                reason,
            }),
        }
    }
}

fn next_cursor(body: &Value) -> String {
    body["response_metadata"]["next_cursor"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

impl Connector for SlackConnector {
    fn provider(&self) -> &'static str {
        "slack"
    }

    fn objects(&self) -> &'static [ObjectSpec] {
        OBJECTS
    }

    fn fetch_page(&self, object: &ObjectSpec, cursor: &Value) -> Result<Page, ConnectorError> {
        match object.name {
            "messages" => self.messages_page(cursor),
            other => Err(ConnectorError::Api(format!("Slack has no object {other}"))),
        }
    }
}
