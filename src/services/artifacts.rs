//! Saved dashboards, reports and analyses. They are shared within the organization; the creator
//! or an admin may delete them. Live artifacts re-run their SQL through the analytics engine
//! (scoped to the caller's organization) each time their data is read.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::auth::{AuthUser, Role};
use super::{ServiceError, ServiceResult};
use crate::db::DbPool;
use crate::db::models::Artifact;
use crate::db::schema::{artifacts, dashboard_tiles};
use crate::sql::chart::ChartSpec;
use crate::sql::{ColumnInfo, QueryOutput, SqlEngine, SqlError, Viewer};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NamedQuery {
    pub name: String,
    pub sql: String,
}

#[derive(Debug, Clone)]
pub struct ArtifactSpec {
    pub title: String,
    pub description: Option<String>,
    pub kind: String,
    pub queries: Vec<NamedQuery>,
    pub chart: Option<ChartSpec>,
    pub is_live: bool,
}

type Results = Vec<(String, Result<QueryOutput, SqlError>)>;

async fn run_each(engine: &SqlEngine, viewer: Viewer, queries: &[NamedQuery]) -> Results {
    let mut out = Vec::with_capacity(queries.len());
    for q in queries {
        out.push((q.name.clone(), engine.query(viewer, &q.sql, None).await));
    }
    out
}

/// `{name: result}` or `{name: {"error": …}}`.
fn results_json(results: Results) -> Value {
    let map = results
        .into_iter()
        .map(|(name, result)| {
            let value = match result {
                Ok(out) => serde_json::to_value(out).unwrap_or(Value::Null),
                Err(e) => json!({ "error": e.to_string() }),
            };
            (name, value)
        })
        .collect();
    Value::Object(map)
}

/// Runs every query of an artifact for `org`.
pub async fn run_queries(engine: &SqlEngine, viewer: Viewer, queries: &[NamedQuery]) -> Value {
    results_json(run_each(engine, viewer, queries).await)
}

/// Checks the chart against the columns of the query it draws (named, or the first).
fn check_chart(chart: ChartSpec, results: &Results) -> ServiceResult<ChartSpec> {
    let name = chart
        .query
        .clone()
        .or_else(|| <[_]>::first(results).map(|(n, _)| n.clone()))
        .unwrap_or_default();
    let (_, result) = results
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| ServiceError::Invalid(format!("chart.query: there is no query {name:?}")))?;
    let out = result
        .as_ref()
        .map_err(|e| ServiceError::Invalid(format!("chart: query {name:?} failed: {e}")))?;
    let mut chart = chart
        .validate(&out.columns)
        .map_err(ServiceError::Invalid)?;
    chart.query = Some(name);
    Ok(chart)
}

pub async fn create(
    pool: &DbPool,
    engine: &SqlEngine,
    org: Uuid,
    user: Uuid,
    conversation: Option<Uuid>,
    spec: ArtifactSpec,
) -> ServiceResult<Artifact> {
    let results = run_each(engine, Viewer::person(org, user), &spec.queries).await;
    let private = holds_private(pool, engine, org, user, &spec.queries, &results).await?;
    insert(pool, org, user, conversation, spec, results, private).await
}

/// Whether results read as `user` hold rows their colleagues may not see. Only someone with
/// private rows can produce them; their queries are then re-run for the organization alone and
/// compared (a change in between reads as private: the safe side).
async fn holds_private(
    pool: &DbPool,
    engine: &SqlEngine,
    org: Uuid,
    user: Uuid,
    queries: &[NamedQuery],
    results: &Results,
) -> ServiceResult<bool> {
    use crate::db::schema::activities;
    let mut conn = pool.get().await?;
    let has_private: bool = diesel::select(diesel::dsl::exists(
        activities::table
            .filter(activities::organization_id.eq(org))
            .filter(activities::private_to.eq(user)),
    ))
    .get_result(&mut conn)
    .await?;
    drop(conn);
    if !has_private {
        return Ok(false);
    }
    let shared = run_each(engine, Viewer::from(org), queries).await;
    let rows = |r: &Results| -> Vec<Option<(Vec<Vec<Value>>, bool)>> {
        r.iter()
            .map(|(_, r)| r.as_ref().ok().map(|o| (o.rows.clone(), o.truncated)))
            .collect()
    };
    Ok(rows(results) != rows(&shared))
}

/// Saves one query a person ran (the SQL explorer, a chat step) with the result they saw as its
/// snapshot; the caller ran it through the engine, so a refused query never becomes an artifact.
pub async fn create_from_result(
    pool: &DbPool,
    engine: &SqlEngine,
    user: &AuthUser,
    conversation: Option<Uuid>,
    spec: ArtifactSpec,
    result: QueryOutput,
) -> ServiceResult<Artifact> {
    let org = user.require_org()?;
    if let Some(conversation) = conversation {
        // Only the asker's own conversation may be named as where it came from.
        let owner = super::chat::Owner {
            org_id: org,
            user_id: user.user_id,
        };
        super::chat::get(pool, owner, conversation).await?;
    }
    let name = <[_]>::first(&spec.queries)
        .map(|q: &NamedQuery| q.name.clone())
        .ok_or_else(|| ServiceError::Invalid("an artifact needs a query".into()))?;
    let results = vec![(name, Ok(result))];
    let first = &spec.queries[..1];
    let private = holds_private(pool, engine, org, user.user_id, first, &results).await?;
    insert(
        pool,
        org,
        user.user_id,
        conversation,
        spec,
        results,
        private,
    )
    .await
}

async fn insert(
    pool: &DbPool,
    org: Uuid,
    user: Uuid,
    conversation: Option<Uuid>,
    spec: ArtifactSpec,
    results: Results,
    snapshot_private: bool,
) -> ServiceResult<Artifact> {
    let chart = spec
        .chart
        .map(|c| check_chart(c, &results))
        .transpose()?
        .map(|c| json!(c));
    let snapshot = results_json(results);
    let queries =
        serde_json::to_value(&spec.queries).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut conn = pool.get().await?;
    Ok(diesel::insert_into(artifacts::table)
        .values((
            artifacts::organization_id.eq(org),
            artifacts::user_id.eq(user),
            artifacts::conversation_id.eq(conversation),
            artifacts::type_.eq(&spec.kind),
            artifacts::title.eq(&spec.title),
            artifacts::description.eq(&spec.description),
            artifacts::queries.eq(queries),
            artifacts::chart_spec.eq(&chart),
            artifacts::snapshot.eq(Some(snapshot)),
            artifacts::is_live.eq(spec.is_live),
            artifacts::snapshot_private.eq(snapshot_private),
        ))
        .returning(Artifact::as_returning())
        .get_result(&mut conn)
        .await?)
}

/// The named queries of an artifact (the name of its first when `name` is None).
pub fn queries_of(artifact: &Artifact) -> Vec<NamedQuery> {
    serde_json::from_value(artifact.queries.clone()).unwrap_or_default()
}

/// The columns its snapshot holds for `query` (the first query when None): what a chart drawn
/// from the artifact is checked against.
pub fn snapshot_columns(artifact: &Artifact, query: Option<&str>) -> Option<Vec<ColumnInfo>> {
    let name = match query {
        Some(q) => q.to_owned(),
        None => queries_of(artifact).into_iter().next()?.name,
    };
    let columns = artifact.snapshot.as_ref()?.get(&name)?.get("columns")?;
    serde_json::from_value(columns.clone()).ok()
}

/// Checks a chart meant for `artifact` (a dashboard tile's own) against the artifact's columns.
pub fn check_chart_for(artifact: &Artifact, chart: ChartSpec) -> ServiceResult<ChartSpec> {
    let name = chart
        .query
        .clone()
        .or_else(|| queries_of(artifact).into_iter().next().map(|q| q.name))
        .ok_or_else(|| ServiceError::Invalid("chart: the artifact has no query".into()))?;
    let columns = snapshot_columns(artifact, Some(&name)).ok_or_else(|| {
        ServiceError::Invalid(format!(
            "chart.query: the artifact has no result for {name:?} to draw"
        ))
    })?;
    let mut chart = chart.validate(&columns).map_err(ServiceError::Invalid)?;
    chart.query = Some(name);
    Ok(chart)
}

pub async fn list(pool: &DbPool, user: &AuthUser) -> ServiceResult<Vec<Artifact>> {
    let org = user.require_org()?;
    let mut conn = pool.get().await?;
    Ok(artifacts::table
        .filter(artifacts::organization_id.eq(org))
        .filter(artifacts::deleted_at.is_null())
        .order(artifacts::created_at.desc())
        .limit(500)
        .select(Artifact::as_select())
        .load(&mut conn)
        .await?)
}

pub async fn get(pool: &DbPool, user: &AuthUser, id: Uuid) -> ServiceResult<Artifact> {
    let org = user.require_org()?;
    let mut conn = pool.get().await?;
    artifacts::table
        .filter(artifacts::id.eq(id))
        .filter(artifacts::organization_id.eq(org))
        .filter(artifacts::deleted_at.is_null())
        .select(Artifact::as_select())
        .first(&mut conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("artifact"))
}

pub async fn delete(pool: &DbPool, user: &AuthUser, id: Uuid) -> ServiceResult<()> {
    let artifact = get(pool, user, id).await?;
    if artifact.user_id != Some(user.user_id) && user.role != Role::Admin {
        return Err(ServiceError::Forbidden(
            "only the creator or an admin can delete this artifact".into(),
        ));
    }
    let mut conn = pool.get().await?;
    diesel::update(artifacts::table.find(id))
        .set(artifacts::deleted_at.eq(Utc::now()))
        .execute(&mut conn)
        .await?;
    // A deleted artifact leaves every dashboard it was pinned to.
    diesel::delete(dashboard_tiles::table.filter(dashboard_tiles::artifact_id.eq(id)))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// What an artifact's data read found, and when the rows were read.
pub struct ArtifactData {
    /// True when the queries were just re-run; false for the saved snapshot.
    pub live: bool,
    pub results: Value,
    pub read_at: DateTime<Utc>,
}

fn viewer_of(artifact: &Artifact, user: &AuthUser) -> Viewer {
    Viewer::person(artifact.organization_id, user.user_id)
}

/// The artifact's data: fresh results for live artifacts, the saved snapshot otherwise — but a
/// snapshot holding its creator's private rows is theirs alone: anyone else gets the queries
/// re-run as themselves.
pub async fn data(
    pool: &DbPool,
    engine: &SqlEngine,
    user: &AuthUser,
    id: Uuid,
) -> ServiceResult<ArtifactData> {
    let artifact = get(pool, user, id).await?;
    let someone_elses_private = artifact.snapshot_private && artifact.user_id != Some(user.user_id);
    if !artifact.is_live && !someone_elses_private {
        return Ok(ArtifactData {
            live: false,
            results: artifact.snapshot.unwrap_or(Value::Null),
            read_at: artifact.created_at,
        });
    }
    let read_at = Utc::now();
    let queries = queries_of(&artifact);
    Ok(ArtifactData {
        live: true,
        // Re-run as the person looking: a live tile shows each viewer what they may see.
        results: run_queries(engine, viewer_of(&artifact, user), &queries).await,
        read_at,
    })
}

/// One query of an artifact re-run for export, up to the engine's row cap (live or not: an
/// export is of the data as it is now, which the file's name says).
pub async fn export(
    pool: &DbPool,
    engine: &SqlEngine,
    user: &AuthUser,
    id: Uuid,
    query: Option<&str>,
) -> ServiceResult<(Artifact, Result<QueryOutput, SqlError>)> {
    let artifact = get(pool, user, id).await?;
    let queries = queries_of(&artifact);
    let chosen = match query {
        Some(name) => queries.iter().find(|q| q.name == name),
        None => <[_]>::first(&queries),
    }
    .ok_or_else(|| match query {
        Some(name) => ServiceError::Invalid(format!("the artifact has no query {name:?}")),
        None => ServiceError::Invalid("the artifact has no query".into()),
    })?;
    let result = engine
        .query(viewer_of(&artifact, user), &chosen.sql, None)
        .await;
    Ok((artifact, result))
}
