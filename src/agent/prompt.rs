//! The system prompt of a chat run: who is asking, today's date in their time zone, which sources
//! feed the data and how fresh they are, and the schema the tools can read.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::AgentDeps;
use crate::db::schema::{integrations, organizations};
use crate::services::chat::Owner;
use crate::sql::catalog;

pub async fn system(deps: &AgentDeps, owner: Owner, time_zone: Option<&str>) -> String {
    let mut org_name = String::from("your organization");
    let mut sources = Vec::new();
    if let Ok(mut conn) = deps.db.get().await {
        if let Ok(name) = organizations::table
            .find(owner.org_id)
            .select(organizations::name)
            .first::<String>(&mut conn)
            .await
        {
            org_name = name;
        }
        let rows: Vec<(String, Option<chrono::DateTime<Utc>>)> = integrations::table
            .filter(integrations::organization_id.eq(owner.org_id))
            .filter(integrations::is_active.eq(true))
            .select((integrations::provider, integrations::last_sync_at))
            .load(&mut conn)
            .await
            .unwrap_or_default();
        for (provider, synced) in rows {
            sources.push(match synced {
                Some(t) => format!(
                    "{provider} (last synced {})",
                    t.format("%Y-%m-%d %H:%M UTC")
                ),
                None => format!("{provider} (not synced yet)"),
            });
        }
    }
    let sources = if sources.is_empty() {
        "no data source connected yet (demo data may be loaded)".to_owned()
    } else {
        sources.join(", ")
    };
    // Only a plausible IANA name goes into the prompt.
    let tz = time_zone
        .filter(|t| {
            t.len() <= 64
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        })
        .unwrap_or("UTC");
    format!(
        "You are Revtops, a revenue copilot for {org_name}'s sales and RevOps team.\n\
         Today is {today} (UTC). The user's time zone is {tz}.\n\
         Connected data sources: {sources}.\n\n\
         Answer questions about pipeline, deals, accounts, contacts, reps and activities by querying the data \
         with run_sql_query (read-only PostgreSQL; every row is already limited to this organization) and \
         search_activities for what was said in emails, meetings and messages. Never invent numbers: query \
         first, then answer concisely with the figures, and say what you assumed. Money amounts are in each \
         deal's currency. When a chart helps, pass `chart` to run_sql_query (it is drawn beside your answer). \
         When the user wants to keep a view, save it with create_artifact.\n\n\
         Schema:\n{schema}",
        today = Utc::now().format("%Y-%m-%d"),
        schema = catalog::describe()
    )
}
