//! Unit tests of the HubSpot mapping: messy property values, dates, associations, stages.

use serde_json::json;

use super::*;
use crate::connectors::hubspot::types::Pipeline;

fn record(value: Value) -> Record {
    decode(&value).unwrap()
}

#[test]
fn dates_accept_iso_and_epoch_millis() {
    let iso = parse_datetime("2025-03-01T12:00:00.123Z").unwrap();
    assert_eq!(iso.timestamp_millis(), 1_740_830_400_123);
    assert_eq!(parse_datetime("1740830400123"), Some(iso));
    assert_eq!(parse_date("2025-03-31").unwrap().to_string(), "2025-03-31");
    assert_eq!(
        parse_date("2025-03-31T00:00:00Z").unwrap().to_string(),
        "2025-03-31"
    );
    for bad in ["", "soon", "2025-13-01", "12:00"] {
        assert_eq!(parse_datetime(bad), None, "{bad:?}");
    }
}

#[test]
fn deal_maps_properties_and_keeps_the_rest() {
    let r = record(json!({
        "id": "1234", "createdAt": "2025-01-02T09:00:00Z", "updatedAt": "2025-03-01T12:00:00.123Z",
        "archived": false,
        "properties": {"dealname": "Acme renewal", "amount": "50000", "dealstage": "contractsent",
            "pipeline": "default", "closedate": "1743379200000", "hubspot_owner_id": "555",
            "deal_currency_code": "eur", "hs_object_id": "1234", "dealtype": "renewal",
            "hs_deal_stage_probability": "", "hs_lastmodifieddate": "2025-03-01T12:00:00.123Z"},
        "associations": {"companies": {"results": [{"id": "987", "type": "deal_to_company"},
            {"id": "988", "type": "deal_to_company"}]}}
    }));
    let assoc = embedded_associations(&r);
    let row = deal(&r, &assoc).unwrap();
    assert_eq!(row.name, "Acme renewal");
    assert_eq!(row.amount.as_deref(), Some("50000"));
    assert_eq!(row.currency.as_deref(), Some("EUR"));
    assert_eq!(row.stage_source_id.as_deref(), Some("contractsent"));
    assert_eq!(row.close_date.unwrap().to_string(), "2025-03-31");
    assert_eq!(row.owner_source_id.as_deref(), Some("555"));
    assert_eq!(row.account_source_id.as_deref(), Some("987"));
    assert_eq!(row.probability, None);
    assert_eq!(
        row.custom_fields,
        json!({"dealtype": "renewal"}).as_object().unwrap().clone()
    );
    assert!(row.source_updated_at.is_some() && !row.deleted);
}

#[test]
fn bad_numbers_become_none_and_keep_the_raw_value() {
    let r = record(
        json!({"id": "7", "properties": {"name": "", "domain": "acme.test",
        "numberofemployees": "lots", "annualrevenue": "n/a", "industry": null}}),
    );
    let row = company(&r).unwrap();
    assert_eq!(row.name, "acme.test");
    assert_eq!(row.employee_count, None);
    assert_eq!(row.annual_revenue, None);
    assert_eq!(row.industry, None);
    assert_eq!(row.custom_fields["numberofemployees"], "lots");
    assert_eq!(row.custom_fields["annualrevenue"], "n/a");
}

#[test]
fn records_without_id_or_properties_are_refused() {
    assert!(decode(&json!({"properties": {}})).is_err());
    assert!(decode(&json!({"id": "", "properties": {}})).is_err());
    let r = record(json!({"id": "9"}));
    assert!(deal(&r, &Associations::default()).is_err());
}

#[test]
fn engagements_map_durations_and_participants() {
    let call = record(json!({"id": "1", "properties": {"hs_call_title": "Intro",
        "hs_call_duration": "125400", "hs_timestamp": "2025-02-01T10:00:00Z"}}));
    let assoc = Associations {
        deal: Some("5".into()),
        ..Default::default()
    };
    let row = activity(ObjectKind::Calls, &call, &assoc).unwrap();
    assert_eq!(row.kind, ActivityType::Call);
    assert_eq!(row.duration_seconds, Some(125));
    assert_eq!(row.deal_source_id.as_deref(), Some("5"));
    assert_eq!(row.subject.as_deref(), Some("Intro"));

    let meeting = record(json!({"id": "2", "properties": {"hs_meeting_title": "Demo",
        "hs_meeting_start_time": "2025-02-01T10:00:00Z", "hs_meeting_end_time": "2025-02-01T10:30:00Z"}}));
    let row = activity(ObjectKind::Meetings, &meeting, &Associations::default()).unwrap();
    assert_eq!(row.duration_seconds, Some(1800));

    let email = record(json!({"id": "3", "properties": {"hs_email_subject": "Hi",
        "hs_email_from_email": "A@x.test", "hs_email_to_email": "b@y.test;c@z.test"}}));
    let row = activity(ObjectKind::Emails, &email, &Associations::default()).unwrap();
    assert_eq!(row.participants.as_array().unwrap().len(), 3);
    assert_eq!(row.participants[0]["email"], "a@x.test");
}

#[test]
fn stages_read_string_metadata() {
    let pipeline: Pipeline = serde_json::from_value(json!({"id": "default", "label": "Sales",
    "displayOrder": 0, "stages": [
        {"id": "closedwon", "label": "Closed Won", "displayOrder": 6,
         "metadata": {"isClosed": "true", "probability": "1.0"}},
        {"id": "closedlost", "label": "Closed Lost", "displayOrder": 7,
         "metadata": {"isClosed": "true", "probability": "0.0"}},
        {"id": "qualified", "label": "Qualified", "displayOrder": 1,
         "metadata": {"isClosed": "false", "probability": "0.4"}},
        {"label": "no id"}
    ]}))
    .unwrap();
    let (rows, errors) = stages(&pipeline);
    assert_eq!(rows.len(), 3);
    assert_eq!(errors.len(), 1);
    assert!(rows[0].is_won && rows[0].is_closed);
    assert!(!rows[1].is_won && rows[1].is_closed);
    assert_eq!(rows[2].probability, Some(0.4));
    assert!(!rows[2].is_closed);
    assert_eq!(rows[2].pipeline_label.as_deref(), Some("Sales"));
}

#[test]
fn owners_archived_are_deleted() {
    let row = owner(
        &json!({"id": "555", "email": "Rep@Acme.com", "firstName": "Ana",
        "lastName": "Lee", "userId": 123, "archived": true}),
    )
    .unwrap();
    assert_eq!(row.email.as_deref(), Some("rep@acme.com"));
    assert_eq!(row.name.as_deref(), Some("Ana Lee"));
    assert!(row.deleted);
    assert!(owner(&json!({"email": "x@y"})).is_err());
}
