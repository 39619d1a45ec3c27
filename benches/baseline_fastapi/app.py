"""Reference baseline for benches/auth_rps.sh: GET /api/auth/me on the reference product's stack
(FastAPI + uvicorn workers + an asyncpg pool), doing what Revtops' handler does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB JWT_SECRET=... \
        uvicorn app:app --workers 2 --port 18081 --no-access-log --log-level warning

The token is a Revtops-issued HS256 JWT (src/services/auth/local_tokens.rs): iss and aud
"revtops", exp and nbf required (30 s leeway), sub the user's uuid, jti the token id. One query
reads the user row (not deleted, not a CRM-only placeholder) with its organization and whether the
token was revoked; a token issued before the user's last password change is refused as well.
"""

import os
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone

import asyncpg
import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

JWT_SECRET = os.environ["JWT_SECRET"].encode()
DATABASE_URL = os.environ["DATABASE_URL"]
POOL_SIZE = int(os.environ.get("BASELINE_POOL_SIZE", "16"))

ME_QUERY = """
SELECT u.id, u.email, u.email_verified, u.name, u.avatar_url, u.role, u.status,
       u.organization_id, u.created_at, u.sessions_valid_after,
       o.id AS org_id, o.name AS org_name, o.email_domain AS org_email_domain,
       o.logo_url AS org_logo_url, o.created_at AS org_created_at,
       EXISTS (SELECT 1 FROM revoked_tokens WHERE token_id = $2) AS revoked
FROM users u
LEFT JOIN organizations o ON o.id = u.organization_id
WHERE u.id = $1 AND u.deleted_at IS NULL AND u.status <> 'crm_only'
"""

pool: asyncpg.Pool | None = None


@asynccontextmanager
async def lifespan(_app: FastAPI):
    global pool
    pool = await asyncpg.create_pool(DATABASE_URL, min_size=2, max_size=POOL_SIZE)
    try:
        yield
    finally:
        await pool.close()


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)


def unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "unauthorized", "message": message}},
        status_code=401,
        headers={"www-authenticate": "Bearer"},
    )


def iso(ts: datetime | None) -> str | None:
    return None if ts is None else ts.astimezone(timezone.utc).isoformat()


@app.get("/api/auth/me")
async def me(request: Request) -> JSONResponse:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 8192:
        return unauthorized("missing bearer token")
    try:
        claims = jwt.decode(
            token,
            JWT_SECRET,
            algorithms=["HS256"],
            audience="revtops",
            issuer="revtops",
            leeway=30,
            options={"require": ["exp", "nbf", "sub", "aud", "iss"]},
        )
        user_id = uuid.UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return unauthorized("invalid token")
    token_id = str(claims.get("jti") or "")

    row = await pool.fetchrow(ME_QUERY, user_id, token_id)
    if row is None:
        return unauthorized("unknown or deleted user")
    if row["revoked"]:
        return unauthorized("token revoked")
    valid_after = row["sessions_valid_after"]
    if valid_after is not None:
        iat_us = claims.get("iat_us")
        issued = (
            datetime.fromtimestamp(iat_us / 1_000_000, timezone.utc)
            if iat_us is not None
            else datetime.fromtimestamp(claims["iat"], timezone.utc)
            if "iat" in claims
            else None
        )
        if issued is None or issued < valid_after:
            return unauthorized("this session ended when the password changed; sign in again")

    org = None
    if row["org_id"] is not None:
        org = {
            "id": str(row["org_id"]),
            "name": row["org_name"],
            "email_domain": row["org_email_domain"],
            "logo_url": row["org_logo_url"],
            "created_at": iso(row["org_created_at"]),
        }
    return JSONResponse(
        {
            "user": {
                "id": str(row["id"]),
                "email": row["email"],
                "email_verified": row["email_verified"],
                "name": row["name"],
                "avatar_url": row["avatar_url"],
                "role": row["role"],
                "status": row["status"],
                "organization_id": None if row["organization_id"] is None else str(row["organization_id"]),
                "created_at": iso(row["created_at"]),
            },
            "organization": org,
        }
    )
