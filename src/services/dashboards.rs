//! Dashboards: grids of saved artifacts shared in an organization. Any member may build and
//! rearrange them (a team keeps one board together); deleting a whole dashboard is for its creator
//! or an admin. Tiles belong to their dashboard and may only show artifacts of the same
//! organization; a tile may switch its chart (kind, columns) from the artifact's own, checked
//! against the artifact's columns like any chart.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use super::auth::{AuthUser, Role};
use super::{ServiceError, ServiceResult, artifacts};
use crate::db::DbPool;
use crate::db::models::{Artifact, Dashboard, DashboardTile};
use crate::db::schema::{artifacts as artifacts_t, dashboard_tiles, dashboards};
use crate::sql::chart::ChartSpec;

pub const MAX_TITLE: usize = 200;
pub const MAX_TILES: usize = 48;
pub const MAX_DASHBOARDS: i64 = 500;
pub const WIDTHS: std::ops::RangeInclusive<i16> = 3..=12;
pub const HEIGHTS: std::ops::RangeInclusive<i16> = 1..=4;

/// A tile with the artifact it shows.
pub struct TileWithArtifact {
    pub tile: DashboardTile,
    pub artifact: Artifact,
}

pub struct DashboardSummary {
    pub dashboard: Dashboard,
    pub tile_count: i64,
}

/// What may change on a tile; None leaves a field as it is. `chart: Some(None)` goes back to
/// the artifact's own chart.
#[derive(Default)]
pub struct TileChange {
    pub width: Option<i16>,
    pub height: Option<i16>,
    pub chart: Option<Option<ChartSpec>>,
}

fn clean_title(title: &str) -> ServiceResult<String> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ServiceError::Invalid(
            "title: a dashboard needs a name".into(),
        ));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(ServiceError::Invalid(format!(
            "title: at most {MAX_TITLE} characters"
        )));
    }
    Ok(title.to_owned())
}

fn check_size(width: Option<i16>, height: Option<i16>) -> ServiceResult<()> {
    if width.is_some_and(|w| !WIDTHS.contains(&w)) {
        return Err(ServiceError::Invalid(format!(
            "width: between {} and {} grid columns",
            WIDTHS.start(),
            WIDTHS.end()
        )));
    }
    if height.is_some_and(|h| !HEIGHTS.contains(&h)) {
        return Err(ServiceError::Invalid(format!(
            "height: between {} and {} rows",
            HEIGHTS.start(),
            HEIGHTS.end()
        )));
    }
    Ok(())
}

pub async fn list(pool: &DbPool, user: &AuthUser) -> ServiceResult<Vec<DashboardSummary>> {
    let org = user.require_org()?;
    let mut conn = pool.get().await?;
    let boards: Vec<Dashboard> = dashboards::table
        .filter(dashboards::organization_id.eq(org))
        .order(dashboards::updated_at.desc())
        .limit(MAX_DASHBOARDS)
        .select(Dashboard::as_select())
        .load(&mut conn)
        .await?;
    let ids: Vec<Uuid> = boards.iter().map(|b| b.id).collect();
    let counts: Vec<(Uuid, i64)> = dashboard_tiles::table
        .inner_join(artifacts_t::table)
        .filter(dashboard_tiles::dashboard_id.eq_any(&ids))
        .filter(artifacts_t::deleted_at.is_null())
        .group_by(dashboard_tiles::dashboard_id)
        .select((dashboard_tiles::dashboard_id, diesel::dsl::count_star()))
        .load(&mut conn)
        .await?;
    Ok(boards
        .into_iter()
        .map(|dashboard| {
            let tile_count = counts
                .iter()
                .find(|(id, _)| *id == dashboard.id)
                .map_or(0, |(_, n)| *n);
            DashboardSummary {
                dashboard,
                tile_count,
            }
        })
        .collect())
}

pub async fn create(pool: &DbPool, user: &AuthUser, title: &str) -> ServiceResult<Dashboard> {
    let org = user.require_org()?;
    let title = clean_title(title)?;
    let mut conn = pool.get().await?;
    let existing: i64 = dashboards::table
        .filter(dashboards::organization_id.eq(org))
        .count()
        .get_result(&mut conn)
        .await?;
    if existing >= MAX_DASHBOARDS {
        return Err(ServiceError::Conflict(format!(
            "your organization has {MAX_DASHBOARDS} dashboards already; delete one first"
        )));
    }
    Ok(diesel::insert_into(dashboards::table)
        .values((
            dashboards::organization_id.eq(org),
            dashboards::created_by.eq(user.user_id),
            dashboards::title.eq(title),
        ))
        .returning(Dashboard::as_returning())
        .get_result(&mut conn)
        .await?)
}

/// The dashboard if it is the caller's organization's; another organization's is "not found".
async fn find(
    conn: &mut diesel_async::AsyncPgConnection,
    user: &AuthUser,
    id: Uuid,
) -> ServiceResult<Dashboard> {
    let org = user.require_org()?;
    dashboards::table
        .filter(dashboards::id.eq(id))
        .filter(dashboards::organization_id.eq(org))
        .select(Dashboard::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("dashboard"))
}

async fn tiles(
    conn: &mut diesel_async::AsyncPgConnection,
    dashboard: Uuid,
) -> ServiceResult<Vec<TileWithArtifact>> {
    let rows: Vec<(DashboardTile, Artifact)> = dashboard_tiles::table
        .inner_join(artifacts_t::table)
        .filter(dashboard_tiles::dashboard_id.eq(dashboard))
        .filter(artifacts_t::deleted_at.is_null())
        .order((dashboard_tiles::position, dashboard_tiles::created_at))
        .select((DashboardTile::as_select(), Artifact::as_select()))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(tile, artifact)| TileWithArtifact { tile, artifact })
        .collect())
}

pub async fn get(
    pool: &DbPool,
    user: &AuthUser,
    id: Uuid,
) -> ServiceResult<(Dashboard, Vec<TileWithArtifact>)> {
    let mut conn = pool.get().await?;
    let dashboard = find(&mut conn, user, id).await?;
    let tiles = tiles(&mut conn, id).await?;
    Ok((dashboard, tiles))
}

/// Marks the dashboard changed (lists are ordered by it).
async fn touch(conn: &mut diesel_async::AsyncPgConnection, id: Uuid) -> ServiceResult<()> {
    diesel::update(dashboards::table.find(id))
        .set(dashboards::updated_at.eq(chrono::Utc::now()))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn rename(
    pool: &DbPool,
    user: &AuthUser,
    id: Uuid,
    title: &str,
) -> ServiceResult<Dashboard> {
    let title = clean_title(title)?;
    let mut conn = pool.get().await?;
    find(&mut conn, user, id).await?;
    Ok(diesel::update(dashboards::table.find(id))
        .set(dashboards::title.eq(title))
        .returning(Dashboard::as_returning())
        .get_result(&mut conn)
        .await?)
}

pub async fn delete(pool: &DbPool, user: &AuthUser, id: Uuid) -> ServiceResult<()> {
    let mut conn = pool.get().await?;
    let dashboard = find(&mut conn, user, id).await?;
    if dashboard.created_by != Some(user.user_id) && user.role != Role::Admin {
        return Err(ServiceError::Forbidden(
            "only the person who created this dashboard or an admin can delete it".into(),
        ));
    }
    diesel::delete(dashboards::table.find(id))
        .execute(&mut conn)
        .await?;
    Ok(())
}

pub async fn add_tile(
    pool: &DbPool,
    user: &AuthUser,
    dashboard: Uuid,
    artifact: Uuid,
    change: TileChange,
) -> ServiceResult<TileWithArtifact> {
    check_size(change.width, change.height)?;
    let artifact = artifacts::get(pool, user, artifact).await?;
    let chart = match change.chart.flatten() {
        Some(chart) => Some(json!(artifacts::check_chart_for(&artifact, chart)?)),
        None => None,
    };
    let mut conn = pool.get().await?;
    find(&mut conn, user, dashboard).await?;
    let tile = conn
        .transaction::<_, ServiceError, _>(async |conn| {
                // Lock the dashboard so two pins at once get distinct positions.
                dashboards::table
                    .find(dashboard)
                    .for_update()
                    .select(dashboards::id)
                    .first::<Uuid>(conn)
                    .await?;
                let positions: Vec<i32> = dashboard_tiles::table
                    .filter(dashboard_tiles::dashboard_id.eq(dashboard))
                    .select(dashboard_tiles::position)
                    .load(conn)
                    .await?;
                if positions.len() >= MAX_TILES {
                    return Err(ServiceError::Conflict(format!(
                        "a dashboard holds at most {MAX_TILES} tiles; remove one or start another dashboard"
                    )));
                }
                let next = positions.iter().max().map_or(0, |p| p + 1);
                let tile = diesel::insert_into(dashboard_tiles::table)
                    .values((
                        dashboard_tiles::dashboard_id.eq(dashboard),
                        dashboard_tiles::artifact_id.eq(artifact.id),
                        dashboard_tiles::position.eq(next),
                        dashboard_tiles::width.eq(change.width.unwrap_or(6)),
                        dashboard_tiles::height.eq(change.height.unwrap_or(2)),
                        dashboard_tiles::chart_spec.eq(chart),
                    ))
                    .returning(DashboardTile::as_returning())
                    .get_result(conn)
                    .await?;
                touch(conn, dashboard).await?;
                Ok(tile)
        })
        .await?;
    Ok(TileWithArtifact { tile, artifact })
}

async fn find_tile(
    conn: &mut diesel_async::AsyncPgConnection,
    dashboard: Uuid,
    tile: Uuid,
) -> ServiceResult<TileWithArtifact> {
    tiles(conn, dashboard)
        .await?
        .into_iter()
        .find(|t| t.tile.id == tile)
        .ok_or(ServiceError::NotFound("tile"))
}

pub async fn update_tile(
    pool: &DbPool,
    user: &AuthUser,
    dashboard: Uuid,
    tile: Uuid,
    change: TileChange,
) -> ServiceResult<TileWithArtifact> {
    check_size(change.width, change.height)?;
    let mut conn = pool.get().await?;
    find(&mut conn, user, dashboard).await?;
    let current = find_tile(&mut conn, dashboard, tile).await?;
    let chart = match change.chart {
        None => current.tile.chart_spec.clone(),
        Some(None) => None,
        Some(Some(chart)) => Some(json!(artifacts::check_chart_for(&current.artifact, chart)?)),
    };
    let updated = diesel::update(dashboard_tiles::table.find(tile))
        .set((
            dashboard_tiles::width.eq(change.width.unwrap_or(current.tile.width)),
            dashboard_tiles::height.eq(change.height.unwrap_or(current.tile.height)),
            dashboard_tiles::chart_spec.eq(chart),
        ))
        .returning(DashboardTile::as_returning())
        .get_result(&mut conn)
        .await?;
    touch(&mut conn, dashboard).await?;
    Ok(TileWithArtifact {
        tile: updated,
        artifact: current.artifact,
    })
}

pub async fn remove_tile(
    pool: &DbPool,
    user: &AuthUser,
    dashboard: Uuid,
    tile: Uuid,
) -> ServiceResult<()> {
    let mut conn = pool.get().await?;
    find(&mut conn, user, dashboard).await?;
    let removed = diesel::delete(
        dashboard_tiles::table
            .filter(dashboard_tiles::id.eq(tile))
            .filter(dashboard_tiles::dashboard_id.eq(dashboard)),
    )
    .execute(&mut conn)
    .await?;
    if removed == 0 {
        return Err(ServiceError::NotFound("tile"));
    }
    touch(&mut conn, dashboard).await?;
    Ok(())
}

/// Puts the tiles in the order given; the list must name each tile of the dashboard once.
pub async fn reorder(
    pool: &DbPool,
    user: &AuthUser,
    dashboard: Uuid,
    order: &[Uuid],
) -> ServiceResult<Vec<TileWithArtifact>> {
    let mut conn = pool.get().await?;
    find(&mut conn, user, dashboard).await?;
    let order = order.to_vec();
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let mut current: Vec<Uuid> = dashboard_tiles::table
            .filter(dashboard_tiles::dashboard_id.eq(dashboard))
            .for_update()
            .select(dashboard_tiles::id)
            .load(conn)
            .await?;
        let mut given = order.clone();
        current.sort();
        given.sort();
        if current != given {
            return Err(ServiceError::Invalid(
                "tile_ids: list every tile of the dashboard exactly once (it may have \
                     changed meanwhile; reload it)"
                    .into(),
            ));
        }
        for (position, id) in order.iter().enumerate() {
            diesel::update(dashboard_tiles::table.find(id))
                .set(dashboard_tiles::position.eq(position as i32))
                .execute(conn)
                .await?;
        }
        touch(conn, dashboard).await
    })
    .await?;
    tiles(&mut conn, dashboard).await
}
