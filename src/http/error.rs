//! The one error type at the HTTP edge. Every failure, from handlers or from poem itself (bad JSON,
//! wrong content type, oversized body, unknown route), leaves as the same JSON envelope:
//! `{"error":{"code":"snake_case_code","message":"…"}}`.

use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaHeader, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, Enum, Object, ResponseContent};

use crate::services::ServiceError;

/// Stable machine-readable codes; clients branch on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    InvalidBody,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    RateLimited,
    Internal,
    Unavailable,
    QueryRejected,
    /// Provider connections need Nango settings this server lacks (503).
    IntegrationsUnavailable,
}

#[derive(Debug, Clone, Object)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    InvalidBody(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("request body is larger than the {limit}-byte limit")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Validation(String),
    #[error("too many requests; retry in {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// The detail is logged at the edge and never sent to the client.
    #[error("internal error")]
    Internal(String),
    #[error("{0}")]
    Unavailable(String),
    /// Analytics SQL refused by the gate or failed in the database (400).
    #[error("{0}")]
    QueryRejected(String),
    /// Nango is not configured (503); the message names the missing variable.
    #[error("{0}")]
    IntegrationsUnavailable(String),
}

/// Every status an endpoint may answer with besides its success, in the order shown in the docs.
const STATUSES: &[(u16, &str)] = &[
    (400, "The request is malformed (bad JSON, bad parameter)"),
    (401, "Missing, invalid or expired credentials"),
    (403, "Authenticated, but not allowed to do this"),
    (404, "No such resource (or not visible to the caller)"),
    (405, "Method not allowed on this path"),
    (409, "Conflicts with the current state"),
    (413, "Request body over the size limit"),
    (415, "Unsupported content type"),
    (422, "Well-formed but semantically invalid input"),
    (429, "Rate limited; see Retry-After"),
    (500, "Internal error"),
    (503, "A dependency is unavailable"),
];

impl ApiError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::InvalidBody(_) => ErrorCode::InvalidBody,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::Internal,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::QueryRejected(_) => ErrorCode::QueryRejected,
            Self::IntegrationsUnavailable(_) => ErrorCode::IntegrationsUnavailable,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.code() {
            ErrorCode::BadRequest | ErrorCode::InvalidBody | ErrorCode::QueryRejected => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unavailable | ErrorCode::IntegrationsUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
            },
        }
    }

    /// Maps an error raised by poem or poem-openapi (request parsing, routing, limits).
    pub fn from_poem(err: &poem::Error) -> Self {
        let message = err.to_string();
        match err.status() {
            StatusCode::NOT_FOUND => Self::NotFound("no such route".into()),
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge { limit: 0 },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType(message),
            // poem-openapi's own 401 means the Authorization header is missing or not Bearer.
            StatusCode::UNAUTHORIZED => Self::Unauthorized(if message == "authorization error" {
                "missing or malformed Authorization header (expected `Bearer <token>`)".into()
            } else {
                message
            }),
            StatusCode::FORBIDDEN => Self::Forbidden(message),
            StatusCode::UNPROCESSABLE_ENTITY => Self::Validation(message),
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited {
                retry_after_secs: 1,
            },
            s if s == StatusCode::BAD_REQUEST
                && err.is::<poem_openapi::error::ParseRequestPayloadError>() =>
            {
                Self::InvalidBody(message)
            }
            s if s.is_client_error() => Self::BadRequest(message),
            s if s == StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable(message),
            _ => Self::Internal(message),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthenticated(m) => Self::Unauthorized(m),
            ServiceError::Forbidden(m) => Self::Forbidden(m),
            ServiceError::NotFound(_) => Self::NotFound(e.to_string()),
            ServiceError::Conflict(m) => Self::Conflict(m),
            ServiceError::Invalid(m) => Self::Validation(m),
            ServiceError::RateLimited { retry_after_secs } => {
                Self::RateLimited { retry_after_secs }
            }
            ServiceError::Unavailable(m) => Self::Unavailable(m),
            ServiceError::IntegrationsUnavailable(m) => Self::IntegrationsUnavailable(m),
            ServiceError::Db(_) | ServiceError::Internal(_) => Self::Internal(e.to_string()),
        }
    }
}

impl From<crate::sql::SqlError> for ApiError {
    fn from(e: crate::sql::SqlError) -> Self {
        use crate::sql::SqlError;
        match e {
            SqlError::Rejected(m) | SqlError::Database(m) => Self::QueryRejected(m),
            SqlError::Timeout(_) => Self::QueryRejected(e.to_string()),
            SqlError::Unavailable(m) => Self::Unavailable(m),
            SqlError::Busy(_) => Self::RateLimited {
                retry_after_secs: 1,
            },
            SqlError::Internal(m) => Self::Internal(m),
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        Self::internal(e)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            // The one place internal failures are logged; the client sees only "internal error".
            tracing::error!(error = %detail, "request failed");
        }
        let body = self.body().to_json_string();
        let mut resp = Response::builder()
            .status(self.status())
            .content_type("application/json; charset=utf-8")
            .body(body);
        if let Self::RateLimited { retry_after_secs } = self {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
        }
        resp
    }
}

impl From<ApiError> for poem::Error {
    fn from(e: ApiError) -> Self {
        let message = e.to_string();
        let mut err = poem::Error::from_response(e.into_response());
        err.set_error_message(message);
        err
    }
}

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: STATUSES
                .iter()
                .map(|(status, description)| MetaResponse {
                    description,
                    status: Some(*status),
                    status_range: None,
                    content: <Json<ErrorBody> as ResponseContent>::media_types(),
                    headers: if *status == 429 {
                        vec![MetaHeader {
                            name: "Retry-After".into(),
                            description: Some("Seconds to wait before retrying".into()),
                            required: true,
                            deprecated: false,
                            schema: u64::schema_ref(),
                        }]
                    } else {
                        vec![]
                    },
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        <Json<ErrorBody> as ResponseContent>::register(registry);
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
