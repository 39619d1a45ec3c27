//! A page's rows reach PostgreSQL through binary `COPY` into a temporary staging table of the
//! connection (one per normalized table, created once per connection), which the page's upsert
//! then consumes in the same transaction (`DELETE … RETURNING` as its source). Temporary
//! tables write no WAL, and binary COPY is the cheapest way in: no per-row statement, no JSON
//! to parse server-side. Autovacuum never visits temporary tables, so the dead rows consumed
//! pages leave behind are truncated away every [`TRUNCATE_EVERY`] pages ([`sweep`]): left alone
//! they would pile up over a backfill and every page would scan them all. (`ON COMMIT DELETE
//! ROWS` would truncate at every commit instead, which measured 2 ms a page.)

use futures_util::pin_mut;
use tokio_postgres::Transaction;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{Json, Type};

use super::SyncError;
use crate::connectors::Rows;

/// One staging table: its name and columns, in the order rows are written.
pub struct Stage {
    pub table: &'static str,
    pub columns: &'static [(&'static str, Type)],
}

impl Stage {
    fn create(&self) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|(name, ty)| format!("{name} {}", ty.name()))
            .collect();
        format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} ({})",
            self.table,
            columns.join(", ")
        )
    }

    fn copy(&self) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|(name, _)| *name).collect();
        format!(
            "COPY pg_temp.{} ({}) FROM STDIN (FORMAT binary)",
            self.table,
            columns.join(", ")
        )
    }

    fn types(&self) -> Vec<Type> {
        self.columns.iter().map(|(_, ty)| ty.clone()).collect()
    }
}

const TEXT: Type = Type::TEXT;
const INT: Type = Type::INT4;
const FLOAT: Type = Type::FLOAT8;
const BOOL: Type = Type::BOOL;
const JSONB: Type = Type::JSONB;
const TIME: Type = Type::TIMESTAMPTZ;

pub const USERS: Stage = Stage {
    table: "sync_stage_users",
    columns: &[
        ("source_id", TEXT),
        ("email", TEXT),
        ("name", TEXT),
        ("deleted", BOOL),
        ("custom_fields", JSONB),
    ],
};

pub const STAGES: Stage = Stage {
    table: "sync_stage_pipeline_stages",
    columns: &[
        ("source_id", TEXT),
        ("pipeline_id", TEXT),
        ("pipeline_label", TEXT),
        ("label", TEXT),
        ("display_order", INT),
        ("probability", FLOAT),
        ("is_closed", BOOL),
        ("is_won", BOOL),
        ("deleted", BOOL),
        ("custom_fields", JSONB),
    ],
};

pub const ACCOUNTS: Stage = Stage {
    table: "sync_stage_accounts",
    columns: &[
        ("source_id", TEXT),
        ("name", TEXT),
        ("domain", TEXT),
        ("industry", TEXT),
        ("employee_count", INT),
        ("annual_revenue", TEXT),
        ("owner_source_id", TEXT),
        ("source_created_at", TIME),
        ("source_updated_at", TIME),
        ("deleted", BOOL),
        ("custom_fields", JSONB),
    ],
};

pub const CONTACTS: Stage = Stage {
    table: "sync_stage_contacts",
    columns: &[
        ("source_id", TEXT),
        ("first_name", TEXT),
        ("last_name", TEXT),
        ("name", TEXT),
        ("email", TEXT),
        ("title", TEXT),
        ("phone", TEXT),
        ("account_source_id", TEXT),
        ("owner_source_id", TEXT),
        ("source_created_at", TIME),
        ("source_updated_at", TIME),
        ("deleted", BOOL),
        ("custom_fields", JSONB),
    ],
};

pub const DEALS: Stage = Stage {
    table: "sync_stage_deals",
    columns: &[
        ("source_id", TEXT),
        ("name", TEXT),
        ("amount", TEXT),
        ("currency", TEXT),
        ("stage_source_id", TEXT),
        ("pipeline", TEXT),
        ("probability", FLOAT),
        ("close_date", Type::DATE),
        ("owner_source_id", TEXT),
        ("account_source_id", TEXT),
        ("source_created_at", TIME),
        ("source_updated_at", TIME),
        ("deleted", BOOL),
        ("custom_fields", JSONB),
    ],
};

pub const ACTIVITIES: Stage = Stage {
    table: "sync_stage_activities",
    columns: &[
        ("source_id", TEXT),
        ("type", TEXT),
        ("subject", TEXT),
        ("description", TEXT),
        ("activity_date", TIME),
        ("duration_seconds", INT),
        ("participants", JSONB),
        ("deal_source_id", TEXT),
        ("account_source_id", TEXT),
        ("contact_source_id", TEXT),
        ("owner_source_id", TEXT),
        ("link_emails", Type::TEXT_ARRAY),
        ("link_domains", Type::TEXT_ARRAY),
        ("owner_email", TEXT),
        ("is_private", BOOL),
        ("source_created_at", TIME),
        ("source_updated_at", TIME),
        ("deleted", BOOL),
        ("custom_fields", JSONB),
    ],
};

const ALL: [&Stage; 6] = [&USERS, &STAGES, &ACCOUNTS, &CONTACTS, &DEALS, &ACTIVITIES];

/// Creates the connection's staging tables (a no-op for those it has). Once per connection,
/// before its first page.
pub async fn prepare(client: &tokio_postgres::Client) -> Result<(), SyncError> {
    let ddl: Vec<String> = ALL.iter().map(|stage| stage.create()).collect();
    // "already exists, skipping" notices would only be noise.
    client
        .batch_execute(&format!(
            "SET client_min_messages TO warning; {}; RESET client_min_messages",
            ddl.join("; ")
        ))
        .await?;
    Ok(())
}

/// How many pages a connection stages between truncations of its staging tables.
pub const TRUNCATE_EVERY: u32 = 64;

/// Truncates the staging tables: what consumed pages left is dead and can go at once.
pub async fn sweep(client: &tokio_postgres::Client) -> Result<(), SyncError> {
    let tables: Vec<String> = ALL
        .iter()
        .map(|stage| format!("pg_temp.{}", stage.table))
        .collect();
    client
        .batch_execute(&format!("TRUNCATE {}", tables.join(", ")))
        .await?;
    Ok(())
}

/// Writes a stage's rows with one binary COPY: `$row` binds each row, `$values` lists its
/// columns in the stage's order.
macro_rules! copy_rows {
    ($tx:expr, $stage:expr, $rows:expr, |$row:ident| $values:expr) => {{
        let sink = $tx.copy_in(&$stage.copy()).await?;
        let writer = BinaryCopyInWriter::new(sink, &$stage.types());
        pin_mut!(writer);
        for $row in $rows {
            writer.as_mut().write(&$values).await?;
        }
        writer.finish().await?;
    }};
}

/// Stages a page's rows, the last occurrence of each source id winning: one upsert may not
/// update the same row twice, and a page can repeat a record that changed while paging.
/// Returns the stage the upsert reads.
pub async fn stage(tx: &Transaction<'_>, rows: &Rows) -> Result<&'static Stage, SyncError> {
    Ok(match rows {
        Rows::Users(r) => {
            copy_rows!(tx, USERS, last_of_each(r, |x| &x.source_id), |u| [
                &u.source_id,
                &u.email,
                &u.name,
                &u.deleted,
                &Json(&u.custom_fields),
            ]);
            &USERS
        }
        Rows::PipelineStages(r) => {
            copy_rows!(tx, STAGES, last_of_each(r, |x| &x.source_id), |s| [
                &s.source_id,
                &s.pipeline_id,
                &s.pipeline_label,
                &s.label,
                &s.display_order,
                &s.probability,
                &s.is_closed,
                &s.is_won,
                &s.deleted,
                &Json(&s.custom_fields),
            ]);
            &STAGES
        }
        Rows::Accounts(r) => {
            copy_rows!(tx, ACCOUNTS, last_of_each(r, |x| &x.source_id), |a| [
                &a.source_id,
                &a.name,
                &a.domain,
                &a.industry,
                &a.employee_count,
                &a.annual_revenue,
                &a.owner_source_id,
                &a.source_created_at,
                &a.source_updated_at,
                &a.deleted,
                &Json(&a.custom_fields),
            ]);
            &ACCOUNTS
        }
        Rows::Contacts(r) => {
            copy_rows!(tx, CONTACTS, last_of_each(r, |x| &x.source_id), |c| [
                &c.source_id,
                &c.first_name,
                &c.last_name,
                &c.name,
                &c.email,
                &c.title,
                &c.phone,
                &c.account_source_id,
                &c.owner_source_id,
                &c.source_created_at,
                &c.source_updated_at,
                &c.deleted,
                &Json(&c.custom_fields),
            ]);
            &CONTACTS
        }
        Rows::Deals(r) => {
            copy_rows!(tx, DEALS, last_of_each(r, |x| &x.source_id), |d| [
                &d.source_id,
                &d.name,
                &d.amount,
                &d.currency,
                &d.stage_source_id,
                &d.pipeline,
                &d.probability,
                &d.close_date,
                &d.owner_source_id,
                &d.account_source_id,
                &d.source_created_at,
                &d.source_updated_at,
                &d.deleted,
                &Json(&d.custom_fields),
            ]);
            &DEALS
        }
        Rows::Activities(r) => {
            copy_rows!(tx, ACTIVITIES, last_of_each(r, |x| &x.source_id), |a| [
                &a.source_id,
                &a.kind.as_str(),
                &a.subject,
                &a.description,
                &a.activity_date,
                &a.duration_seconds,
                &a.participants,
                &a.deal_source_id,
                &a.account_source_id,
                &a.contact_source_id,
                &a.owner_source_id,
                &a.link_emails,
                &a.link_domains,
                &a.owner_email,
                &a.is_private,
                &a.source_created_at,
                &a.source_updated_at,
                &a.deleted,
                &Json(&a.custom_fields),
            ]);
            &ACTIVITIES
        }
    })
}

/// The rows in page order, keeping only the last occurrence of each key.
fn last_of_each<T>(rows: &[T], key: impl Fn(&T) -> &str) -> impl Iterator<Item = &T> {
    let mut last = std::collections::HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        last.insert(key(row), i);
    }
    let keep: Vec<bool> = (0..rows.len())
        .map(|i| last.get(key(&rows[i])) == Some(&i))
        .collect();
    rows.iter().zip(keep).filter(|(_, k)| *k).map(|(r, _)| r)
}
