//! One statement per page: the page's rows are staged with binary COPY ([`staging`]), taken out
//! of the staging table by the statement itself (`DELETE … RETURNING`), have their references
//! (owner, account, deal, contact, stage) resolved to uuids by joining on source ids inside the
//! organization, and are upserted on `(organization_id, source_system, source_id)`, so
//! replaying a page changes nothing.
//! Upstream deletes set `deleted_at` (kept from the first time it was seen); a record that comes
//! back live clears it.
//!
//! Activities of a personal connection (a member's calendar) are that member's: their source ids
//! are qualified by the member (two colleagues invited to one meeting hold two rows, each with
//! its own privacy) and `private_to` names the member when the event is private or the member
//! has not shared the calendar, which the analytics policy enforces.

use tokio_postgres::{Statement, Transaction};
use uuid::Uuid;

use super::{SyncError, staging};
use crate::connectors::Rows;

/// Whose personal connection a page comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Personal {
    pub owner: Uuid,
    /// The owner shares the calendar with the organization (its private events stay private).
    pub shared: bool,
}

/// Upserts one page inside `tx`, whose connection has its staging tables
/// ([`staging::prepare`]), with `upsert`: [`statement`] of these rows, prepared on that
/// connection (once: a page's statement is long to parse and plan). Returns how many rows
/// were written.
pub async fn apply(
    tx: &Transaction<'_>,
    upsert: &Statement,
    organization_id: Uuid,
    source_system: &str,
    rows: &Rows,
    personal: Option<Personal>,
) -> Result<usize, SyncError> {
    if rows.is_empty() {
        return Ok(0);
    }
    staging::stage(tx, rows).await?;
    let n = match rows {
        Rows::Activities(_) => {
            let owner = personal.map(|p| p.owner);
            let shared = personal.is_some_and(|p| p.shared);
            tx.execute(upsert, &[&organization_id, &source_system, &owner, &shared])
                .await?
        }
        _ => {
            tx.execute(upsert, &[&organization_id, &source_system])
                .await?
        }
    };
    Ok(n as usize)
}

/// The upsert of these rows' table.
pub fn statement(rows: &Rows) -> &'static str {
    match rows {
        Rows::Users(_) => USERS,
        Rows::PipelineStages(_) => STAGES,
        Rows::Accounts(_) => ACCOUNTS,
        Rows::Contacts(_) => CONTACTS,
        Rows::Deals(_) => DEALS,
        Rows::Activities(_) => ACTIVITIES,
    }
}

/// The `deleted_at` of an upsert: set when the provider reports the record deleted (keeping
/// the first time it was seen), cleared when it comes back live.
/// `col = …` for each column: a deleted record's tombstone (a cancelled calendar event is only
/// an id) keeps what the row knew wherever it brings nothing, so the history stays readable; a
/// private row stays private.
macro_rules! tombstone_keeps {
    ($($col:ident),+) => {
        concat!($("
       ", stringify!($col), " = CASE WHEN EXCLUDED.deleted_at IS NULL THEN EXCLUDED.",
            stringify!($col), " ELSE coalesce(EXCLUDED.", stringify!($col), ", t.",
            stringify!($col), ") END,"),+)
    };
}

macro_rules! soft_delete {
    () => {
        "
       deleted_at = CASE WHEN EXCLUDED.deleted_at IS NULL THEN NULL
                         ELSE coalesce(t.deleted_at, EXCLUDED.deleted_at) END"
    };
}

/// CRM owners. An owner whose email belongs to a real member of the organization is linked to
/// that member (so "deals by rep" shows the person who signs in); the others become `crm_only`
/// users. An email already taken by another user of the organization is not copied (emails are
/// unique per organization); a deleted owner never deletes a real member.
const USERS: &str = concat!(
    "
WITH r AS (DELETE FROM pg_temp.sync_stage_users RETURNING *
), members AS (
    UPDATE users u SET source_system = $2, source_id = r.source_id, synced_at = now()
      FROM r
     WHERE u.organization_id = $1 AND u.email = lower(r.email) AND u.status <> 'crm_only'
       AND u.deleted_at IS NULL AND u.source_id IS NULL AND NOT r.deleted
       AND NOT EXISTS (SELECT 1 FROM users o WHERE o.organization_id = $1 AND o.source_system = $2
                                                AND o.source_id = r.source_id)
    RETURNING r.source_id
)
INSERT INTO users AS t (organization_id, source_system, source_id, email, name, role, status,
                        custom_fields, synced_at, deleted_at)
SELECT $1, $2, r.source_id,
       CASE WHEN EXISTS (SELECT 1 FROM users o WHERE o.organization_id = $1 AND o.email = lower(r.email)
                                                 AND o.deleted_at IS NULL
                                                 AND o.source_id IS DISTINCT FROM r.source_id)
            THEN NULL ELSE lower(nullif(btrim(r.email), '')) END,
       r.name, 'member', 'crm_only', coalesce(r.custom_fields, '{}'), now(),
       CASE WHEN r.deleted THEN now() END
  FROM r
 WHERE NOT EXISTS (SELECT 1 FROM users o WHERE o.organization_id = $1 AND o.email = lower(r.email)
                                           AND o.status <> 'crm_only' AND o.deleted_at IS NULL)
   AND r.source_id NOT IN (SELECT source_id FROM members)
ON CONFLICT (organization_id, source_system, source_id) WHERE source_id IS NOT NULL DO UPDATE
   SET email = EXCLUDED.email, name = EXCLUDED.name, custom_fields = EXCLUDED.custom_fields,
       synced_at = EXCLUDED.synced_at,
",
    soft_delete!(),
    "
 WHERE t.status = 'crm_only'"
);

const STAGES: &str = concat!(
    "
WITH r AS (DELETE FROM pg_temp.sync_stage_pipeline_stages RETURNING *)
INSERT INTO pipeline_stages AS t (organization_id, source_system, source_id, pipeline_id, pipeline_label,
                                  label, display_order, probability, is_closed, is_won, custom_fields,
                                  synced_at, deleted_at)
SELECT $1, $2, r.source_id, r.pipeline_id, r.pipeline_label, r.label, r.display_order,
       least(greatest(r.probability::numeric, 0), 1), r.is_closed, r.is_won AND r.is_closed,
       coalesce(r.custom_fields, '{}'), now(), CASE WHEN r.deleted THEN now() END
  FROM r
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
   SET pipeline_id = EXCLUDED.pipeline_id, pipeline_label = EXCLUDED.pipeline_label,
       label = EXCLUDED.label, display_order = EXCLUDED.display_order,
       probability = EXCLUDED.probability, is_closed = EXCLUDED.is_closed, is_won = EXCLUDED.is_won,
       custom_fields = EXCLUDED.custom_fields, synced_at = EXCLUDED.synced_at,
",
    soft_delete!()
);

const ACCOUNTS: &str = concat!(
    "
WITH r AS (DELETE FROM pg_temp.sync_stage_accounts RETURNING *)
INSERT INTO accounts AS t (organization_id, source_system, source_id, name, domain, industry,
                           employee_count, annual_revenue, owner_id, custom_fields, source_created_at,
                           source_updated_at, synced_at, deleted_at)
SELECT $1, $2, r.source_id, coalesce(nullif(btrim(r.name), ''), r.domain, 'Company ' || r.source_id), lower(r.domain), r.industry, r.employee_count,
       r.annual_revenue::numeric, o.id, coalesce(r.custom_fields, '{}'), r.source_created_at,
       r.source_updated_at, now(), CASE WHEN r.deleted THEN now() END
  FROM r
  LEFT JOIN users o ON o.organization_id = $1 AND o.source_system = $2 AND o.source_id = r.owner_source_id
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
   SET name = EXCLUDED.name, domain = EXCLUDED.domain, industry = EXCLUDED.industry,
       employee_count = EXCLUDED.employee_count, annual_revenue = EXCLUDED.annual_revenue,
       owner_id = EXCLUDED.owner_id, custom_fields = EXCLUDED.custom_fields,
       source_created_at = EXCLUDED.source_created_at, source_updated_at = EXCLUDED.source_updated_at,
       synced_at = EXCLUDED.synced_at,
",
    soft_delete!()
);

const CONTACTS: &str = concat!(
    "
WITH r AS (DELETE FROM pg_temp.sync_stage_contacts RETURNING *)
INSERT INTO contacts AS t (organization_id, source_system, source_id, account_id, first_name, last_name,
                           name, email, title, phone, owner_id, custom_fields, source_created_at,
                           source_updated_at, synced_at, deleted_at)
SELECT $1, $2, r.source_id, a.id, r.first_name, r.last_name, r.name, lower(r.email), r.title, r.phone,
       o.id, coalesce(r.custom_fields, '{}'), r.source_created_at, r.source_updated_at, now(),
       CASE WHEN r.deleted THEN now() END
  FROM r
  LEFT JOIN accounts a ON a.organization_id = $1 AND a.source_system = $2 AND a.source_id = r.account_source_id
  LEFT JOIN users o ON o.organization_id = $1 AND o.source_system = $2 AND o.source_id = r.owner_source_id
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
   SET account_id = EXCLUDED.account_id, first_name = EXCLUDED.first_name,
       last_name = EXCLUDED.last_name, name = EXCLUDED.name, email = EXCLUDED.email,
       title = EXCLUDED.title, phone = EXCLUDED.phone, owner_id = EXCLUDED.owner_id,
       custom_fields = EXCLUDED.custom_fields, source_created_at = EXCLUDED.source_created_at,
       source_updated_at = EXCLUDED.source_updated_at, synced_at = EXCLUDED.synced_at,
",
    soft_delete!()
);

/// Deals store the stage's label and closed/won flags from `pipeline_stages` (synced first),
/// falling back to the raw stage id when the stage is unknown.
const DEALS: &str = concat!(
    "
WITH r AS (DELETE FROM pg_temp.sync_stage_deals RETURNING *)
INSERT INTO deals AS t (organization_id, source_system, source_id, name, amount, currency, stage, stage_id,
                        pipeline, probability, is_closed, is_won, close_date, owner_id, account_id,
                        custom_fields, source_created_at, source_updated_at, synced_at, deleted_at)
SELECT $1, $2, r.source_id, coalesce(nullif(btrim(r.name), ''), 'Deal ' || r.source_id), r.amount::numeric, upper(r.currency),
       coalesce(s.label, r.stage_source_id), r.stage_source_id, coalesce(s.pipeline_label, r.pipeline),
       least(greatest(coalesce(r.probability::numeric, s.probability), 0), 1),
       coalesce(s.is_closed, false), coalesce(s.is_won AND s.is_closed, false), r.close_date, o.id, a.id,
       coalesce(r.custom_fields, '{}'), r.source_created_at, r.source_updated_at, now(),
       CASE WHEN r.deleted THEN now() END
  FROM r
  LEFT JOIN pipeline_stages s ON s.organization_id = $1 AND s.source_system = $2
                             AND s.source_id = r.stage_source_id
  LEFT JOIN accounts a ON a.organization_id = $1 AND a.source_system = $2 AND a.source_id = r.account_source_id
  LEFT JOIN users o ON o.organization_id = $1 AND o.source_system = $2 AND o.source_id = r.owner_source_id
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
   SET name = EXCLUDED.name, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
       stage = EXCLUDED.stage, stage_id = EXCLUDED.stage_id, pipeline = EXCLUDED.pipeline,
       probability = EXCLUDED.probability, is_closed = EXCLUDED.is_closed, is_won = EXCLUDED.is_won,
       close_date = EXCLUDED.close_date, owner_id = EXCLUDED.owner_id, account_id = EXCLUDED.account_id,
       custom_fields = EXCLUDED.custom_fields, source_created_at = EXCLUDED.source_created_at,
       source_updated_at = EXCLUDED.source_updated_at, synced_at = EXCLUDED.synced_at,
",
    soft_delete!()
);

/// `$3`: the member whose personal connection this is (NULL for organization connections),
/// `$4`: whether they share it. Links first by the provider's own ids, then across sources:
/// the first of `link_emails` that is a contact (its account too), the first of `link_domains`
/// that is an account's domain, and the author by `owner_email`.
const ACTIVITIES: &str = concat!(
    "
WITH r AS (DELETE FROM pg_temp.sync_stage_activities RETURNING *)
INSERT INTO activities AS t (organization_id, source_system, source_id, type, subject, description,
                             activity_date, duration_seconds, participants, deal_id, account_id,
                             contact_id, owner_id, is_private, private_to, custom_fields,
                             source_created_at, source_updated_at, synced_at, deleted_at)
SELECT $1, $2, CASE WHEN $3::uuid IS NULL THEN r.source_id ELSE $3::uuid || ':' || r.source_id END,
       r.type, r.subject, r.description, r.activity_date,
       CASE WHEN r.duration_seconds >= 0 THEN r.duration_seconds END,
       CASE WHEN jsonb_typeof(r.participants) = 'array' THEN r.participants ELSE '[]' END,
       d.id, coalesce(a.id, lc.account_id, la.id), coalesce(c.id, lc.id), coalesce(o.id, lo.id, $3::uuid),
       coalesce(r.is_private, false),
       CASE WHEN $3::uuid IS NOT NULL AND (coalesce(r.is_private, false) OR NOT $4) THEN $3::uuid END,
       coalesce(r.custom_fields, '{}'), r.source_created_at,
       r.source_updated_at, now(), CASE WHEN r.deleted THEN now() END
  FROM r
  LEFT JOIN deals d ON d.organization_id = $1 AND d.source_system = $2 AND d.source_id = r.deal_source_id
  LEFT JOIN accounts a ON a.organization_id = $1 AND a.source_system = $2 AND a.source_id = r.account_source_id
  LEFT JOIN contacts c ON c.organization_id = $1 AND c.source_system = $2 AND c.source_id = r.contact_source_id
  LEFT JOIN users o ON o.organization_id = $1 AND o.source_system = $2 AND o.source_id = r.owner_source_id
  LEFT JOIN LATERAL (
        SELECT lc.id, lc.account_id
          FROM unnest(r.link_emails)
               WITH ORDINALITY AS e(email, n)
          JOIN contacts lc ON lc.organization_id = $1 AND lower(lc.email) = lower(e.email)
                          AND lc.deleted_at IS NULL
         ORDER BY e.n, lc.account_id IS NULL, lc.source_updated_at DESC NULLS LAST
         LIMIT 1) lc ON c.id IS NULL
  LEFT JOIN LATERAL (
        SELECT la.id
          FROM unnest(r.link_domains)
               WITH ORDINALITY AS x(domain, n)
          JOIN accounts la ON la.organization_id = $1 AND lower(la.domain) = lower(x.domain)
                          AND la.deleted_at IS NULL
         ORDER BY x.n, la.source_updated_at DESC NULLS LAST
         LIMIT 1) la ON a.id IS NULL
  LEFT JOIN LATERAL (
        SELECT lo.id FROM users lo
         WHERE lo.organization_id = $1 AND lo.email = lower(btrim(r.owner_email))
           AND lo.deleted_at IS NULL
         ORDER BY lo.status = 'crm_only', lo.created_at
         LIMIT 1) lo ON o.id IS NULL AND r.owner_email IS NOT NULL
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
   SET type = EXCLUDED.type,",
    tombstone_keeps!(
        subject,
        description,
        activity_date,
        duration_seconds,
        deal_id,
        account_id,
        contact_id,
        owner_id,
        source_created_at,
        source_updated_at
    ),
    "
       participants = CASE WHEN EXCLUDED.deleted_at IS NULL OR EXCLUDED.participants <> '[]'
                           THEN EXCLUDED.participants ELSE t.participants END,
       custom_fields = CASE WHEN EXCLUDED.deleted_at IS NULL THEN EXCLUDED.custom_fields
                            ELSE t.custom_fields || EXCLUDED.custom_fields END,
       is_private = EXCLUDED.is_private OR (EXCLUDED.deleted_at IS NOT NULL AND t.is_private),
       private_to = CASE WHEN EXCLUDED.deleted_at IS NULL THEN EXCLUDED.private_to
                         ELSE coalesce(t.private_to, EXCLUDED.private_to) END,
       synced_at = EXCLUDED.synced_at,
",
    soft_delete!()
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_statement_consumes_its_own_staging_table() {
        let pairs = [
            (USERS, &staging::USERS),
            (STAGES, &staging::STAGES),
            (ACCOUNTS, &staging::ACCOUNTS),
            (CONTACTS, &staging::CONTACTS),
            (DEALS, &staging::DEALS),
            (ACTIVITIES, &staging::ACTIVITIES),
        ];
        for (sql, stage) in pairs {
            let source = format!("DELETE FROM pg_temp.{} RETURNING *", stage.table);
            assert!(
                sql.contains(&source),
                "{} is not read by its statement",
                stage.table
            );
            assert_eq!(sql.matches("DELETE FROM pg_temp.").count(), 1);
        }
    }
}
