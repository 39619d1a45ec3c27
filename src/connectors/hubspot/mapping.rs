//! Pure mapping from HubSpot wire records to normalized rows. Property values are strings or
//! null and may be empty or malformed: empty → None, an unparsable number → None with the raw
//! string kept in `custom_fields`, dates as ISO-8601 or epoch-millis strings. Properties we do
//! not map are kept in `custom_fields`.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::types::{Associations, ObjectKind, Pipeline, Record, Stage, id_string};
use crate::connectors::rows::{
    AccountRow, ActivityRow, ActivityType, ContactRow, DealRow, StageRow, UserRow, decimal,
};

/// Timestamps we map to `source_*_at` and ids we already hold: never copied to custom fields.
const BOOKKEEPING: [&str; 5] = [
    "hs_object_id",
    "createdate",
    "hs_createdate",
    "hs_lastmodifieddate",
    "lastmodifieddate",
];

/// A record's properties, with the ones a mapping consumed tracked so the rest become
/// `custom_fields`.
struct Props<'a> {
    map: &'a Map<String, Value>,
    used: Vec<&'static str>,
    rejected: Map<String, Value>,
}

impl<'a> Props<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            used: Vec::new(),
            rejected: Map::new(),
        }
    }

    /// A non-empty trimmed string value.
    fn text(&mut self, key: &'static str) -> Option<String> {
        self.used.push(key);
        match self.map.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Parses a value; when it is present but unparsable the raw string goes to custom fields.
    fn parsed<T>(&mut self, key: &'static str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let raw = self.text(key)?;
        let value = parse(&raw);
        if value.is_none() {
            self.rejected.insert(key.to_owned(), Value::String(raw));
        }
        value
    }

    fn custom_fields(self) -> Map<String, Value> {
        let mut out = self.rejected;
        for (key, value) in self.map {
            let known = self.used.contains(&key.as_str()) || BOOKKEEPING.contains(&key.as_str());
            if !known && !value.is_null() && !out.contains_key(key) {
                out.insert(key.clone(), value.clone());
            }
        }
        out
    }
}

/// ISO-8601 (with or without offset, or a bare date) or epoch milliseconds.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return Utc.timestamp_millis_opt(raw.parse().ok()?).single();
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(raw) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    parse_datetime(raw).map(|dt| dt.date_naive())
}

fn parse_int(raw: &str) -> Option<i64> {
    let value: f64 = raw.trim().replace(',', "").parse().ok()?;
    (value.is_finite() && value.abs() < 9e15).then(|| value.round() as i64)
}

fn parse_probability(raw: &str) -> Option<f64> {
    let value: f64 = raw.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then_some(value)
}

fn timestamps(record: &Record) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let at = |s: &Option<String>| s.as_deref().and_then(parse_datetime);
    (at(&record.created_at), at(&record.updated_at))
}

fn properties(record: &Record) -> Result<&Map<String, Value>, String> {
    record
        .properties
        .as_ref()
        .ok_or_else(|| "record has no properties object".to_owned())
}

/// Decodes a raw record; the error names what made it unusable.
pub fn decode(raw: &Value) -> Result<Record, String> {
    let record: Record = serde_json::from_value(raw.clone()).map_err(|e| format!("{e}"))?;
    if record.id.trim().is_empty() {
        return Err("record has an empty id".to_owned());
    }
    Ok(record)
}

/// The first association of each kind that a list response embedded.
pub fn embedded_associations(record: &Record) -> Associations {
    let mut out = Associations::default();
    for (to, list) in record.associations.iter().flatten() {
        if let Some(id) = list.results.first().and_then(|r| id_string(&r.id)) {
            out.add(to, id);
        }
    }
    out
}

/// A CRM owner (`/crm/v3/owners`), from raw JSON.
pub fn owner(raw: &Value) -> Result<UserRow, String> {
    let id = id_string(&raw["id"]).ok_or("owner has no id")?;
    let text = |key: &str| {
        raw[key]
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let name = [text("firstName"), text("lastName")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut custom = Map::new();
    for key in ["userId", "teams", "type"] {
        if let Some(v) = raw.get(key).filter(|v| !v.is_null()) {
            custom.insert(key.to_owned(), v.clone());
        }
    }
    Ok(UserRow {
        source_id: id,
        email: text("email").map(|e| e.to_lowercase()),
        name: (!name.is_empty()).then_some(name),
        deleted: raw["archived"].as_bool().unwrap_or(false),
        custom_fields: custom,
    })
}

/// The stages of one deal pipeline; a malformed stage is reported in the error list.
pub fn stages(pipeline: &Pipeline) -> (Vec<StageRow>, Vec<(Option<String>, String)>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for raw in &pipeline.stages {
        let stage: Stage = match serde_json::from_value(raw.clone()) {
            Ok(s) => s,
            Err(e) => {
                errors.push((id_string(&raw["id"]), format!("stage: {e}")));
                continue;
            }
        };
        let meta = |key: &str| stage.metadata.get(key).and_then(id_or_text);
        let probability = meta("probability").and_then(|p| parse_probability(&p));
        let is_closed = meta("isClosed").is_some_and(|c| c.eq_ignore_ascii_case("true"));
        let is_won = is_closed && (probability == Some(1.0) || stage.id == "closedwon");
        let mut custom = Map::new();
        for (key, value) in &stage.metadata {
            if key != "probability" && key != "isClosed" {
                custom.insert(key.clone(), value.clone());
            }
        }
        rows.push(StageRow {
            label: stage.label.clone().unwrap_or_else(|| stage.id.clone()),
            source_id: stage.id,
            pipeline_id: Some(pipeline.id.clone()),
            pipeline_label: pipeline.label.clone(),
            display_order: stage.display_order.unwrap_or(0).clamp(0, i32::MAX as i64) as i32,
            probability,
            is_closed,
            is_won,
            deleted: stage.archived || pipeline.archived,
            custom_fields: custom,
        });
    }
    (rows, errors)
}

fn id_or_text(value: &Value) -> Option<String> {
    match value {
        Value::Bool(b) => Some(b.to_string()),
        other => id_string(other),
    }
}

pub fn company(record: &Record) -> Result<AccountRow, String> {
    let mut p = Props::new(properties(record)?);
    let (created, updated) = timestamps(record);
    let domain = p.text("domain");
    let name = p.text("name");
    Ok(AccountRow {
        source_id: record.id.clone(),
        name: name
            .or_else(|| domain.clone())
            .unwrap_or_else(|| format!("Company {}", record.id)),
        domain,
        industry: p.text("industry"),
        employee_count: p
            .parsed("numberofemployees", parse_int)
            .and_then(|n| i32::try_from(n).ok()),
        annual_revenue: p.parsed("annualrevenue", decimal),
        owner_source_id: p.text("hubspot_owner_id"),
        source_created_at: created,
        source_updated_at: updated,
        deleted: record.archived,
        custom_fields: p.custom_fields(),
    })
}

pub fn contact(record: &Record, assoc: &Associations) -> Result<ContactRow, String> {
    let mut p = Props::new(properties(record)?);
    let (created, updated) = timestamps(record);
    let first_name = p.text("firstname");
    let last_name = p.text("lastname");
    let name = [first_name.clone(), last_name.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(ContactRow {
        source_id: record.id.clone(),
        first_name,
        last_name,
        name: (!name.is_empty()).then_some(name),
        email: p.text("email").map(|e| e.to_lowercase()),
        title: p.text("jobtitle"),
        phone: p.text("phone"),
        account_source_id: assoc.company.clone(),
        owner_source_id: p.text("hubspot_owner_id"),
        source_created_at: created,
        source_updated_at: updated,
        deleted: record.archived,
        custom_fields: p.custom_fields(),
    })
}

pub fn deal(record: &Record, assoc: &Associations) -> Result<DealRow, String> {
    let mut p = Props::new(properties(record)?);
    let (created, updated) = timestamps(record);
    Ok(DealRow {
        source_id: record.id.clone(),
        name: p
            .text("dealname")
            .unwrap_or_else(|| format!("Deal {}", record.id)),
        amount: p.parsed("amount", decimal),
        currency: p.text("deal_currency_code").map(|c| c.to_uppercase()),
        stage_source_id: p.text("dealstage"),
        pipeline: p.text("pipeline"),
        probability: p.parsed("hs_deal_stage_probability", parse_probability),
        close_date: p.parsed("closedate", parse_date),
        owner_source_id: p.text("hubspot_owner_id"),
        account_source_id: assoc.company.clone(),
        source_created_at: created,
        source_updated_at: updated,
        deleted: record.archived,
        custom_fields: p.custom_fields(),
    })
}

/// An engagement (call, email, meeting, note, task).
pub fn activity(
    kind: ObjectKind,
    record: &Record,
    assoc: &Associations,
) -> Result<ActivityRow, String> {
    let mut p = Props::new(properties(record)?);
    let (created, updated) = timestamps(record);
    let activity_date = p.parsed("hs_timestamp", parse_datetime);
    let mut participants = Vec::new();
    let (kind, subject, description, duration) = match kind {
        ObjectKind::Calls => {
            let ms = p.parsed("hs_call_duration", parse_int);
            let seconds = ms.and_then(|ms| i32::try_from(ms / 1000).ok());
            (
                ActivityType::Call,
                p.text("hs_call_title"),
                p.text("hs_call_body"),
                seconds,
            )
        }
        ObjectKind::Emails => {
            for key in ["hs_email_from_email", "hs_email_to_email"] {
                for email in p.text(key).iter().flat_map(|s| s.split(';')) {
                    let email = email.trim();
                    if !email.is_empty() {
                        participants.push(json!({ "email": email.to_lowercase() }));
                    }
                }
            }
            (
                ActivityType::Email,
                p.text("hs_email_subject"),
                p.text("hs_email_text"),
                None,
            )
        }
        ObjectKind::Meetings => {
            let start = p.parsed("hs_meeting_start_time", parse_datetime);
            let end = p.parsed("hs_meeting_end_time", parse_datetime);
            let seconds = match (start, end) {
                (Some(s), Some(e)) if e >= s => i32::try_from((e - s).num_seconds()).ok(),
                _ => None,
            };
            (
                ActivityType::Meeting,
                p.text("hs_meeting_title"),
                p.text("hs_meeting_body"),
                seconds,
            )
        }
        ObjectKind::Notes => (ActivityType::Note, None, p.text("hs_note_body"), None),
        ObjectKind::Tasks => (
            ActivityType::Task,
            p.text("hs_task_subject"),
            p.text("hs_task_body"),
            None,
        ),
        other => return Err(format!("{} is not an engagement", other.api_name())),
    };
    Ok(ActivityRow {
        // Five HubSpot objects share the activities table: the object qualifies the id, so two
        // engagements can never overwrite each other whatever HubSpot's id spaces are.
        source_id: format!("{}/{}", kind_api_name(kind), record.id),
        kind,
        subject,
        description,
        activity_date: activity_date.or(created),
        duration_seconds: duration,
        participants: Value::Array(participants),
        deal_source_id: assoc.deal.clone(),
        account_source_id: assoc.company.clone(),
        contact_source_id: assoc.contact.clone(),
        owner_source_id: p.text("hubspot_owner_id"),
        link_emails: Vec::new(),
        link_domains: Vec::new(),
        owner_email: None,
        is_private: false,
        source_created_at: created,
        source_updated_at: updated,
        deleted: record.archived,
        custom_fields: p.custom_fields(),
    })
}

fn kind_api_name(kind: ActivityType) -> &'static str {
    match kind {
        ActivityType::Call => "calls",
        ActivityType::Email => "emails",
        ActivityType::Meeting => "meetings",
        ActivityType::Note => "notes",
        ActivityType::Task => "tasks",
        ActivityType::Message => "messages",
    }
}

/// The record's last-modified time (the search sort key): the property, else `updatedAt`.
pub fn modified_at(kind: ObjectKind, record: &Record) -> Option<DateTime<Utc>> {
    record
        .properties
        .as_ref()
        .and_then(|p| p.get(kind.modified_property()))
        .and_then(Value::as_str)
        .and_then(parse_datetime)
        .or_else(|| record.updated_at.as_deref().and_then(parse_datetime))
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
