//! The REST resources, one file each, combined into one OpenAPI service.

mod health;

use poem_openapi::{OpenApiService, Tags};

use super::state::AppState;

#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and dependency status
    System,
}

/// Grows into a tuple of resources as they land (poem-openapi implements OpenApi for tuples of 2+).
pub type Apis = health::HealthApi;

pub fn service(state: &AppState) -> OpenApiService<Apis, ()> {
    let apis = health::HealthApi::new(state.clone());
    OpenApiService::new(apis, "Revtops API", crate::build_info::VERSION)
        .description(
            "Revenue copilot API. Errors always use the envelope \
             `{\"error\":{\"code\":\"snake_case_code\",\"message\":\"…\"}}`.",
        )
        .server("/api")
}
