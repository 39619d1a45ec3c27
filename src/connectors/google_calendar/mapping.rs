//! Pure mapping of a Google Calendar event into an activity of type `meeting`. Each event is
//! mapped on its own; one that cannot be used is an `Err(reason)` the connector skips.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use crate::connectors::rows::{ActivityRow, ActivityType};

/// Domains that are Google's own resource/group calendars, never a customer's company.
const NOT_COMPANIES: [&str; 2] = ["resource.calendar.google.com", "group.calendar.google.com"];

/// When an event starts and ends, or that it is all-day (`date`, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    all_day: bool,
}

fn when(raw: &Value) -> Result<Option<(DateTime<Utc>, bool)>, String> {
    if let Some(s) = raw["dateTime"].as_str() {
        let t =
            DateTime::parse_from_rfc3339(s).map_err(|e| format!("invalid dateTime {s:?}: {e}"))?;
        return Ok(Some((t.with_timezone(&Utc), false)));
    }
    if let Some(s) = raw["date"].as_str() {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|e| format!("invalid date {s:?}: {e}"))?;
        let midnight = d
            .and_hms_opt(0, 0, 0)
            .ok_or_else(|| format!("invalid date {s:?}"))?;
        return Ok(Some((midnight.and_utc(), true)));
    }
    Ok(None)
}

fn span(event: &Value) -> Result<Span, String> {
    let (start, all_day) = when(&event["start"])?.ok_or("event has no start")?;
    let end = when(&event["end"])?.map(|(t, _)| t);
    Ok(Span {
        start,
        end,
        all_day,
    })
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn timestamp(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// `hangoutLink`, else the conference's video entry point.
fn conference_link(event: &Value) -> Option<String> {
    text(&event["hangoutLink"]).or_else(|| {
        event["conferenceData"]["entryPoints"]
            .as_array()?
            .iter()
            .find(|p| p["entryPointType"] == "video")
            .and_then(|p| text(&p["uri"]))
    })
}

/// How relevant an attendee is for linking: the organizer, then by response.
fn rank(attendee: &Value) -> u8 {
    if attendee["organizer"] == true {
        return 0;
    }
    match attendee["responseStatus"].as_str() {
        Some("accepted") => 1,
        Some("tentative") => 2,
        Some("needsAction") | None => 3,
        _ => 4,
    }
}

fn domain(email: &str) -> Option<String> {
    let (_, d) = email.rsplit_once('@')?;
    let d = d.trim().to_ascii_lowercase();
    (!d.is_empty() && !NOT_COMPANIES.iter().any(|n| d.ends_with(n))).then_some(d)
}

/// Maps one event; `calendar_owner` is the calendar's email (its `summary` for `primary`).
pub fn event(raw: &Value, calendar_owner: Option<&str>) -> Result<ActivityRow, String> {
    let id = text(&raw["id"]).ok_or("event has no id")?;
    let cancelled = raw["status"] == "cancelled";
    let mut custom = Map::new();
    if cancelled {
        // Incremental listings carry only the id (and for instances the series) of a cancelled
        // event: nothing else is known, the row is soft-deleted.
        custom.insert("status".into(), json!("cancelled"));
        if let Some(series) = text(&raw["recurringEventId"]) {
            custom.insert("recurring_event_id".into(), json!(series));
            custom.insert("recurring".into(), json!(true));
        }
    }
    let span = match span(raw) {
        Ok(span) => Some(span),
        Err(_) if cancelled => None,
        Err(reason) => return Err(reason),
    };
    let attendees: Vec<&Value> = match &raw["attendees"] {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().collect(),
        _ => return Err("attendees is not a list".into()),
    };
    let participants: Vec<Value> = attendees
        .iter()
        .filter_map(|a| {
            let email = text(&a["email"])?;
            Some(json!({
                "email": email.to_ascii_lowercase(),
                "name": text(&a["displayName"]),
                "response_status": text(&a["responseStatus"]),
                "organizer": a["organizer"] == true,
            }))
        })
        .collect();
    let mut others: Vec<&&Value> = attendees
        .iter()
        .filter(|a| a["self"] != true && a["resource"] != true && a["email"].is_string())
        .collect();
    others.sort_by_key(|a| rank(a));
    let mut link_emails: Vec<String> = Vec::new();
    let organizer = &raw["organizer"];
    if organizer["self"] != true
        && let Some(email) = text(&organizer["email"])
    {
        link_emails.push(email.to_ascii_lowercase());
    }
    for a in others {
        if let Some(email) = text(&a["email"]).map(|e| e.to_ascii_lowercase())
            && !link_emails.contains(&email)
        {
            link_emails.push(email);
        }
    }
    let mut link_domains: Vec<String> = Vec::new();
    for d in link_emails.iter().filter_map(|e| domain(e)) {
        if !link_domains.contains(&d) {
            link_domains.push(d);
        }
    }
    let owner_email = attendees
        .iter()
        .find(|a| a["self"] == true)
        .and_then(|a| text(&a["email"]))
        .or_else(|| {
            (organizer["self"] == true)
                .then(|| text(&organizer["email"]))
                .flatten()
        })
        .or_else(|| calendar_owner.map(str::to_owned))
        .map(|e| e.to_ascii_lowercase());
    let visibility = text(&raw["visibility"]);
    let is_private = matches!(visibility.as_deref(), Some("private" | "confidential"));
    if !cancelled || span.is_some() {
        let recurring = raw["recurringEventId"].is_string() || raw["recurrence"].is_array();
        custom.insert("status".into(), json!(text(&raw["status"])));
        custom.insert("organizer_email".into(), json!(text(&organizer["email"])));
        custom.insert("conference_link".into(), json!(conference_link(raw)));
        custom.insert("recurring".into(), json!(recurring));
        custom.insert(
            "recurring_event_id".into(),
            json!(text(&raw["recurringEventId"])),
        );
        custom.insert("location".into(), json!(text(&raw["location"])));
        custom.insert("html_link".into(), json!(text(&raw["htmlLink"])));
        custom.insert(
            "all_day".into(),
            json!(span.map(|s| s.all_day).unwrap_or(false)),
        );
        custom.insert("visibility".into(), json!(visibility));
        custom.insert("ical_uid".into(), json!(text(&raw["iCalUID"])));
        custom.insert("event_type".into(), json!(text(&raw["eventType"])));
    }
    let duration_seconds = span.and_then(|s| {
        let secs = (s.end? - s.start).num_seconds();
        i32::try_from(secs).ok().filter(|d| *d >= 0)
    });
    Ok(ActivityRow {
        source_id: id,
        kind: ActivityType::Meeting,
        subject: text(&raw["summary"]),
        description: text(&raw["description"]),
        activity_date: span.map(|s| s.start),
        duration_seconds,
        participants: Value::Array(participants),
        deal_source_id: None,
        account_source_id: None,
        contact_source_id: None,
        owner_source_id: None,
        link_emails,
        link_domains,
        owner_email,
        is_private,
        source_created_at: timestamp(&raw["created"]),
        source_updated_at: timestamp(&raw["updated"]),
        deleted: cancelled,
        custom_fields: custom,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_event_maps_every_field() {
        let raw = json!({
            "id": "e1", "status": "confirmed", "summary": "Pricing", "description": "d",
            "htmlLink": "https://calendar.google.com/e1", "location": "Room 1",
            "created": "2025-05-01T07:00:00.000Z", "updated": "2025-05-01T08:00:00.000Z",
            "organizer": {"email": "ana@acme.com", "self": true},
            "start": {"dateTime": "2025-05-02T15:00:00+02:00"},
            "end": {"dateTime": "2025-05-02T15:30:00+02:00"},
            "visibility": "confidential", "iCalUID": "e1@google.com",
            "conferenceData": {"entryPoints": [{"entryPointType": "phone", "uri": "tel:1"},
                                               {"entryPointType": "video", "uri": "https://zoom.us/j/1"}]},
            "attendees": [
                {"email": "room@resource.calendar.google.com", "resource": true},
                {"email": "Declined@Other.com", "responseStatus": "declined"},
                {"email": "bob@customer.com", "displayName": "Bob", "responseStatus": "accepted"},
                {"email": "ana@acme.com", "organizer": true, "self": true, "responseStatus": "accepted"}
            ]
        });
        let row = event(&raw, None).unwrap();
        assert_eq!(row.activity_date, timestamp(&json!("2025-05-02T13:00:00Z")));
        assert_eq!(row.duration_seconds, Some(1800));
        assert_eq!(row.link_emails, ["bob@customer.com", "declined@other.com"]);
        assert_eq!(row.link_domains, ["customer.com", "other.com"]);
        assert_eq!(row.owner_email.as_deref(), Some("ana@acme.com"));
        assert!(row.is_private && !row.deleted);
        assert_eq!(row.custom_fields["conference_link"], "https://zoom.us/j/1");
        assert_eq!(row.custom_fields["recurring"], false);
        assert_eq!(row.participants[2]["name"], "Bob");
        assert_eq!(row.participants[3]["organizer"], true);
    }

    #[test]
    fn all_day_cancelled_and_malformed() {
        let raw = json!({"id": "a", "start": {"date": "2025-05-02"}, "end": {"date": "2025-05-04"},
                         "recurrence": ["RRULE:FREQ=YEARLY"]});
        let row = event(&raw, Some("ana@acme.com")).unwrap();
        assert_eq!(row.duration_seconds, Some(2 * 86_400));
        assert_eq!(row.custom_fields["all_day"], true);
        assert_eq!(row.custom_fields["recurring"], true);
        assert_eq!(row.owner_email.as_deref(), Some("ana@acme.com"));
        let gone = event(&json!({"id": "c", "status": "cancelled"}), None).unwrap();
        assert!(gone.deleted && gone.activity_date.is_none());
        assert!(event(&json!({"id": "x", "start": {"dateTime": "soon"}}), None).is_err());
        assert!(event(&json!({"id": "x"}), None).is_err());
        assert!(event(&json!({"start": {"date": "2025-01-01"}}), None).is_err());
    }
}
