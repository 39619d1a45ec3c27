//! The bearer security schemes. `BearerAuth` yields an `AuthUser` whose user and organization come
//! from our users table after the token verifies (or from the session cache, which holds exactly
//! that); `BearerSession` also yields the user and organization rows; `BearerToken` only verifies
//! the token (for `POST /api/auth/users/sync`, which creates that row). All appear as
//! `bearerAuth` in OpenAPI.

use std::sync::Arc;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use super::error::ApiError;
use super::state::AppState;
use crate::services::auth::sessions::Session;
use crate::services::auth::{AuthUser, VerifiedToken};

/// A signed-in user: `Authorization: Bearer <JWT>`.
#[derive(SecurityScheme)]
#[oai(
    rename = "bearerAuth",
    ty = "bearer",
    bearer_format = "JWT",
    checker = "check_user"
)]
pub struct BearerAuth(pub AuthUser);

/// A signed-in user with their user and organization rows.
#[derive(SecurityScheme)]
#[oai(
    rename = "bearerAuth",
    ty = "bearer",
    bearer_format = "JWT",
    checker = "check_session"
)]
pub struct BearerSession(pub Arc<Session>);

/// A verified token whose user may not exist yet.
#[derive(SecurityScheme)]
#[oai(
    rename = "bearerAuth",
    ty = "bearer",
    bearer_format = "JWT",
    checker = "check_token"
)]
pub struct BearerToken(pub TokenAndText);

/// A verified token, and its text (to ask the issuer about it on the caller's behalf).
pub struct TokenAndText {
    pub verified: VerifiedToken,
    pub text: String,
}

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>()
        .ok_or_else(|| ApiError::internal("application state missing from the request").into())
}

async fn check_user(req: &Request, bearer: Bearer) -> poem::Result<AuthUser> {
    Ok(check_session(req, bearer).await?.auth.clone())
}

async fn check_session(req: &Request, bearer: Bearer) -> poem::Result<Arc<Session>> {
    let state = state(req)?;
    state
        .auth
        .session(&state.db, &bearer.token)
        .await
        .map_err(|e| ApiError::from(e).into())
}

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<TokenAndText> {
    let state = state(req)?;
    let verified = state
        .auth
        .verify(&bearer.token)
        .await
        .map_err(ApiError::from)?;
    Ok(TokenAndText {
        verified,
        text: bearer.token,
    })
}
