//! The per-object sync cursor, opaque JSON to the engine. At rest between runs it is
//! `{"since": <RFC 3339>}` (or null: never synced, a full backfill). During a run it also holds
//! Salesforce's `nextRecordsUrl` and the high-water mark (the greatest `SystemModstamp`, `Id`
//! read), so a crash resumes at the next batch, and an expired locator re-runs the query from
//! the high-water mark (`SystemModstamp >=` it: its ties are re-read, which the idempotent upsert
//! makes harmless). The next run starts at the high-water mark minus the overlap.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The lower bound this run started from; None: a full backfill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Our clock when a backfill started (the next `since` when it reads nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    /// The locator of the next batch of the query in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Mark>,
}

impl Cursor {
    /// Decodes the engine's cursor; null (or one this version cannot read) starts a backfill.
    pub fn load(value: &Value, now: DateTime<Utc>) -> Self {
        let mut cursor = match value {
            Value::Null => Cursor::default(),
            other => serde_json::from_value(other.clone()).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "unreadable Salesforce cursor: starting a backfill");
                Cursor::default()
            }),
        };
        if cursor.since.is_none() && cursor.started.is_none() {
            cursor.started = Some(now);
        }
        cursor
    }

    /// Where a fresh query starts: the high-water mark of this run, else `since`.
    pub fn lower_bound(&self) -> Option<DateTime<Utc>> {
        self.high.as_ref().map(|m| m.at).or(self.since)
    }

    pub fn see(&mut self, mark: Mark) {
        if self.high.as_ref().is_none_or(|h| mark > *h) {
            self.high = Some(mark);
        }
    }

    /// The cursor the next run starts from.
    pub fn finished(&self, overlap: chrono::Duration) -> Value {
        let since = match (&self.high, self.since, self.started) {
            (Some(high), Some(since), _) => since.max(high.at - overlap),
            (Some(high), None, _) => high.at - overlap,
            (None, Some(since), _) => since,
            (None, None, Some(started)) => started - overlap,
            (None, None, None) => return Value::Null,
        };
        json!({ "since": since })
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn high_water_minus_overlap_is_the_next_since() {
        let now = Utc::now();
        let mut c = Cursor::load(&Value::Null, now);
        assert_eq!(c.lower_bound(), None);
        let at = now - chrono::Duration::hours(1);
        c.see(Mark { at, id: "b".into() });
        c.see(Mark { at, id: "a".into() });
        assert_eq!(c.high.as_ref().unwrap().id, "b");
        c.next = Some("/services/data/v62.0/query/01g-2".into());
        let resumed = Cursor::load(&c.to_value(), now);
        assert_eq!(resumed, c);
        assert_eq!(resumed.lower_bound(), Some(at));
        let done = resumed.finished(chrono::Duration::minutes(5));
        assert_eq!(done, json!({ "since": at - chrono::Duration::minutes(5) }));
    }

    #[test]
    fn since_never_moves_back_and_empty_backfills_use_the_start() {
        let since = Utc::now() - chrono::Duration::days(1);
        let c = Cursor::load(&json!({ "since": since }), Utc::now());
        assert_eq!(
            c.finished(chrono::Duration::minutes(5)),
            json!({ "since": since })
        );
        let now = Utc::now();
        let empty = Cursor::load(&Value::Null, now);
        assert_eq!(
            empty.finished(chrono::Duration::minutes(5)),
            json!({ "since": now - chrono::Duration::minutes(5) })
        );
    }
}
