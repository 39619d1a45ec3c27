//! The events cursor, opaque JSON to the engine. At rest between runs it is
//! `{"sync_token": …}` (or null: never synced). During a run it also carries the page token, so
//! a crash resumes after the last committed page.
//!
//! - No sync token: a **full sync** of the window `[time_min, time_max)` fixed at the first page
//!   (resuming keeps the same window, or Google's page token would not match the query).
//! - With a sync token: an **incremental** run — `syncToken` (+ `pageToken`), no other filter.
//! - `resync`: the full sync follows a 410. It lists with `showDeleted=true`, so events cancelled
//!   while the token was stale come back as `cancelled` and are soft-deleted instead of being
//!   kept live.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_min: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_max: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resync: bool,
}

impl Cursor {
    /// Decodes the engine's cursor; null (or one this version cannot read) starts a full sync.
    pub fn load(value: &Value) -> Self {
        match value {
            Value::Null => Self::default(),
            other => serde_json::from_value(other.clone()).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "unreadable Google Calendar cursor: full sync");
                Self::default()
            }),
        }
    }

    /// A full sync from its first page (after a 410: with deletions shown).
    pub fn full(resync: bool) -> Self {
        Self {
            resync,
            ..Self::default()
        }
    }

    /// Fixes the full sync's window at its first page.
    pub fn window(&mut self, now: DateTime<Utc>, past: chrono::Duration, future: chrono::Duration) {
        if self.time_min.is_none() || self.time_max.is_none() {
            self.time_min = Some(now - past);
            self.time_max = Some(now + future);
        }
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_keeps_its_window() {
        assert_eq!(Cursor::load(&Value::Null), Cursor::default());
        assert_eq!(Cursor::load(&json!("garbage")), Cursor::default());
        let now = Utc::now();
        let mut c = Cursor::full(true);
        c.window(now, chrono::Duration::days(90), chrono::Duration::days(30));
        c.page_token = Some("p2".into());
        let mut back = Cursor::load(&c.to_value());
        back.window(
            now + chrono::Duration::hours(1),
            chrono::Duration::days(1),
            chrono::Duration::days(1),
        );
        assert_eq!(back, c);
        assert_eq!(
            Cursor::load(&json!({"sync_token": "s1"}))
                .sync_token
                .as_deref(),
            Some("s1")
        );
    }
}
