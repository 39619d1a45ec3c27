//! The per-object sync cursor, opaque JSON to the engine. At rest between runs it is
//! `{"since": <RFC 3339>}` (or null: never synced); during a run it also carries the phase and
//! paging state, so a crash resumes after the last committed page.
//!
//! - No `since`: a **backfill** — list `archived=false` (phase `live`), then `archived=true`
//!   (phase `archived`); `started` (our clock at the first page) minus the overlap becomes the
//!   next `since`.
//! - With `since`: an **incremental** run — search modified ≥ since, sorted by modified (phase
//!   `search`), then the `archived` pass. Search sorts on one property only, so the order of
//!   records sharing a timestamp is HubSpot's to choose; before the 10,000-result cap the search
//!   restarts from the window's last timestamp *inclusive* (re-reading its ties is harmless,
//!   skipping one is not). Should a whole window share one timestamp, that timestamp is drained
//!   on its own, sorted by `hs_object_id` and resumed past the last id, then the search goes on
//!   strictly after it. See [`Window`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Live,
    Archived,
    Search,
}

/// A record's search key: last-modified time in epoch milliseconds, then `hs_object_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SearchKey {
    pub modified: i64,
    pub id: u64,
}

/// Which records the current search query covers (each query holds at most 10,000 results).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Window {
    /// Modified ≥ `modified`, sorted by modified.
    From { modified: i64 },
    /// Modified = `modified` and id > `id`, sorted by id: a timestamp shared by a whole window.
    Ties { modified: i64, id: u64 },
    /// Modified > `modified`, sorted by modified (after the ties of that timestamp).
    After { modified: i64 },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// None: modified ≥ `since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Results read in the current window, and the first (lowest) modified time among them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub read: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<i64>,
    /// The window's latest modified time so far and how many of its records carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<(i64, u32)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seen: Option<DateTime<Utc>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Cursor {
    /// Decodes the engine's cursor; null (or a cursor this version cannot read) starts a backfill
    /// stamped `now`.
    pub fn load(value: &Value, now: DateTime<Utc>) -> Self {
        let parsed = match value {
            Value::Null => None,
            other => match serde_json::from_value::<Cursor>(other.clone()) {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "unreadable HubSpot cursor: starting a backfill");
                    None
                }
            },
        };
        let mut cursor = parsed.unwrap_or_default();
        if cursor.since.is_none() && cursor.started.is_none() {
            cursor.started = Some(now);
        }
        cursor
    }

    pub fn is_incremental(&self) -> bool {
        self.since.is_some()
    }

    pub fn phase(&self) -> Phase {
        self.phase.unwrap_or(if self.is_incremental() {
            Phase::Search
        } else {
            Phase::Live
        })
    }

    /// Continues with the given phase from its first page.
    pub fn enter(&mut self, phase: Phase) {
        self.phase = Some(phase);
        self.after = None;
        self.window = None;
        self.read = 0;
        self.first = None;
        self.tail = None;
    }

    /// Starts a new search query over `window`.
    pub fn restart(&mut self, window: Window) {
        self.window = Some(window);
        self.after = None;
        self.read = 0;
        self.first = None;
        self.tail = None;
    }

    /// Counts a page's search keys (in result order) into the window's bookkeeping.
    pub fn count_window(&mut self, modified: impl IntoIterator<Item = i64>) {
        for m in modified {
            self.first = Some(self.first.map_or(m, |f| f.min(m)));
            self.tail = match self.tail {
                Some((t, n)) if t == m => Some((t, n + 1)),
                Some((t, n)) if t > m => Some((t, n)),
                _ => Some((m, 1)),
            };
        }
    }

    /// The cursor the next run starts from, once every phase is done.
    pub fn finished(&self, overlap: chrono::Duration) -> Value {
        let since = match (self.since, self.started) {
            (Some(since), _) => match self.max_seen {
                Some(seen) => since.max(seen - overlap),
                None => since,
            },
            (None, Some(started)) => started - overlap,
            (None, None) => return Value::Null,
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
    fn null_starts_a_backfill_that_keeps_its_start() {
        let now = Utc::now();
        let mut c = Cursor::load(&Value::Null, now);
        assert_eq!(c.phase(), Phase::Live);
        c.after = Some("101".into());
        let later = now + chrono::Duration::hours(1);
        let resumed = Cursor::load(&c.to_value(), later);
        assert_eq!(resumed.started, Some(now));
        assert_eq!(resumed.after.as_deref(), Some("101"));
        let done = resumed.finished(chrono::Duration::minutes(5));
        let since: DateTime<Utc> = serde_json::from_value(done["since"].clone()).unwrap();
        assert_eq!(since, now - chrono::Duration::minutes(5));
    }

    #[test]
    fn incremental_moves_since_forward_only() {
        let since = Utc::now() - chrono::Duration::days(1);
        let mut c = Cursor::load(&json!({ "since": since }), Utc::now());
        assert_eq!(c.phase(), Phase::Search);
        assert_eq!(
            c.finished(chrono::Duration::minutes(5))["since"],
            json!(since)
        );
        c.max_seen = Some(since + chrono::Duration::hours(2));
        let next: DateTime<Utc> =
            serde_json::from_value(c.finished(chrono::Duration::minutes(5))["since"].clone())
                .unwrap();
        assert_eq!(next, since + chrono::Duration::minutes(115));
    }
}
