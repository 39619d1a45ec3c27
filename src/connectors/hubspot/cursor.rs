//! The per-object sync cursor, opaque JSON to the engine. At rest between runs it is
//! `{"since": <RFC 3339>}` (or null: never synced); during a run it also carries the phase and
//! paging state, so a crash resumes after the last committed page.
//!
//! - No `since`: a **backfill** — list `archived=false` (phase `live`), then `archived=true`
//!   (phase `archived`); `started` (our clock at the first page) minus the overlap becomes the
//!   next `since`.
//! - With `since`: an **incremental** run — search modified ≥ since (phase `search`), restarting
//!   from the last (modified, id) key before the 10,000-result cap, then the `archived` pass.

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

/// The restart point of a search past the 10,000-result cap: everything sorted after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SearchKey {
    /// Last-modified time in epoch milliseconds.
    pub modified: i64,
    /// `hs_object_id`.
    pub id: u64,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<SearchKey>,
    /// Results read in the current search window (since the last restart).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub window: u32,
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
        self.resume = None;
        self.window = 0;
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
