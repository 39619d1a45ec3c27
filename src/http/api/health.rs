//! `GET /api/health`: version, and whether PostgreSQL and the cache answer. A healthy answer is
//! reused for `HEALTH_CACHE_MS` (one probe at a time refreshes it), so frequent polling costs no
//! database round trip per call; an unhealthy one is never reused, so recovery shows at once.

use std::sync::{Arc, RwLock};
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

#[derive(Debug, Clone, Object)]
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

/// What one probe found.
#[derive(Clone)]
struct Probe {
    database: DatabaseHealth,
    cache_ok: bool,
}

impl Probe {
    fn healthy(&self) -> bool {
        self.database.status == ComponentStatus::Ok && self.cache_ok
    }
}

#[derive(Default)]
struct Recent {
    last: RwLock<Option<(Instant, Probe)>>,
    /// Held while probing: concurrent callers wait for that probe instead of each running one.
    probing: tokio::sync::Mutex<()>,
}

pub struct HealthApi {
    state: AppState,
    recent: Arc<Recent>,
}

impl HealthApi {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            recent: Arc::default(),
        }
    }

    fn fresh(&self) -> Option<Probe> {
        let last = self.recent.last.read().ok()?;
        let (at, probe) = last.as_ref()?;
        (at.elapsed() < self.state.config.health_cache).then(|| probe.clone())
    }

    async fn probe(&self) -> Probe {
        if self.state.config.health_cache.is_zero() {
            return self.probe_now().await;
        }
        if let Some(probe) = self.fresh() {
            return probe;
        }
        let _probing = self.recent.probing.lock().await;
        if let Some(probe) = self.fresh() {
            return probe;
        }
        let probe = self.probe_now().await;
        if probe.healthy()
            && let Ok(mut last) = self.recent.last.write()
        {
            *last = Some((Instant::now(), probe.clone()));
        }
        probe
    }

    async fn probe_now(&self) -> Probe {
        let (database, cache_ok) = tokio::join!(self.database(), self.state.cache.ping());
        Probe { database, cache_ok }
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
    /// 503 when it does not. A healthy answer may be up to `HEALTH_CACHE_MS` (1 s) old.
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self) -> ApiResult<HealthResponse> {
        let Probe { database, cache_ok } = self.probe().await;
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
                .then(|| crate::build_info::git_revision().to_owned()),
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
