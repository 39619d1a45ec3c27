//! `/api/dashboards/*`: grids of saved artifacts shared in the caller's organization. Members
//! build and rearrange them; deleting a dashboard is for its creator or an admin.

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::artifacts::{ArtifactView, ChartSpecInput, ChartSpecView};
use super::auth::{Created, NoContent};
use super::text::Text;
use crate::db::models::Dashboard;
use crate::http::auth::BearerAuth;
use crate::http::{ApiResult, AppState};
use crate::services::dashboards::{self, DashboardSummary, TileChange, TileWithArtifact};
use crate::sql::chart::ChartSpec;

#[derive(Debug, Object)]
pub struct DashboardSummaryView {
    pub id: Uuid,
    pub title: String,
    /// Tiles whose artifact still exists.
    pub tile_count: i64,
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DashboardSummary> for DashboardSummaryView {
    fn from(s: DashboardSummary) -> Self {
        let d = s.dashboard;
        Self {
            id: d.id,
            title: d.title,
            tile_count: s.tile_count,
            created_by: d.created_by,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct TileView {
    pub id: Uuid,
    /// 0-based place in the grid, left to right then top to bottom.
    pub position: i32,
    /// Grid columns out of 12 (3–12).
    pub width: i16,
    /// Grid rows (1–4).
    pub height: i16,
    /// The tile's own chart when it was switched; null draws the artifact's chart.
    #[oai(nullable)]
    pub chart: Option<ChartSpecView>,
    pub artifact: ArtifactView,
}

impl From<TileWithArtifact> for TileView {
    fn from(t: TileWithArtifact) -> Self {
        Self {
            id: t.tile.id,
            position: t.tile.position,
            width: t.tile.width,
            height: t.tile.height,
            chart: t
                .tile
                .chart_spec
                .and_then(|c| ChartSpec::parse(&c).ok())
                .map(Into::into),
            artifact: t.artifact.into(),
        }
    }
}

#[derive(Debug, Object)]
pub struct DashboardView {
    pub id: Uuid,
    pub title: String,
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In grid order.
    pub tiles: Vec<TileView>,
}

impl DashboardView {
    fn new(d: Dashboard, tiles: Vec<TileWithArtifact>) -> Self {
        Self {
            id: d.id,
            title: d.title,
            created_by: d.created_by,
            created_at: d.created_at,
            updated_at: d.updated_at,
            tiles: tiles.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Object)]
pub struct DashboardTitleRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: Text,
}

#[derive(Debug, Object)]
pub struct AddTileRequest {
    /// An artifact of your organization.
    pub artifact_id: Uuid,
    /// Grid columns out of 12 (default 6).
    #[oai(validator(minimum(value = "3"), maximum(value = "12")))]
    pub width: Option<i16>,
    /// Grid rows (default 2).
    #[oai(validator(minimum(value = "1"), maximum(value = "4")))]
    pub height: Option<i16>,
    /// Draw it differently from the artifact's own chart.
    pub chart: Option<ChartSpecInput>,
}

#[derive(Debug, Object)]
pub struct UpdateTileRequest {
    #[oai(validator(minimum(value = "3"), maximum(value = "12")))]
    pub width: Option<i16>,
    #[oai(validator(minimum(value = "1"), maximum(value = "4")))]
    pub height: Option<i16>,
    /// A chart of its own (checked against the artifact's columns); null returns to the
    /// artifact's chart; absent leaves it.
    #[oai(nullable)]
    pub chart: MaybeUndefined<ChartSpecInput>,
}

#[derive(Debug, Object)]
pub struct ReorderTilesRequest {
    /// Every tile of the dashboard, once each, in the new order.
    #[oai(validator(max_items = 48))]
    pub tile_ids: Vec<Uuid>,
}

pub struct DashboardsApi {
    state: AppState,
}

impl DashboardsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(prefix_path = "/dashboards", tag = "ApiTags::Dashboards")]
impl DashboardsApi {
    /// Dashboards of your organization, most recently changed first
    #[oai(path = "/", method = "get", operation_id = "list_dashboards")]
    async fn list(&self, auth: BearerAuth) -> ApiResult<Json<Vec<DashboardSummaryView>>> {
        Ok(Json(
            dashboards::list(&self.state.db, &auth.0)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        ))
    }

    /// Create a dashboard
    #[oai(path = "/", method = "post", operation_id = "create_dashboard")]
    async fn create(
        &self,
        auth: BearerAuth,
        body: Json<DashboardTitleRequest>,
    ) -> ApiResult<Created<DashboardView>> {
        let d = dashboards::create(&self.state.db, &auth.0, &body.title).await?;
        Ok(Created::Created(Json(DashboardView::new(d, Vec::new()))))
    }

    /// One dashboard with its tiles and their artifacts
    #[oai(path = "/:id", method = "get", operation_id = "get_dashboard")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<DashboardView>> {
        let (d, tiles) = dashboards::get(&self.state.db, &auth.0, id.0).await?;
        Ok(Json(DashboardView::new(d, tiles)))
    }

    /// Rename a dashboard
    #[oai(path = "/:id", method = "patch", operation_id = "rename_dashboard")]
    async fn rename(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DashboardTitleRequest>,
    ) -> ApiResult<Json<DashboardView>> {
        dashboards::rename(&self.state.db, &auth.0, id.0, &body.title).await?;
        let (d, tiles) = dashboards::get(&self.state.db, &auth.0, id.0).await?;
        Ok(Json(DashboardView::new(d, tiles)))
    }

    /// Delete a dashboard (its creator or an admin); its artifacts stay
    #[oai(path = "/:id", method = "delete", operation_id = "delete_dashboard")]
    async fn delete(&self, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        dashboards::delete(&self.state.db, &auth.0, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Pin an artifact to a dashboard, after its last tile
    #[oai(
        path = "/:id/tiles",
        method = "post",
        operation_id = "add_dashboard_tile"
    )]
    async fn add_tile(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AddTileRequest>,
    ) -> ApiResult<Created<TileView>> {
        let body = body.0;
        let change = TileChange {
            width: body.width,
            height: body.height,
            chart: Some(body.chart.map(Into::into)),
        };
        let tile =
            dashboards::add_tile(&self.state.db, &auth.0, id.0, body.artifact_id, change).await?;
        Ok(Created::Created(Json(tile.into())))
    }

    /// Resize a tile or switch its chart
    #[oai(
        path = "/:id/tiles/:tile_id",
        method = "patch",
        operation_id = "update_dashboard_tile"
    )]
    async fn update_tile(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        tile_id: Path<Uuid>,
        body: Json<UpdateTileRequest>,
    ) -> ApiResult<Json<TileView>> {
        let body = body.0;
        let chart = match body.chart {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(c) => Some(Some(c.into())),
        };
        let change = TileChange {
            width: body.width,
            height: body.height,
            chart,
        };
        let tile =
            dashboards::update_tile(&self.state.db, &auth.0, id.0, tile_id.0, change).await?;
        Ok(Json(tile.into()))
    }

    /// Remove a tile (the artifact stays)
    #[oai(
        path = "/:id/tiles/:tile_id",
        method = "delete",
        operation_id = "remove_dashboard_tile"
    )]
    async fn remove_tile(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        tile_id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        dashboards::remove_tile(&self.state.db, &auth.0, id.0, tile_id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Put the tiles in a new order
    #[oai(
        path = "/:id/order",
        method = "put",
        operation_id = "reorder_dashboard_tiles"
    )]
    async fn reorder(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReorderTilesRequest>,
    ) -> ApiResult<Json<Vec<TileView>>> {
        let tiles = dashboards::reorder(&self.state.db, &auth.0, id.0, &body.tile_ids).await?;
        Ok(Json(tiles.into_iter().map(Into::into).collect()))
    }
}
