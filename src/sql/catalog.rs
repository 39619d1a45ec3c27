//! What analytics SQL may read: the relations, their columns and one-line descriptions. The same
//! text serves `GET /api/schema`, the agent's tool description and the system prompt, and the
//! gate's allow-list is derived from it.

pub struct Column {
    pub name: &'static str,
    pub ty: &'static str,
    pub description: &'static str,
}

pub struct Relation {
    pub name: &'static str,
    pub description: &'static str,
    pub columns: &'static [Column],
}

macro_rules! columns {
    ($($name:literal $ty:literal $desc:literal),* $(,)?) => {
        &[$(Column { name: $name, ty: $ty, description: $desc }),*]
    };
}

/// Every relation carries organization_id; rows of other organizations are never visible.
pub const RELATIONS: &[Relation] = &[
    Relation {
        name: "accounts",
        description: "Companies you sell to (CRM accounts/companies).",
        columns: columns![
            "id" "uuid" "Account id",
            "organization_id" "uuid" "Your organization (always the same value)",
            "source_system" "text" "Where the record came from: hubspot, salesforce, demo, ...",
            "source_id" "text" "The record's id in its source system",
            "name" "text" "Company name",
            "domain" "text" "Website domain, e.g. acme.com",
            "industry" "text" "Industry label from the CRM",
            "employee_count" "integer" "Number of employees",
            "annual_revenue" "numeric" "Annual revenue in the account's currency",
            "owner_id" "uuid" "Account owner (reps.id)",
            "custom_fields" "jsonb" "Unmapped CRM properties",
            "source_created_at" "timestamptz" "Created in the CRM",
            "source_updated_at" "timestamptz" "Last modified in the CRM",
            "synced_at" "timestamptz" "Last synced into Revtops",
            "created_at" "timestamptz" "Row created in Revtops",
            "updated_at" "timestamptz" "Row updated in Revtops",
            "deleted_at" "timestamptz" "Always null here: deleted records are hidden",
        ],
    },
    Relation {
        name: "contacts",
        description: "People at accounts.",
        columns: columns![
            "id" "uuid" "Contact id",
            "organization_id" "uuid" "Your organization",
            "source_system" "text" "Source system",
            "source_id" "text" "Id in the source system",
            "account_id" "uuid" "Their company (accounts.id)",
            "first_name" "text" "First name",
            "last_name" "text" "Last name",
            "name" "text" "Full name",
            "email" "text" "Email address",
            "title" "text" "Job title",
            "phone" "text" "Phone number",
            "owner_id" "uuid" "Contact owner (reps.id)",
            "custom_fields" "jsonb" "Unmapped CRM properties",
            "source_created_at" "timestamptz" "Created in the CRM",
            "source_updated_at" "timestamptz" "Last modified in the CRM",
            "synced_at" "timestamptz" "Last synced",
            "created_at" "timestamptz" "Row created",
            "updated_at" "timestamptz" "Row updated",
            "deleted_at" "timestamptz" "Always null here",
        ],
    },
    Relation {
        name: "deals",
        description: "Opportunities in the sales pipeline, open and closed.",
        columns: columns![
            "id" "uuid" "Deal id",
            "organization_id" "uuid" "Your organization",
            "source_system" "text" "Source system",
            "source_id" "text" "Id in the source system",
            "name" "text" "Deal name",
            "amount" "numeric" "Deal value",
            "currency" "text" "ISO currency code of amount",
            "stage" "text" "Current stage label, e.g. Negotiation",
            "stage_id" "text" "Stage id (pipeline_stages.source_id)",
            "pipeline" "text" "Pipeline id",
            "probability" "numeric" "Win probability 0..1",
            "forecast_category" "text" "Forecast category, if the CRM has one",
            "is_closed" "boolean" "Closed (won or lost)",
            "is_won" "boolean" "Closed won",
            "close_date" "date" "Expected (open) or actual (closed) close date",
            "owner_id" "uuid" "Deal owner (reps.id)",
            "account_id" "uuid" "Account (accounts.id)",
            "custom_fields" "jsonb" "Unmapped properties; demo data has original_close_date and close_date_pushes",
            "source_created_at" "timestamptz" "Created in the CRM",
            "source_updated_at" "timestamptz" "Last modified in the CRM",
            "synced_at" "timestamptz" "Last synced",
            "created_at" "timestamptz" "Row created",
            "updated_at" "timestamptz" "Row updated",
            "deleted_at" "timestamptz" "Always null here",
        ],
    },
    Relation {
        name: "pipeline_stages",
        description: "Deal stages of each pipeline with order, probability and closed/won flags.",
        columns: columns![
            "id" "uuid" "Stage row id",
            "organization_id" "uuid" "Your organization",
            "source_system" "text" "Source system",
            "source_id" "text" "Stage id (deals.stage_id)",
            "pipeline_id" "text" "Pipeline id (deals.pipeline)",
            "pipeline_label" "text" "Pipeline name",
            "label" "text" "Stage name",
            "display_order" "integer" "Order within the pipeline",
            "probability" "numeric" "Default win probability 0..1",
            "is_closed" "boolean" "Closing stage",
            "is_won" "boolean" "Won stage",
            "custom_fields" "jsonb" "Unmapped properties",
            "synced_at" "timestamptz" "Last synced",
            "created_at" "timestamptz" "Row created",
            "updated_at" "timestamptz" "Row updated",
            "deleted_at" "timestamptz" "Always null here",
        ],
    },
    Relation {
        name: "activities",
        description: "Emails, meetings, calls, notes, tasks and Slack messages, linked to deals/accounts/contacts.",
        columns: columns![
            "id" "uuid" "Activity id",
            "organization_id" "uuid" "Your organization",
            "source_system" "text" "Source system (hubspot, slack, google_calendar, ...)",
            "source_id" "text" "Id in the source system",
            "type" "text" "email | meeting | call | note | message | task",
            "subject" "text" "Subject or title",
            "description" "text" "Body text",
            "activity_date" "timestamptz" "When it happened",
            "duration_seconds" "integer" "Duration of meetings and calls",
            "participants" "jsonb" "Array of {email, name}",
            "deal_id" "uuid" "Related deal",
            "account_id" "uuid" "Related account",
            "contact_id" "uuid" "Related contact",
            "owner_id" "uuid" "Rep who owns it (reps.id)",
            "custom_fields" "jsonb" "Unmapped properties (e.g. Slack channel)",
            "source_created_at" "timestamptz" "Created in the source",
            "source_updated_at" "timestamptz" "Modified in the source",
            "synced_at" "timestamptz" "Last synced",
            "created_at" "timestamptz" "Row created",
            "updated_at" "timestamptz" "Row updated",
            "deleted_at" "timestamptz" "Always null here",
            "is_private" "boolean" "Marked private in the source (a private calendar event)",
            "private_to" "uuid" "Set on rows only their owner may see (reps.id); you only ever see your own",
        ],
    },
    Relation {
        name: "reps",
        description: "People who own records: Revtops members and CRM owners (status crm_only).",
        columns: columns![
            "id" "uuid" "Rep id (owner_id elsewhere)",
            "organization_id" "uuid" "Your organization",
            "name" "text" "Full name",
            "email" "text" "Email address",
            "role" "text" "admin | member",
            "status" "text" "active | invited | crm_only",
            "source_system" "text" "CRM the owner came from, if any",
            "source_id" "text" "Owner id in that CRM",
            "created_at" "timestamptz" "Row created",
        ],
    },
];

pub fn relation(name: &str) -> Option<&'static Relation> {
    RELATIONS.iter().find(|r| r.name == name)
}

pub fn relation_names() -> Vec<&'static str> {
    RELATIONS.iter().map(|r| r.name).collect()
}

/// The schema as compact text for prompts and tool descriptions.
pub fn describe() -> String {
    let mut out = String::new();
    for r in RELATIONS {
        out.push_str(&format!("{} — {}\n", r.name, r.description));
        for c in r.columns {
            out.push_str(&format!("  {} {}: {}\n", c.name, c.ty, c.description));
        }
    }
    out
}
