//! HubSpot wire types: the CRM objects we sync, the properties requested for each, and the
//! envelopes of list, search, association and error responses. Records themselves are decoded
//! one by one from raw JSON (see [`Record`]) so one malformed record never fails a page.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

/// A HubSpot CRM object type we sync, in sync order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Owners,
    Pipelines,
    Companies,
    Contacts,
    Deals,
    Calls,
    Emails,
    Meetings,
    Notes,
    Tasks,
}

impl ObjectKind {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "owners" => Self::Owners,
            "pipelines" => Self::Pipelines,
            "companies" => Self::Companies,
            "contacts" => Self::Contacts,
            "deals" => Self::Deals,
            "calls" => Self::Calls,
            "emails" => Self::Emails,
            "meetings" => Self::Meetings,
            "notes" => Self::Notes,
            "tasks" => Self::Tasks,
            _ => return None,
        })
    }

    /// The object type as it appears in `/crm/v3/objects/{object}` and v4 association paths.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Owners => "owners",
            Self::Pipelines => "pipelines",
            Self::Companies => "companies",
            Self::Contacts => "contacts",
            Self::Deals => "deals",
            Self::Calls => "calls",
            Self::Emails => "emails",
            Self::Meetings => "meetings",
            Self::Notes => "notes",
            Self::Tasks => "tasks",
        }
    }

    /// The last-modified property the search endpoint filters and sorts on.
    pub fn modified_property(self) -> &'static str {
        match self {
            Self::Contacts => "lastmodifieddate",
            _ => "hs_lastmodifieddate",
        }
    }

    /// Properties requested on list and search (unmapped ones land in `custom_fields`).
    pub fn properties(self) -> &'static [&'static str] {
        const ENGAGEMENT: [&str; 3] = ["hs_timestamp", "hubspot_owner_id", "hs_lastmodifieddate"];
        match self {
            Self::Owners | Self::Pipelines => &[],
            Self::Companies => &[
                "name",
                "domain",
                "industry",
                "numberofemployees",
                "annualrevenue",
                "hubspot_owner_id",
                "createdate",
                "hs_lastmodifieddate",
                "city",
                "country",
                "lifecyclestage",
            ],
            Self::Contacts => &[
                "firstname",
                "lastname",
                "email",
                "jobtitle",
                "phone",
                "hubspot_owner_id",
                "createdate",
                "lastmodifieddate",
                "lifecyclestage",
            ],
            Self::Deals => &[
                "dealname",
                "amount",
                "deal_currency_code",
                "dealstage",
                "pipeline",
                "closedate",
                "hs_deal_stage_probability",
                "hubspot_owner_id",
                "createdate",
                "hs_lastmodifieddate",
                "dealtype",
            ],
            Self::Calls => &[
                ENGAGEMENT[0],
                ENGAGEMENT[1],
                ENGAGEMENT[2],
                "hs_call_title",
                "hs_call_body",
                "hs_call_duration",
                "hs_call_direction",
                "hs_call_disposition",
                "hs_call_status",
            ],
            Self::Emails => &[
                ENGAGEMENT[0],
                ENGAGEMENT[1],
                ENGAGEMENT[2],
                "hs_email_subject",
                "hs_email_text",
                "hs_email_direction",
                "hs_email_from_email",
                "hs_email_to_email",
                "hs_email_status",
            ],
            Self::Meetings => &[
                ENGAGEMENT[0],
                ENGAGEMENT[1],
                ENGAGEMENT[2],
                "hs_meeting_title",
                "hs_meeting_body",
                "hs_meeting_start_time",
                "hs_meeting_end_time",
                "hs_meeting_outcome",
                "hs_meeting_location",
            ],
            Self::Notes => &[ENGAGEMENT[0], ENGAGEMENT[1], ENGAGEMENT[2], "hs_note_body"],
            Self::Tasks => &[
                ENGAGEMENT[0],
                ENGAGEMENT[1],
                ENGAGEMENT[2],
                "hs_task_subject",
                "hs_task_body",
                "hs_task_status",
                "hs_task_priority",
                "hs_task_type",
            ],
        }
    }

    /// Object types whose first association we keep (`associations=` on list, v4 on search).
    pub fn associations(self) -> &'static [&'static str] {
        match self {
            Self::Owners | Self::Pipelines | Self::Companies => &[],
            Self::Contacts | Self::Deals => &["companies"],
            _ => &["deals", "companies", "contacts"],
        }
    }
}

/// `{"results": [...], "paging": {"next": {"after": ...}}}` of list and search endpoints;
/// results stay raw so each record is decoded (and possibly skipped) on its own.
#[derive(Debug, Deserialize)]
pub struct Listing {
    #[serde(default)]
    pub results: Vec<Value>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

impl Listing {
    pub fn next_after(&self) -> Option<String> {
        self.paging.as_ref()?.next.as_ref().map(|n| n.after.clone())
    }
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    #[serde(default)]
    pub next: Option<NextPage>,
}

#[derive(Debug, Deserialize)]
pub struct NextPage {
    pub after: String,
}

/// A CRM object record (company, contact, deal, engagement).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub id: String,
    pub properties: Option<Map<String, Value>>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub associations: Option<BTreeMap<String, AssociationList>>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationList {
    #[serde(default)]
    pub results: Vec<AssociationRef>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationRef {
    pub id: Value,
}

/// The first associated record of each kind we map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Associations {
    pub company: Option<String>,
    pub contact: Option<String>,
    pub deal: Option<String>,
}

impl Associations {
    /// Sets the first association to `to` (an object type name) unless one is already known.
    pub fn add(&mut self, to: &str, id: String) {
        let slot = match to {
            "companies" => &mut self.company,
            "contacts" => &mut self.contact,
            "deals" => &mut self.deal,
            _ => return,
        };
        slot.get_or_insert(id);
    }
}

/// A v4 batch association read (`POST /crm/v4/associations/{from}/{to}/batch/read`).
#[derive(Debug, Deserialize)]
pub struct AssociationBatch {
    #[serde(default)]
    pub results: Vec<AssociationBatchResult>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationBatchResult {
    pub from: ObjectId,
    #[serde(default)]
    pub to: Vec<AssociationTarget>,
}

#[derive(Debug, Deserialize)]
pub struct ObjectId {
    pub id: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationTarget {
    pub to_object_id: Value,
}

/// A deal pipeline with its stages (`GET /crm/v3/pipelines/deals`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub stages: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub display_order: Option<i64>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// HubSpot's error envelope (`status`, `message`, `correlationId`, `category`; 429s add
/// `policyName`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub policy_name: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
}

/// An id that HubSpot sends as a string or (v4 associations) a number.
pub fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
