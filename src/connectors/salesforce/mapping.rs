//! Pure mapping from Salesforce SOQL records (JSON objects with an `attributes` entry) to
//! normalized rows. Values arrive typed (numbers, booleans, strings, null); a value we cannot use
//! becomes None with the raw value kept in `custom_fields`, as are custom fields (`…__c`) and
//! the few standard fields we select without a column for them. Datetimes look like
//! `2025-05-02T10:11:12.000+0000`, dates `2025-06-30`. A record without an Id is skipped.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::connectors::rows::{
    AccountRow, ActivityRow, ActivityType, ContactRow, DealRow, StageRow, UserRow, decimal,
};

/// Id key prefixes: which object a polymorphic `WhoId`/`WhatId` points at.
pub const CONTACT_PREFIX: &str = "003";
pub const ACCOUNT_PREFIX: &str = "001";
pub const OPPORTUNITY_PREFIX: &str = "006";

/// A record's fields, collecting the values that go to `custom_fields`.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    custom: Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub fn new(raw: &'a Value) -> Result<Self, String> {
        let map = raw.as_object().ok_or("record is not a JSON object")?;
        let mut custom = Map::new();
        for (key, value) in map {
            if key.ends_with("__c") && !value.is_null() {
                custom.insert(key.clone(), value.clone());
            }
        }
        Ok(Self { map, custom })
    }

    /// The record's Id; a record without one is unusable.
    pub fn id(&self) -> Result<String, String> {
        match self.map.get("Id") {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            _ => Err("record has no Id".to_owned()),
        }
    }

    /// A non-empty trimmed string (numbers and booleans as their text).
    pub fn text(&self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn flag(&self, key: &str) -> bool {
        match self.map.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    /// Parses a value; one present but unparsable is kept in custom fields.
    pub fn parsed<T>(&mut self, key: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let raw = self.text(key)?;
        let value = parse(&raw);
        if value.is_none() {
            self.custom.insert(key.to_owned(), Value::String(raw));
        }
        value
    }

    /// Keeps a standard field we select but have no column for.
    pub fn keep(&mut self, key: &str) {
        if let Some(v) = self.map.get(key).filter(|v| !v.is_null()) {
            self.custom.insert(key.to_owned(), v.clone());
        }
    }

    pub fn created(&mut self) -> Option<DateTime<Utc>> {
        self.parsed("CreatedDate", parse_datetime)
    }

    pub fn modstamp(&mut self) -> Option<DateTime<Utc>> {
        self.parsed("SystemModstamp", parse_datetime)
    }

    pub fn custom_fields(self) -> Map<String, Value> {
        self.custom
    }
}

/// `2025-05-02T10:11:12.000+0000` (Salesforce's own form), RFC 3339, or a bare date.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(dt) = DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(raw) {
        return Some(dt.with_timezone(&Utc));
    }
    parse_date(raw)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

fn parse_int(raw: &str) -> Option<i32> {
    let value: f64 = raw.trim().parse().ok()?;
    (value.is_finite() && value.abs() < i32::MAX as f64).then(|| value.round() as i32)
}

/// Salesforce percentages (0–100) as 0..=1.
fn parse_percent(raw: &str) -> Option<f64> {
    let value: f64 = raw.trim().parse().ok()?;
    (0.0..=100.0).contains(&value).then(|| value / 100.0)
}

/// `https://www.acme.com/about` → `acme.com`.
pub fn domain(website: &str) -> Option<String> {
    let s = website.trim().to_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let host = s.split(['/', '?', '#', ':']).next()?.trim();
    let host = host.strip_prefix("www.").unwrap_or(host);
    (host.contains('.') && !host.contains(' ')).then(|| host.to_owned())
}

fn lower(email: Option<String>) -> Option<String> {
    email.map(|e| e.to_lowercase())
}

fn prefixed(id: Option<String>, prefix: &str) -> Option<String> {
    id.filter(|id| id.starts_with(prefix))
}

pub fn user(raw: &Value) -> Result<UserRow, String> {
    let mut f = Fields::new(raw)?;
    let id = f.id()?;
    let name = f.text("Name").or_else(|| {
        let parts: Vec<String> = [f.text("FirstName"), f.text("LastName")]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    f.keep("IsActive");
    Ok(UserRow {
        source_id: id,
        email: lower(f.text("Email")),
        name,
        // Deactivated users stay: their deals are still theirs.
        deleted: false,
        custom_fields: f.custom_fields(),
    })
}

/// An `OpportunityStage`. Its source id is the picklist value's API name, which is what
/// `Opportunity.StageName` holds, so deals resolve their stage by it.
pub fn stage(raw: &Value) -> Result<StageRow, String> {
    let mut f = Fields::new(raw)?;
    let id = f.id()?;
    let label = f.text("MasterLabel");
    let api_name = f
        .text("ApiName")
        .or_else(|| label.clone())
        .ok_or("stage has neither ApiName nor MasterLabel")?;
    let is_closed = f.flag("IsClosed");
    let probability = f.parsed("DefaultProbability", parse_percent);
    let display_order = f.parsed("SortOrder", parse_int).unwrap_or(0).max(0);
    f.custom.insert("Id".into(), Value::String(id));
    f.keep("IsActive");
    f.keep("ForecastCategoryName");
    Ok(StageRow {
        label: label.unwrap_or_else(|| api_name.clone()),
        source_id: api_name,
        pipeline_id: None,
        pipeline_label: None,
        display_order,
        probability,
        is_closed,
        is_won: is_closed && f.flag("IsWon"),
        deleted: false,
        custom_fields: f.custom_fields(),
    })
}

pub fn account(raw: &Value) -> Result<AccountRow, String> {
    let mut f = Fields::new(raw)?;
    let id = f.id()?;
    let website = f.text("Website");
    let domain = website.as_deref().and_then(domain);
    if domain.is_none() {
        f.keep("Website");
    }
    f.keep("Type");
    Ok(AccountRow {
        name: f
            .text("Name")
            .or_else(|| domain.clone())
            .unwrap_or_else(|| format!("Account {id}")),
        source_id: id,
        domain,
        industry: f.text("Industry"),
        employee_count: f.parsed("NumberOfEmployees", parse_int),
        annual_revenue: f.parsed("AnnualRevenue", decimal),
        owner_source_id: f.text("OwnerId"),
        source_created_at: f.created(),
        source_updated_at: f.modstamp(),
        deleted: f.flag("IsDeleted"),
        custom_fields: f.custom_fields(),
    })
}

pub fn contact(raw: &Value) -> Result<ContactRow, String> {
    let mut f = Fields::new(raw)?;
    let id = f.id()?;
    let first_name = f.text("FirstName");
    let last_name = f.text("LastName");
    let name = f.text("Name").or_else(|| {
        let parts: Vec<String> = [first_name.clone(), last_name.clone()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    Ok(ContactRow {
        source_id: id,
        first_name,
        last_name,
        name,
        email: lower(f.text("Email")),
        title: f.text("Title"),
        phone: f.text("Phone"),
        account_source_id: prefixed(f.text("AccountId"), ACCOUNT_PREFIX),
        owner_source_id: f.text("OwnerId"),
        source_created_at: f.created(),
        source_updated_at: f.modstamp(),
        deleted: f.flag("IsDeleted"),
        custom_fields: f.custom_fields(),
    })
}

pub fn deal(raw: &Value) -> Result<DealRow, String> {
    let mut f = Fields::new(raw)?;
    let id = f.id()?;
    for key in ["Type", "ForecastCategoryName", "IsClosed", "IsWon"] {
        f.keep(key);
    }
    Ok(DealRow {
        name: f
            .text("Name")
            .unwrap_or_else(|| format!("Opportunity {id}")),
        source_id: id,
        amount: f.parsed("Amount", decimal),
        currency: f.text("CurrencyIsoCode").map(|c| c.to_uppercase()),
        stage_source_id: f.text("StageName"),
        pipeline: None,
        probability: f.parsed("Probability", parse_percent),
        close_date: f.parsed("CloseDate", parse_date),
        owner_source_id: f.text("OwnerId"),
        account_source_id: prefixed(f.text("AccountId"), ACCOUNT_PREFIX),
        source_created_at: f.created(),
        source_updated_at: f.modstamp(),
        deleted: f.flag("IsDeleted"),
        custom_fields: f.custom_fields(),
    })
}

/// The links of a Task or Event: `WhoId` (a Contact; Leads are not linked), `WhatId` (an
/// Account or an Opportunity), and the derived `AccountId` when `WhatId` is not an account.
fn links(f: &Fields<'_>) -> (Option<String>, Option<String>, Option<String>) {
    let who = f.text("WhoId");
    let what = f.text("WhatId");
    let contact = prefixed(who, CONTACT_PREFIX);
    let deal = prefixed(what.clone(), OPPORTUNITY_PREFIX);
    let account =
        prefixed(what, ACCOUNT_PREFIX).or_else(|| prefixed(f.text("AccountId"), ACCOUNT_PREFIX));
    (contact, account, deal)
}

fn activity_row(
    f: Fields<'_>,
    id: String,
    kind: ActivityType,
    activity_date: Option<DateTime<Utc>>,
    duration_seconds: Option<i32>,
) -> ActivityRow {
    let mut f = f;
    let (contact, account, deal) = links(&f);
    let created = f.created();
    ActivityRow {
        source_id: id,
        kind,
        subject: f.text("Subject"),
        description: f.text("Description"),
        activity_date: activity_date.or(created),
        duration_seconds,
        participants: Value::Array(Vec::new()),
        deal_source_id: deal,
        account_source_id: account,
        contact_source_id: contact,
        owner_source_id: f.text("OwnerId"),
        link_emails: Vec::new(),
        link_domains: Vec::new(),
        owner_email: None,
        is_private: f.flag("IsPrivate"),
        source_created_at: created,
        source_updated_at: f.modstamp(),
        deleted: f.flag("IsDeleted"),
        custom_fields: f.custom_fields(),
    }
}

/// A Task: `TaskSubtype` Call → call, Email/ListEmail → email, anything else → task.
pub fn task(raw: &Value) -> Result<ActivityRow, String> {
    let mut f = Fields::new(raw)?;
    let id = f.id()?;
    let kind = match f.text("TaskSubtype").as_deref() {
        Some("Call") => ActivityType::Call,
        Some("Email") | Some("ListEmail") => ActivityType::Email,
        _ => ActivityType::Task,
    };
    let duration = f.parsed("CallDurationInSeconds", parse_int);
    let date = f.parsed("ActivityDate", parse_datetime);
    for key in ["Status", "TaskSubtype", "WhoId", "WhatId"] {
        f.keep(key);
    }
    Ok(activity_row(f, id, kind, date, duration))
}

/// An Event (a meeting): duration from `DurationInMinutes`, else end − start.
pub fn event(raw: &Value) -> Result<ActivityRow, String> {
    let mut f = Fields::new(raw)?;
    let id = f.id()?;
    let start = f.parsed("StartDateTime", parse_datetime);
    let end = f.parsed("EndDateTime", parse_datetime);
    let minutes = f.parsed("DurationInMinutes", parse_int);
    let duration = minutes
        .and_then(|m| m.checked_mul(60))
        .or(match (start, end) {
            (Some(s), Some(e)) if e >= s => i32::try_from((e - s).num_seconds()).ok(),
            _ => None,
        });
    for key in ["Location", "EndDateTime", "WhoId", "WhatId"] {
        f.keep(key);
    }
    Ok(activity_row(f, id, ActivityType::Meeting, start, duration))
}

/// A record's sort key as the query orders it: `SystemModstamp`, then `Id`.
pub fn sort_key(raw: &Value) -> Option<(DateTime<Utc>, String)> {
    let at = raw["SystemModstamp"].as_str().and_then(parse_datetime)?;
    let id = raw["Id"].as_str().filter(|s| !s.is_empty())?;
    Some((at, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn salesforce_datetimes_and_dates_parse() {
        let dt = parse_datetime("2025-05-02T10:11:12.000+0000").unwrap();
        assert_eq!(dt.to_rfc3339(), "2025-05-02T10:11:12+00:00");
        let shifted = parse_datetime("2025-05-02T12:11:12.500+0200").unwrap();
        assert_eq!(shifted.timestamp_millis(), dt.timestamp_millis() + 500);
        assert_eq!(parse_datetime("2025-05-02T10:11:12Z"), Some(dt));
        assert_eq!(
            parse_date("2025-06-30"),
            NaiveDate::from_ymd_opt(2025, 6, 30)
        );
        assert_eq!(parse_datetime("soon"), None);
    }

    #[test]
    fn opportunity_maps_amount_probability_stage_and_custom_fields() {
        let raw = json!({
            "attributes": {"type": "Opportunity"},
            "Id": "006000000000001AAA", "Name": "Acme renewal", "StageName": "Negotiation",
            "Amount": 50000.5, "Probability": 75, "CloseDate": "2025-06-30",
            "OwnerId": "005000000000001AAA", "AccountId": "001000000000001AAA",
            "CurrencyIsoCode": "eur", "IsDeleted": false, "Region__c": "EMEA", "Empty__c": null,
            "SystemModstamp": "2025-05-02T10:11:12.000+0000"
        });
        let d = deal(&raw).unwrap();
        assert_eq!(d.amount.as_deref(), Some("50000.5"));
        assert_eq!(d.probability, Some(0.75));
        assert_eq!(d.stage_source_id.as_deref(), Some("Negotiation"));
        assert_eq!(d.currency.as_deref(), Some("EUR"));
        assert_eq!(d.close_date, NaiveDate::from_ymd_opt(2025, 6, 30));
        assert_eq!(d.custom_fields["Region__c"], "EMEA");
        assert!(!d.custom_fields.contains_key("Empty__c"));
        assert!(!d.deleted);
    }

    #[test]
    fn bad_values_are_kept_and_missing_ids_skip() {
        let raw = json!({"Id": "006X", "Amount": "n/a", "CloseDate": "someday", "IsDeleted": true});
        let d = deal(&raw).unwrap();
        assert_eq!(d.name, "Opportunity 006X");
        assert_eq!(d.amount, None);
        assert_eq!(d.custom_fields["Amount"], "n/a");
        assert_eq!(d.custom_fields["CloseDate"], "someday");
        assert!(d.deleted);
        assert!(deal(&json!({"Name": "x"})).is_err());
        assert!(contact(&json!([1])).is_err());
    }

    #[test]
    fn activity_links_follow_id_prefixes() {
        let t = task(&json!({
            "Id": "00T1", "Subject": "Call Ana", "TaskSubtype": "Call",
            "CallDurationInSeconds": 90, "ActivityDate": "2025-05-03",
            "WhoId": "003000000000001AAA", "WhatId": "006000000000009AAA",
            "AccountId": "001000000000004AAA"
        }))
        .unwrap();
        assert_eq!(t.kind, ActivityType::Call);
        assert_eq!(t.duration_seconds, Some(90));
        assert_eq!(t.contact_source_id.as_deref(), Some("003000000000001AAA"));
        assert_eq!(t.deal_source_id.as_deref(), Some("006000000000009AAA"));
        assert_eq!(t.account_source_id.as_deref(), Some("001000000000004AAA"));
        let e = event(&json!({
            "Id": "00U1", "WhoId": "00Q000000000001AAA", "WhatId": "001000000000002AAA",
            "StartDateTime": "2025-05-03T10:00:00.000+0000", "DurationInMinutes": 30,
            "IsPrivate": true
        }))
        .unwrap();
        assert_eq!(e.kind, ActivityType::Meeting);
        assert_eq!(e.contact_source_id, None, "leads are not linked");
        assert_eq!(e.account_source_id.as_deref(), Some("001000000000002AAA"));
        assert_eq!(e.duration_seconds, Some(1800));
        assert!(e.is_private);
    }

    #[test]
    fn websites_become_domains() {
        assert_eq!(
            domain("https://www.Acme.com/about").as_deref(),
            Some("acme.com")
        );
        assert_eq!(domain("acme.io").as_deref(), Some("acme.io"));
        assert_eq!(domain("n/a"), None);
    }
}
