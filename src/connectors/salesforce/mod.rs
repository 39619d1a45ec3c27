//! Salesforce REST connector: users, opportunity stages, accounts, contacts, opportunities,
//! tasks and events, one SOQL batch per [`Connector::fetch_page`] call.
//!
//! Every object is read with `queryAll` (so deleted rows arrive with `IsDeleted = true` and
//! become soft deletes), ordered by `SystemModstamp, Id`: a backfill has no filter, an
//! incremental run reads `SystemModstamp >=` the last high-water mark minus the overlap. Batches
//! follow `nextRecordsUrl`; see [`cursor`] for resuming and expired locators. Each object's
//! describe is read once per connector: standard fields the connection's user cannot see are
//! left out of the query, custom fields (`…__c`, at most [`MAX_CUSTOM_FIELDS`]) and, on
//! multi-currency orgs, `CurrencyIsoCode` are added.
//!
//! Each record is mapped on its own: one that cannot be used becomes a [`SkippedRecord`] and the
//! rest of the batch still syncs.

mod client;
mod cursor;
pub mod mapping;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::Value;

use self::client::{CallError, Client};
use self::cursor::{Cursor, Mark};
use super::{
    Connector, ConnectorError, ConnectorOptions, Credentials, ObjectSpec, Page, Rows,
    SkippedRecord, Table,
};

/// Selected whatever the describe says: the query's order and the cursor depend on them.
const ALWAYS: [&str; 2] = ["Id", "SystemModstamp"];

/// Custom fields selected per object beyond this are left out (SOQL in a GET URL stays short).
pub const MAX_CUSTOM_FIELDS: usize = 150;

const OBJECTS: &[ObjectSpec] = &[
    ObjectSpec {
        name: "users",
        table: Table::Users,
    },
    ObjectSpec {
        name: "stages",
        table: Table::PipelineStages,
    },
    ObjectSpec {
        name: "accounts",
        table: Table::Accounts,
    },
    ObjectSpec {
        name: "contacts",
        table: Table::Contacts,
    },
    ObjectSpec {
        name: "deals",
        table: Table::Deals,
    },
    ObjectSpec {
        name: "tasks",
        table: Table::Activities,
    },
    ObjectSpec {
        name: "events",
        table: Table::Activities,
    },
];

/// How one of our objects is read from Salesforce.
struct SObject {
    sobject: &'static str,
    fields: &'static [&'static str],
}

fn sobject(name: &str) -> Option<SObject> {
    let (sobject, fields): (_, &'static [&'static str]) = match name {
        "users" => (
            "User",
            &[
                "Id",
                "Email",
                "Name",
                "FirstName",
                "LastName",
                "IsActive",
                "SystemModstamp",
            ],
        ),
        "stages" => (
            "OpportunityStage",
            &[
                "Id",
                "ApiName",
                "MasterLabel",
                "SortOrder",
                "DefaultProbability",
                "IsClosed",
                "IsWon",
                "IsActive",
                "ForecastCategoryName",
                "SystemModstamp",
            ],
        ),
        "accounts" => (
            "Account",
            &[
                "Id",
                "Name",
                "Website",
                "Industry",
                "NumberOfEmployees",
                "AnnualRevenue",
                "OwnerId",
                "Type",
                "CreatedDate",
                "SystemModstamp",
                "IsDeleted",
            ],
        ),
        "contacts" => (
            "Contact",
            &[
                "Id",
                "FirstName",
                "LastName",
                "Name",
                "Email",
                "Title",
                "Phone",
                "AccountId",
                "OwnerId",
                "CreatedDate",
                "SystemModstamp",
                "IsDeleted",
            ],
        ),
        "deals" => (
            "Opportunity",
            &[
                "Id",
                "Name",
                "StageName",
                "Amount",
                "CloseDate",
                "Probability",
                "IsClosed",
                "IsWon",
                "OwnerId",
                "AccountId",
                "Type",
                "ForecastCategoryName",
                "CreatedDate",
                "SystemModstamp",
                "IsDeleted",
            ],
        ),
        "tasks" => (
            "Task",
            &[
                "Id",
                "Subject",
                "Description",
                "Status",
                "ActivityDate",
                "TaskSubtype",
                "CallDurationInSeconds",
                "WhoId",
                "WhatId",
                "AccountId",
                "OwnerId",
                "CreatedDate",
                "SystemModstamp",
                "IsDeleted",
            ],
        ),
        "events" => (
            "Event",
            &[
                "Id",
                "Subject",
                "Description",
                "StartDateTime",
                "EndDateTime",
                "DurationInMinutes",
                "Location",
                "IsPrivate",
                "WhoId",
                "WhatId",
                "AccountId",
                "OwnerId",
                "CreatedDate",
                "SystemModstamp",
                "IsDeleted",
            ],
        ),
        _ => return None,
    };
    Some(SObject { sobject, fields })
}

pub struct SalesforceConnector {
    client: Client,
    api_version: String,
    overlap: chrono::Duration,
    /// The select list per sobject, from its describe (read once).
    fields: Mutex<HashMap<&'static str, Vec<String>>>,
}

impl SalesforceConnector {
    /// `api_version` as configured (`v62.0`); the host is the connection's `instance_url`.
    pub fn new(
        api_version: String,
        credentials: Arc<dyn Credentials>,
        options: ConnectorOptions,
    ) -> Self {
        let version = api_version.trim().trim_matches('/');
        let api_version = if version.starts_with('v') {
            version.to_owned()
        } else {
            format!("v{version}")
        };
        Self {
            client: Client::new(credentials, &options),
            api_version,
            overlap: chrono::Duration::from_std(options.overlap)
                .unwrap_or(chrono::Duration::minutes(5)),
            fields: Mutex::new(HashMap::new()),
        }
    }

    fn failed(e: CallError, what: &str) -> ConnectorError {
        match e {
            CallError::Failed(e) => e,
            CallError::Expired => ConnectorError::Api(format!(
                "Salesforce {what}: unexpected INVALID_QUERY_LOCATOR"
            )),
        }
    }

    /// The fields to select from `object`, from its describe (read once per connector): the
    /// standard fields the API user can see (a field hidden by field-level security is left out
    /// and maps to None rather than failing the query), custom fields, and `CurrencyIsoCode` on
    /// opportunities where the org has multi-currency.
    fn select_list(&self, object: &SObject) -> Result<Vec<String>, ConnectorError> {
        let mut cache = self.fields.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = cache.get(object.sobject) {
            return Ok(found.clone());
        }
        let path = format!(
            "/services/data/{}/sobjects/{}/describe",
            self.api_version, object.sobject
        );
        let body = self
            .client
            .get(&path, &[])
            .map_err(|e| Self::failed(e, &path))?;
        let described: Vec<&str> = body["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["name"].as_str())
            .collect();
        let mut found: Vec<String> = object
            .fields
            .iter()
            .filter(|f| ALWAYS.contains(f) || described.contains(f))
            .map(|f| (*f).to_owned())
            .collect();
        for left_out in object
            .fields
            .iter()
            .filter(|f| !found.iter().any(|g| g == *f))
        {
            tracing::info!(
                sobject = object.sobject,
                field = left_out,
                "Salesforce field not visible to the connection's user: not synced"
            );
        }
        let mut custom = 0;
        for name in described {
            let is_custom = name.ends_with("__c") && custom < MAX_CUSTOM_FIELDS;
            let currency = name == "CurrencyIsoCode" && object.sobject == "Opportunity";
            if (is_custom || currency) && !found.iter().any(|f| f == name) {
                custom += is_custom as usize;
                found.push(name.to_owned());
            }
        }
        cache.insert(object.sobject, found.clone());
        Ok(found)
    }

    fn soql(
        &self,
        object: &SObject,
        since: Option<DateTime<Utc>>,
    ) -> Result<String, ConnectorError> {
        let fields = self.select_list(object)?;
        let filter = since
            .map(|at| {
                // Whole seconds, rounded down: `>=` then re-reads a little, never skips.
                format!(
                    " WHERE SystemModstamp >= {}",
                    at.format("%Y-%m-%dT%H:%M:%SZ")
                )
            })
            .unwrap_or_default();
        Ok(format!(
            "SELECT {} FROM {}{filter} ORDER BY SystemModstamp, Id",
            fields.join(", "),
            object.sobject
        ))
    }

    /// One batch: the stored locator's, or a fresh query from the cursor's lower bound (also
    /// when the locator expired).
    fn batch(&self, object: &SObject, cursor: &Cursor) -> Result<Value, ConnectorError> {
        if let Some(next) = &cursor.next {
            match self.client.get(next, &[]) {
                Ok(body) => return Ok(body),
                Err(CallError::Expired) => {
                    tracing::info!(
                        sobject = object.sobject,
                        "Salesforce query locator expired: re-running the query from the high-water mark"
                    );
                }
                Err(e) => return Err(Self::failed(e, object.sobject)),
            }
        }
        let soql = self.soql(object, cursor.lower_bound())?;
        let path = format!("/services/data/{}/queryAll", self.api_version);
        self.client
            .get(&path, &[("q", soql.as_str())])
            .map_err(|e| Self::failed(e, &path))
    }
}

fn map_records(name: &str, records: &[Value]) -> (Rows, Vec<SkippedRecord>) {
    fn collect<T>(
        records: &[Value],
        map: impl Fn(&Value) -> Result<T, String>,
        skipped: &mut Vec<SkippedRecord>,
    ) -> Vec<T> {
        let mut rows = Vec::new();
        for raw in records {
            match map(raw) {
                Ok(row) => rows.push(row),
                Err(reason) => skipped.push(SkippedRecord {
                    source_id: raw["Id"].as_str().map(str::to_owned),
                    reason,
                }),
            }
        }
        rows
    }
    let mut skipped = Vec::new();
    let rows = match name {
        "users" => Rows::Users(collect(records, mapping::user, &mut skipped)),
        "stages" => Rows::PipelineStages(collect(records, mapping::stage, &mut skipped)),
        "accounts" => Rows::Accounts(collect(records, mapping::account, &mut skipped)),
        "contacts" => Rows::Contacts(collect(records, mapping::contact, &mut skipped)),
        "deals" => Rows::Deals(collect(records, mapping::deal, &mut skipped)),
        "tasks" => Rows::Activities(collect(records, mapping::task, &mut skipped)),
        _ => Rows::Activities(collect(records, mapping::event, &mut skipped)),
    };
    (rows, skipped)
}

impl Connector for SalesforceConnector {
    fn provider(&self) -> &'static str {
        "salesforce"
    }

    fn objects(&self) -> &'static [ObjectSpec] {
        OBJECTS
    }

    fn fetch_page(&self, object: &ObjectSpec, cursor: &Value) -> Result<Page, ConnectorError> {
        self.client.check_cancel()?;
        let spec = sobject(object.name).ok_or_else(|| {
            ConnectorError::Api(format!("Salesforce has no object {}", object.name))
        })?;
        let mut cursor = Cursor::load(cursor, Utc::now());
        let body = self.batch(&spec, &cursor)?;
        let records = body["records"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        for raw in records {
            if let Some((at, id)) = mapping::sort_key(raw) {
                cursor.see(Mark { at, id });
            }
        }
        let (rows, skipped) = map_records(object.name, records);
        let done = body["done"].as_bool().unwrap_or(true);
        let next = body["nextRecordsUrl"].as_str().filter(|s| !s.is_empty());
        let (cursor, done) = match (done, next) {
            (true, _) => (cursor.finished(self.overlap), true),
            (false, Some(next)) => {
                cursor.next = Some(next.to_owned());
                (cursor.to_value(), false)
            }
            (false, None) => {
                return Err(ConnectorError::Api(format!(
                    "Salesforce {}: a batch with done=false and no nextRecordsUrl",
                    spec.sobject
                )));
            }
        };
        Ok(Page {
            rows,
            skipped,
            cursor,
            done,
        })
    }
}
