//! The tools the model may call. Arguments are untrusted: each is validated against its schema
//! and a bad call becomes a tool error the model can correct, never a crashed run. Every tool is
//! scoped to the asker's organization by the analytics engine.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::AgentDeps;
use super::llm::ToolSpec;
use super::schema;
use crate::services::artifacts::{self, ArtifactSpec, NamedQuery};
use crate::sql::chart::ChartSpec;
use crate::sql::{QueryOutput, Viewer, catalog};

/// Rows of a result shown to the model (and stored, and shown in the chat); the rest is
/// summarised. The full result is one click away in the SQL explorer.
const MODEL_ROWS: usize = 100;

pub struct ToolContext<'a> {
    pub deps: &'a AgentDeps,
    pub org: Uuid,
    pub user: Uuid,
    pub conversation: Uuid,
}

impl ToolContext<'_> {
    /// The asker: their private rows (their own calendar) are theirs to query.
    fn viewer(&self) -> Viewer {
        Viewer::person(self.org, self.user)
    }
}

#[derive(Debug, Clone)]
pub struct ToolOutcome {
    pub is_error: bool,
    /// What the model is given (as JSON text in the tool_result) and the UI shows: one value,
    /// so the chat renders a step the same way live and after a reload.
    pub output: Value,
    /// One line for the UI ("42 rows", "artifact saved").
    pub summary: String,
    pub artifact: Option<(Uuid, String)>,
}

impl ToolOutcome {
    pub fn error(message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            is_error: true,
            output: json!({ "error": message }),
            summary: message,
            artifact: None,
        }
    }
}

/// The JSON schema of a chart spec (see `sql::chart`); artifacts also name the query it draws.
fn chart_schema(with_query: bool) -> Value {
    let name = json!({"type": "string", "maxLength": 100});
    let mut properties = json!({
        "kind": {"type": "string", "enum": ["bar", "line", "area", "pie", "funnel", "number", "table"],
                 "description": "number shows one figure (the first row of the single y column)"},
        "x": {"type": "string", "maxLength": 100, "description": "category or date column"},
        "y": {"type": "array", "maxItems": 6, "items": name, "description": "numeric columns to plot"},
        "series": {"type": "string", "maxLength": 100, "description": "column splitting the one y column into series"},
        "stacked": {"type": "boolean"},
        "format": {"type": "string", "enum": ["number", "currency", "percent"]},
        "title": {"type": "string", "maxLength": 200}
    });
    if with_query {
        properties["query"] = json!({"type": "string", "maxLength": 100, "description": "name of the query to draw (default: the first)"});
    }
    json!({"type": "object", "additionalProperties": false, "required": ["kind"], "properties": properties})
}

/// The tool definitions, built once: the SQL tool's description embeds the whole schema text.
pub fn specs() -> &'static [ToolSpec] {
    static SPECS: std::sync::OnceLock<Vec<ToolSpec>> = std::sync::OnceLock::new();
    SPECS.get_or_init(build_specs)
}

fn build_specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "run_sql_query",
            description: format!(
                "Run one read-only PostgreSQL SELECT over the organization's revenue data and get the rows back. \
                 Only these tables exist (every row is already limited to this organization):\n{}",
                catalog::describe()
            ),
            input_schema: json!({
                "type": "object", "additionalProperties": false, "required": ["sql"],
                "properties": {
                    "sql": {"type": "string", "minLength": 1, "maxLength": 20000, "description": "A single SELECT statement"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "Most rows to return"},
                    "chart": chart_schema(false)
                }
            }),
        },
        ToolSpec {
            name: "create_artifact",
            description: "Save a dashboard, report or analysis the user can reopen: its SQL queries, a chart \
                          spec and a snapshot of the data. Live artifacts re-run their SQL when opened."
                .into(),
            input_schema: json!({
                "type": "object", "additionalProperties": false, "required": ["title", "type", "queries"],
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string", "maxLength": 2000},
                    "type": {"type": "string", "enum": ["dashboard", "report", "analysis"]},
                    "queries": {"type": "array", "minItems": 1, "maxItems": 6, "items": {
                        "type": "object", "additionalProperties": false, "required": ["name", "sql"],
                        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                                       "sql": {"type": "string", "minLength": 1, "maxLength": 20000}}}},
                    "chart": chart_schema(true),
                    "is_live": {"type": "boolean"}
                }
            }),
        },
        ToolSpec {
            name: "search_activities",
            description: "Full-text search over emails, meetings, calls, notes, tasks and Slack messages \
                          (subjects and bodies), newest and most relevant first."
                .into(),
            input_schema: json!({
                "type": "object", "additionalProperties": false, "required": ["query"],
                "properties": {
                    "query": {"type": "string", "minLength": 1, "maxLength": 500, "description": "Words to search for; quotes and OR work as on the web"},
                    "types": {"type": "array", "maxItems": 6, "items": {"type": "string", "enum": ["email", "meeting", "call", "note", "message", "task"]}},
                    "source": {"type": "string", "maxLength": 50, "description": "Only this source system, e.g. hubspot or slack"},
                    "since": {"type": "string", "format": "date"},
                    "until": {"type": "string", "format": "date"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50}
                }
            }),
        },
    ]
}

/// A result as the model and the UI see it, with its chart checked against its columns. A bad
/// chart does not waste the rows: they come back with `chart_error` for the model to fix.
fn table_outcome(out: &QueryOutput, chart: Option<&Value>) -> ToolOutcome {
    let shown: Vec<&Vec<Value>> = out.rows.iter().take(MODEL_ROWS).collect();
    let columns: Vec<&str> = out.columns.iter().map(|c| c.name.as_str()).collect();
    let types: Vec<&str> = out.columns.iter().map(|c| c.r#type.as_str()).collect();
    let mut output = json!({
        "columns": columns,
        "types": types,
        "rows": shown,
        "row_count": out.row_count,
        "truncated": out.truncated || out.row_count > MODEL_ROWS,
        "elapsed_ms": (out.elapsed_ms * 10.0).round() / 10.0,
    });
    if out.row_count > MODEL_ROWS {
        output["note"] = json!(format!("only the first {MODEL_ROWS} rows are shown"));
    }
    if let Some(spec) = chart {
        match ChartSpec::parse(spec).and_then(|c| c.validate(&out.columns)) {
            Ok(valid) => output["chart"] = json!(valid),
            Err(why) => output["chart_error"] = json!(why),
        }
    }
    ToolOutcome {
        is_error: false,
        output,
        summary: format!(
            "{} row{}{}",
            out.row_count,
            if out.row_count == 1 { "" } else { "s" },
            if out.truncated { " (truncated)" } else { "" }
        ),
        artifact: None,
    }
}

pub async fn run(ctx: &ToolContext<'_>, name: &str, input: &Value) -> ToolOutcome {
    let Some(spec) = specs().iter().find(|s| s.name == name) else {
        return ToolOutcome::error(format!("there is no tool called {name}"));
    };
    if let Some(raw) = input.get("__unparsable_input") {
        return ToolOutcome::error(format!(
            "the tool input was not valid JSON: {}",
            raw.as_str().unwrap_or_default()
        ));
    }
    if let Err(why) = schema::validate(input, &spec.input_schema) {
        return ToolOutcome::error(why);
    }
    match name {
        "run_sql_query" => {
            let limit = input["limit"].as_u64().map(|l| l as usize);
            match ctx
                .deps
                .sql
                .query(
                    ctx.viewer(),
                    input["sql"].as_str().unwrap_or_default(),
                    limit,
                )
                .await
            {
                Ok(out) => table_outcome(&out, input.get("chart")),
                Err(e) => ToolOutcome::error(e.to_string()),
            }
        }
        "search_activities" => search(ctx, input).await,
        "create_artifact" => create_artifact(ctx, input).await,
        _ => ToolOutcome::error(format!("there is no tool called {name}")),
    }
}

fn day_start(raw: Option<&str>, plus_days: i64) -> Option<chrono::DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(raw?, "%Y-%m-%d").ok()? + Duration::days(plus_days);
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}

async fn search(ctx: &ToolContext<'_>, input: &Value) -> ToolOutcome {
    const SQL: &str = "SELECT id, type, subject, left(description, 300) AS excerpt, activity_date, source_system, \
                              deal_id, account_id, contact_id \
                       FROM activities, websearch_to_tsquery('english', $1) q \
                       WHERE to_tsvector('english', coalesce(subject, '') || ' ' || coalesce(description, '')) @@ q \
                         AND ($2::text[] IS NULL OR type = ANY($2)) \
                         AND ($3::text IS NULL OR source_system = $3) \
                         AND ($4::timestamptz IS NULL OR activity_date >= $4) \
                         AND ($5::timestamptz IS NULL OR activity_date < $5) \
                       ORDER BY ts_rank(to_tsvector('english', coalesce(subject, '') || ' ' || coalesce(description, '')), q) DESC, \
                                activity_date DESC NULLS LAST \
                       LIMIT $6";
    let query = input["query"].as_str().unwrap_or_default().to_owned();
    let types: Option<Vec<String>> = input["types"].as_array().map(|a| {
        a.iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect()
    });
    let source = input["source"].as_str().map(str::to_owned);
    let since = day_start(input["since"].as_str(), 0);
    let until = day_start(input["until"].as_str(), 1);
    let limit = input["limit"].as_i64().unwrap_or(20);
    let result = ctx
        .deps
        .sql
        .query_trusted(
            ctx.viewer(),
            SQL,
            &[&query, &types, &source, &since, &until, &limit],
            50,
        )
        .await;
    match result {
        Ok(out) => table_outcome(&out, None),
        Err(e) => ToolOutcome::error(e.to_string()),
    }
}

async fn create_artifact(ctx: &ToolContext<'_>, input: &Value) -> ToolOutcome {
    let queries: Vec<NamedQuery> = match serde_json::from_value(input["queries"].clone()) {
        Ok(q) => q,
        Err(e) => return ToolOutcome::error(format!("queries: {e}")),
    };
    // Check every query before saving, so a broken dashboard is never stored.
    for q in &queries {
        if let Err(e) = crate::sql::gate::admit(&q.sql) {
            return ToolOutcome::error(format!("query {}: {e}", q.name));
        }
    }
    let spec = ArtifactSpec {
        title: input["title"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        description: input["description"].as_str().map(str::to_owned),
        kind: input["type"].as_str().unwrap_or("analysis").to_owned(),
        queries,
        chart: match input
            .get("chart")
            .filter(|c| !c.is_null())
            .map(ChartSpec::parse)
        {
            Some(Ok(chart)) => Some(chart),
            Some(Err(why)) => return ToolOutcome::error(why),
            None => None,
        },
        is_live: input["is_live"].as_bool().unwrap_or(false),
    };
    let title = spec.title.clone();
    match artifacts::create(
        &ctx.deps.db,
        &ctx.deps.sql,
        ctx.org,
        ctx.user,
        Some(ctx.conversation),
        spec,
    )
    .await
    {
        Ok(a) => ToolOutcome {
            is_error: false,
            output: json!({"artifact_id": a.id, "title": a.title, "saved": true}),
            summary: format!("saved \"{title}\""),
            artifact: Some((a.id, a.title)),
        },
        Err(e) => ToolOutcome::error(format!("could not save the artifact: {e}")),
    }
}
