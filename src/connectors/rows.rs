//! Normalized rows: what connectors produce and the sync engine upserts. References to other
//! rows are provider ids (`*_source_id`); the engine resolves them to uuids inside the upsert.
//! Values are already validated here (decimals are plain decimal strings, dates parsed), so the
//! upsert statement never fails on a cast.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// A page's rows, one variant per normalized table.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Users(Vec<UserRow>),
    PipelineStages(Vec<StageRow>),
    Accounts(Vec<AccountRow>),
    Contacts(Vec<ContactRow>),
    Deals(Vec<DealRow>),
    Activities(Vec<ActivityRow>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Self::Users(r) => r.len(),
            Self::PipelineStages(r) => r.len(),
            Self::Accounts(r) => r.len(),
            Self::Contacts(r) => r.len(),
            Self::Deals(r) => r.len(),
            Self::Activities(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `more` after these rows; hands it back when it holds another table's rows.
    pub fn append(&mut self, more: Rows) -> Result<(), Rows> {
        match (self, more) {
            (Self::Users(a), Self::Users(b)) => a.extend(b),
            (Self::PipelineStages(a), Self::PipelineStages(b)) => a.extend(b),
            (Self::Accounts(a), Self::Accounts(b)) => a.extend(b),
            (Self::Contacts(a), Self::Contacts(b)) => a.extend(b),
            (Self::Deals(a), Self::Deals(b)) => a.extend(b),
            (Self::Activities(a), Self::Activities(b)) => a.extend(b),
            (_, more) => return Err(more),
        }
        Ok(())
    }

    /// The provider's ids of these rows, which the upsert keys on.
    pub fn source_ids(&self) -> Vec<&str> {
        fn ids<T>(rows: &[T], id: impl Fn(&T) -> &str) -> Vec<&str> {
            rows.iter().map(id).collect()
        }
        match self {
            Self::Users(r) => ids(r, |x| &x.source_id),
            Self::PipelineStages(r) => ids(r, |x| &x.source_id),
            Self::Accounts(r) => ids(r, |x| &x.source_id),
            Self::Contacts(r) => ids(r, |x| &x.source_id),
            Self::Deals(r) => ids(r, |x| &x.source_id),
            Self::Activities(r) => ids(r, |x| &x.source_id),
        }
    }
}

/// A CRM owner: becomes a `crm_only` user (or is linked to the real user with that email).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRow {
    pub source_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub deleted: bool,
    pub custom_fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub source_id: String,
    pub pipeline_id: Option<String>,
    pub pipeline_label: Option<String>,
    pub label: String,
    pub display_order: i32,
    /// 0..=1
    pub probability: Option<f64>,
    pub is_closed: bool,
    pub is_won: bool,
    pub deleted: bool,
    pub custom_fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRow {
    pub source_id: String,
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    /// A plain decimal string (see [`decimal`]).
    pub annual_revenue: Option<String>,
    pub owner_source_id: Option<String>,
    pub source_created_at: Option<DateTime<Utc>>,
    pub source_updated_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub custom_fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactRow {
    pub source_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub account_source_id: Option<String>,
    pub owner_source_id: Option<String>,
    pub source_created_at: Option<DateTime<Utc>>,
    pub source_updated_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub custom_fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealRow {
    pub source_id: String,
    pub name: String,
    /// A plain decimal string (see [`decimal`]).
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// The provider's stage id; the upsert stores the stage's label and closed/won flags from
    /// `pipeline_stages`.
    pub stage_source_id: Option<String>,
    pub pipeline: Option<String>,
    /// 0..=1; when None the stage's probability is used.
    pub probability: Option<f64>,
    pub close_date: Option<NaiveDate>,
    pub owner_source_id: Option<String>,
    pub account_source_id: Option<String>,
    pub source_created_at: Option<DateTime<Utc>>,
    pub source_updated_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub custom_fields: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityType {
    Email,
    Meeting,
    Call,
    Note,
    Message,
    Task,
}

impl ActivityType {
    /// The value of `activities.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Meeting => "meeting",
            Self::Call => "call",
            Self::Note => "note",
            Self::Message => "message",
            Self::Task => "task",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRow {
    pub source_id: String,
    #[serde(rename = "type")]
    pub kind: ActivityType,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub activity_date: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
    /// JSON array of participants (`[{"email": ..., "name": ...}]`).
    pub participants: Value,
    pub deal_source_id: Option<String>,
    pub account_source_id: Option<String>,
    pub contact_source_id: Option<String>,
    pub owner_source_id: Option<String>,
    /// Links across sources, for activities whose provider does not hold CRM records (Slack,
    /// calendars): emails of the people involved, most relevant first. When no
    /// `contact_source_id` resolves, the first that is a contact of any source in the
    /// organization links that contact (and its account).
    pub link_emails: Vec<String>,
    /// Company domains involved (mentioned, or of the emails above), most relevant first: when
    /// no account is linked otherwise, the first that is an account's domain links it.
    pub link_domains: Vec<String>,
    /// The author's email: links the owner when `owner_source_id` does not resolve.
    pub owner_email: Option<String>,
    /// Marked private at the source: on a personal connection, visible only to its owner.
    pub is_private: bool,
    pub source_created_at: Option<DateTime<Utc>>,
    pub source_updated_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub custom_fields: Map<String, Value>,
}

/// A decimal that fits `numeric(20, 2)`, as a plain string, or None when `raw` is not one
/// ("", "n/a", "1e400", "NaN" and the like).
pub fn decimal(raw: &str) -> Option<String> {
    let s = raw.trim().replace(',', "");
    let value: f64 = s.parse().ok()?;
    if !value.is_finite() || value.abs() >= 1e18 {
        return None;
    }
    let (int, frac) = s
        .trim_start_matches(['+', '-'])
        .split_once('.')
        .unwrap_or((s.trim_start_matches(['+', '-']), ""));
    let plain = !int.is_empty() || !frac.is_empty();
    let digits = int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit());
    if plain && digits {
        Some(s)
    } else {
        // Exponent notation and the like: go through f64, rounded to cents.
        Some(format!("{:.2}", value))
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals_are_validated() {
        assert_eq!(decimal("50000").as_deref(), Some("50000"));
        assert_eq!(decimal(" 1,250.50 ").as_deref(), Some("1250.50"));
        assert_eq!(decimal("-3.5").as_deref(), Some("-3.5"));
        assert_eq!(decimal("1e3").as_deref(), Some("1000.00"));
        for bad in ["", "n/a", "NaN", "inf", "1e400", "12abc", "."] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
    }
}
