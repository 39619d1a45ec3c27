//! `GET /api/health`: version, and whether PostgreSQL and the cache answer right now.

use std::time::{Duration, Instant};

use diesel_async::RunQueryDsl;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::ApiTags;
use crate::cache::CacheBackend;
use crate::http::ApiResult;
use crate::http::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum OverallStatus {
    /// Everything answers.
    Ok,
    /// The database answers but an optional dependency (Redis) does not.
    Degraded,
    /// The database does not answer; the service cannot work.
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ComponentStatus {
    Ok,
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CacheKind {
    Redis,
    Memory,
}

#[derive(Debug, Object)]
pub struct DatabaseHealth {
    pub status: ComponentStatus,
    #[oai(nullable)]
    pub latency_ms: Option<f64>,
}

#[derive(Debug, Object)]
pub struct CacheHealth {
    pub backend: CacheKind,
    pub status: ComponentStatus,
}

#[derive(Debug, Object)]
pub struct Health {
    pub status: OverallStatus,
    pub version: String,
    /// Only with HEALTH_SHOWS_REVISION=true.
    #[oai(nullable)]
    pub git_revision: Option<String>,
    pub database: DatabaseHealth,
    pub cache: CacheHealth,
}

#[derive(ApiResponse)]
pub enum HealthResponse {
    /// The service works (possibly degraded without Redis)
    #[oai(status = 200)]
    Ok(Json<Health>),
    /// The database is unreachable
    #[oai(status = 503)]
    Unavailable(Json<Health>),
}

pub struct HealthApi {
    state: AppState,
}

impl HealthApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn database(&self) -> DatabaseHealth {
        let started = Instant::now();
        let check = async {
            let mut conn = self.state.db.get().await.ok()?;
            diesel::sql_query("SELECT 1").execute(&mut conn).await.ok()
        };
        match tokio::time::timeout(CHECK_TIMEOUT, check).await {
            Ok(Some(_)) => DatabaseHealth {
                status: ComponentStatus::Ok,
                latency_ms: Some(
                    (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
                ),
            },
            _ => DatabaseHealth {
                status: ComponentStatus::Down,
                latency_ms: None,
            },
        }
    }
}

#[OpenApi(tag = "ApiTags::System")]
impl HealthApi {
    /// Service health
    ///
    /// Public. 200 when the database answers (status `degraded` if Redis is configured but away),
    /// 503 when it does not.
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self) -> ApiResult<HealthResponse> {
        let (database, cache_ok) = tokio::join!(self.database(), self.state.cache.ping());
        let cache = CacheHealth {
            backend: match self.state.cache.backend() {
                CacheBackend::Redis => CacheKind::Redis,
                CacheBackend::Memory => CacheKind::Memory,
            },
            status: if cache_ok {
                ComponentStatus::Ok
            } else {
                ComponentStatus::Down
            },
        };
        let status = match (database.status, cache.status) {
            (ComponentStatus::Down, _) => OverallStatus::Down,
            (_, ComponentStatus::Down) => OverallStatus::Degraded,
            _ => OverallStatus::Ok,
        };
        let body = Health {
            status,
            version: crate::build_info::VERSION.to_owned(),
            git_revision: self
                .state
                .config
                .health_shows_revision
                .then(|| crate::build_info::GIT_REVISION.to_owned()),
            database,
            cache,
        };
        Ok(if status == OverallStatus::Down {
            HealthResponse::Unavailable(Json(body))
        } else {
            HealthResponse::Ok(Json(body))
        })
    }
}
