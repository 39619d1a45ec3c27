//! Checks on the login the analytics pool uses, before the server starts: every tenant's SQL
//! runs as this one role, so it must hold no power beyond SELECT on the analytics relations,
//! and must not be able to read other sessions' query text.

use tokio_postgres::Client;

use super::SqlError;
use crate::config::DatabaseUrl;

/// Refuses a login that is the owner, a superuser, able to bypass RLS, or a member of any
/// role, or that can read the query text of other sessions.
pub async fn verify(client: &Client, url: &DatabaseUrl) -> Result<(), SqlError> {
    let row = client
        .query_one(
            "SELECT r.rolsuper, r.rolbypassrls, \
                    EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid), \
                    EXISTS (SELECT 1 FROM pg_tables t WHERE t.tableowner = r.rolname) \
             FROM pg_roles r WHERE r.rolname = current_user",
            &[],
        )
        .await
        .map_err(|e| SqlError::Unavailable(e.to_string()))?;
    let (superuser, bypass, member, owner): (bool, bool, bool, bool) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if superuser || bypass || member || owner {
        return Err(SqlError::Unavailable(format!(
            "the analytics login {} must be a plain role (superuser={superuser}, bypassrls={bypass}, \
             member of a role={member}, owns tables={owner})",
            url.redacted()
        )));
    }
    shared_activity_hidden(client).await
}

/// The catalog functions that read other sessions' query text (the statistics views call them).
const ACTIVITY_FUNCTIONS: &[&str] = &[
    "pg_catalog.pg_stat_get_activity(integer)",
    "pg_catalog.pg_stat_get_backend_activity(integer)",
];

/// Every tenant's SQL runs as the one analytics role, and PostgreSQL shows a role the query text of
/// all its own sessions: unless PUBLIC lost access to the activity views (which the migrations
/// arrange when a superuser runs them), one tenant could read another's in-flight SQL through a
/// query that got past the gate. A plain owner cannot revoke that, so Revtops refuses to start and
/// says what an administrator must run, once, in this database.
async fn shared_activity_hidden(client: &tokio_postgres::Client) -> Result<(), SqlError> {
    let functions: Vec<String> = ACTIVITY_FUNCTIONS.iter().map(|f| f.to_string()).collect();
    let row = client
        .query_one(
            "SELECT has_table_privilege('pg_catalog.pg_stat_activity', 'SELECT'),
                    EXISTS (SELECT 1 FROM unnest($1::text[]) f WHERE has_function_privilege(f, 'EXECUTE')),
                    (SELECT string_agg(format('%I.%I', n.nspname, c.relname), ' ')
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE c.relname IN ('pg_stat_statements', 'pg_stat_statements_info')
                        AND has_table_privilege(c.oid, 'SELECT')),
                    (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())",
            &[&functions],
        )
        .await
        .map_err(|e| SqlError::Unavailable(e.to_string()))?;
    let (view, function, statements, owner): (bool, bool, Option<String>, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if !view && !function && statements.is_none() {
        return Ok(());
    }
    let owner = crate::db::admin::quote_ident(&owner);
    let mut sql = vec![
        "REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC;".to_owned(),
        format!("GRANT SELECT ON pg_catalog.pg_stat_activity TO {owner};"),
    ];
    for f in ACTIVITY_FUNCTIONS {
        sql.push(format!("REVOKE EXECUTE ON FUNCTION {f} FROM PUBLIC;"));
        sql.push(format!("GRANT EXECUTE ON FUNCTION {f} TO {owner};"));
    }
    for view in statements.iter().flat_map(|s| s.split(' ')) {
        sql.push(format!("REVOKE SELECT ON {view} FROM PUBLIC;"));
    }
    Err(SqlError::Unavailable(format!(
        "every organization's analytics SQL runs as {role}, and this database lets {role} read the \
         query text of all its sessions (pg_stat_activity{extra}), so one tenant could see another's \
         questions. Ask a superuser to run this once in this database (the migrations do it \
         themselves when they run as a superuser), then start Revtops again:\n{sql}",
        role = crate::config::ANALYTICS_ROLE,
        extra = if statements.is_some() {
            ", pg_stat_statements"
        } else {
            ""
        },
        sql = sql.join("\n")
    )))
}
