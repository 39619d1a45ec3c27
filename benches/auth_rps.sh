#!/usr/bin/env bash
# Authenticated request throughput: GET /api/auth/me (JWT verification + user lookup + revocation
# check) against GET /api/health probing the database on every call (HEALTH_CACHE_MS=0, no auth)
# in the same run, on loopback with wrk; and GET /api/health as a load balancer sees it (a healthy
# answer reused for HEALTH_CACHE_MS, 1 s by default).
#
#   bash benches/auth_rps.sh            # defaults: 10 s per endpoint, 2 threads, 32 connections
#   DURATION=30s CONNECTIONS=64 bash benches/auth_rps.sh
#
# Needs: wrk (apt-get install wrk), PostgreSQL on 127.0.0.1:5432, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18080}"
DB="revtops_bench_$$"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 2; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/revtops"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export JWT_SECRET="bench-secret-bench-secret-bench-secret"
export RUST_LOG=warn
# Probing every time: the health baseline is one database round trip per call.
HEALTH_CACHE_MS=0 "$BIN" serve --bind "127.0.0.1:$PORT" &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done

TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/auth/register" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark password","name":"Bench"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

rps() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }

# Warm up both paths (connection pool, JWKS-free local verification, page cache).
wrk -t1 -c4 -d2s "http://127.0.0.1:$PORT/api/health" >/dev/null
wrk -t1 -c4 -d2s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/auth/me" >/dev/null

HEALTH=$(rps "http://127.0.0.1:$PORT/api/health")
ME=$(rps -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/auth/me")
python3 - "$HEALTH" "$ME" <<'PY'
import sys
health, me = float(sys.argv[1]), float(sys.argv[2])
print(f"GET /api/health   {health:10.0f} req/s  (baseline: one DB ping, no auth)")
print(f"GET /api/auth/me  {me:10.0f} req/s  (JWT verify + user lookup + revocation check + org lookup)")
print(f"ratio me/health   {me / health:10.2f}")
PY

# The same server with the default health cache.
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
"$BIN" serve --bind "127.0.0.1:$PORT" --no-migrate &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done
wrk -t1 -c4 -d2s "http://127.0.0.1:$PORT/api/health" >/dev/null
CACHED=$(rps "http://127.0.0.1:$PORT/api/health")
python3 - "$HEALTH" "$CACHED" <<'PY'
import sys
probe, cached = float(sys.argv[1]), float(sys.argv[2])
print(f"GET /api/health   {cached:10.0f} req/s  (healthy answer reused for HEALTH_CACHE_MS=1000)")
print(f"ratio cached/probe {cached / probe:9.2f}")
PY
