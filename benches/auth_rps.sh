#!/usr/bin/env bash
# Authenticated request throughput against a reference baseline, in one run, on loopback with wrk:
#   (a) GET /api/auth/me on the reference product's stack: FastAPI + uvicorn (2 workers, uvloop,
#       httptools) + asyncpg (benches/baseline_fastapi), verifying the same Revtops-issued token
#       against the same database with one query;
#   (b) GET /api/auth/me on Revtops: the verified session comes from the session cache
#       (SESSION_CACHE_MS, 5 s by default; a miss verifies the JWT and makes one user + org +
#       revocation query), as it does for every authenticated request;
#   (c) GET /api/config on Revtops: a public answer with no auth and no database round trip
#       (the servers run with ALLOW_SIGNUP=true; under the default ALLOW_SIGNUP=first it would ask
#       the database whether anyone can sign in yet), so (b) against (c) is what authentication
#       costs;
#   (d) GET /api/health on Revtops as a load balancer sees it (a healthy answer reused for
#       HEALTH_CACHE_MS, 1 s by default), beside (e) a second Revtops probing the database on
#       every call (HEALTH_CACHE_MS=0), the old baseline.
# The servers stay up side by side (an idle one costs nothing); the endpoints are measured one
# after another, each after a warm-up. The server under test and wrk share the machine's cores.
#
#   bash benches/auth_rps.sh            # defaults: 10 s per endpoint, 2 threads, 64 connections
#   DURATION=30s CONNECTIONS=128 bash benches/auth_rps.sh
#   REVTOPS_BIN=path/to/revtops bash benches/auth_rps.sh     # skip the cargo build
#
# Needs: wrk (apt-get install wrk), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl,
# python3 (3.11; PYTHON=... to choose) with venv and pip reaching PyPI the first time: the baseline
# is installed into ${BASELINE_VENV:-~/.cache/revtops/fastapi-venv} from
# benches/baseline_fastapi/requirements.txt, again whenever that file changes.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT="${PORT:-18080}"
PROBE_PORT="${PROBE_PORT:-$((PORT + 2))}"
BASELINE_PORT="${BASELINE_PORT:-$((PORT + 1))}"
BASELINE_VENV="${BASELINE_VENV:-$HOME/.cache/revtops/fastapi-venv}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
DB="revtops_bench_$$"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 2; }
if [[ -n "${REVTOPS_BIN:-}" ]]; then
  BIN="$REVTOPS_BIN"
else
  cargo build --release --quiet
  BIN="$CARGO_TARGET_DIR/release/revtops"
fi
[[ -x "$BIN" ]] || { echo "no revtops binary at $BIN" >&2; exit 2; }

# The baseline's venv, (re)installed when requirements.txt or the interpreter changed.
REQS=benches/baseline_fastapi/requirements.txt
STAMP="$BASELINE_VENV/.requirements.sha256"
WANT="$( (sha256sum "$REQS"; "$PYTHON" -VV) | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$BASELINE_VENV/bin/uvicorn" || "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]]; then
  echo "installing the FastAPI baseline into $BASELINE_VENV" >&2
  rm -rf "$BASELINE_VENV"
  "$PYTHON" -m venv "$BASELINE_VENV"
  "$BASELINE_VENV/bin/pip" install -q --disable-pip-version-check -r "$REQS"
  echo "$WANT" >"$STAMP"
fi

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export JWT_SECRET="bench-secret-bench-secret-bench-secret"
export RUST_LOG=warn
# /api/config then answers from memory: the unauthenticated endpoint (c) asks no database.
export ALLOW_SIGNUP=true
SERVERS=()
cleanup() {
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVERS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "${WRK_OUT:-}"
}
trap cleanup EXIT
WRK_OUT="$(mktemp -d)"

# until_up URL: wait (up to 20 s) for a server to answer at all.
until_up() {
  for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no server answered at $1" >&2; exit 1
}

"$BIN" serve --bind "127.0.0.1:$PORT" &
SERVERS+=($!)
until_up "http://127.0.0.1:$PORT/api/health"
# The old baseline: a second Revtops on the same database that probes it on every health call.
HEALTH_CACHE_MS=0 "$BIN" serve --bind "127.0.0.1:$PROBE_PORT" --no-migrate &
SERVERS+=($!)
until_up "http://127.0.0.1:$PROBE_PORT/api/health"

TOKEN=$(curl -fsS -X POST "http://127.0.0.1:$PORT/api/auth/register" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark password","name":"Bench"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# An organization, so /me answers with one (the token stays valid: its subject is the same user).
curl -fsS -X POST "http://127.0.0.1:$PORT/api/auth/organizations" -H 'content-type: application/json' \
  -H "Authorization: Bearer $TOKEN" -d '{"name":"Bench Org","email_domain":null}' >/dev/null

# The baseline: 2 workers with a pool of 8 each, the 16 connections Revtops' pool has by default.
BASELINE_POOL_SIZE=8 "$BASELINE_VENV/bin/uvicorn" app:app --app-dir benches/baseline_fastapi \
  --host 127.0.0.1 --port "$BASELINE_PORT" --workers 2 --loop uvloop --http httptools \
  --no-access-log --log-level warning &
SERVERS+=($!)
until_up "http://127.0.0.1:$BASELINE_PORT/api/auth/me"

# Both stacks must answer /me with 200 for the same user and organization before anything is timed.
me_of() {
  local out code
  out="$(curl -sS -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" "$1/api/auth/me")"
  code="${out##*$'\n'}"
  [[ "$code" == 200 ]] || { echo "GET $1/api/auth/me answered $code: ${out%$'\n'*}" >&2; exit 1; }
  printf '%s' "${out%$'\n'*}"
}
REVTOPS_ME="$(me_of "http://127.0.0.1:$PORT")"
BASELINE_ME="$(me_of "http://127.0.0.1:$BASELINE_PORT")"
python3 - "$REVTOPS_ME" "$BASELINE_ME" <<'PY'
import json, sys
revtops, baseline = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def who(me):
    return me["user"]["id"], (me.get("organization") or {}).get("id")
if who(revtops) != who(baseline) or who(revtops)[1] is None:
    sys.exit(f"/me answers differ or carry no organization:\n revtops  {revtops}\n baseline {baseline}")
for part in ("user", "organization"):
    if set(revtops[part]) != set(baseline[part]):
        sys.exit(f"/me {part} fields differ: revtops {sorted(revtops[part])}, baseline {sorted(baseline[part])}")
    for key in revtops[part]:
        if revtops[part][key] != baseline[part][key]:
            print(f"note: /me {part}.{key}: revtops {revtops[part][key]!r}, baseline {baseline[part][key]!r}",
                  file=sys.stderr)
PY

# rps NAME wrk-args...: requests per second; fails on any non-2xx answer or socket error.
rps() {
  local name="$1" out="$WRK_OUT/$1.txt"
  shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" >"$out"
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$out"; then
    echo "$name: $(grep -E 'Non-2xx or 3xx responses|Socket errors' "$out" | xargs)" >&2; cat "$out" >&2; exit 1
  fi
  awk '/Requests\/sec/ {print $2}' "$out"
}
warm() { wrk -t1 -c4 -d2s "$@" >/dev/null; }
AUTH=(-H "Authorization: Bearer $TOKEN")

warm "${AUTH[@]}" "http://127.0.0.1:$BASELINE_PORT/api/auth/me"
BASELINE=$(rps baseline_me "${AUTH[@]}" "http://127.0.0.1:$BASELINE_PORT/api/auth/me")
warm "${AUTH[@]}" "http://127.0.0.1:$PORT/api/auth/me"
ME=$(rps me "${AUTH[@]}" "http://127.0.0.1:$PORT/api/auth/me")
warm "http://127.0.0.1:$PORT/api/config"
CONFIG=$(rps config "http://127.0.0.1:$PORT/api/config")
warm "http://127.0.0.1:$PORT/api/health"
CACHED=$(rps health "http://127.0.0.1:$PORT/api/health")
warm "http://127.0.0.1:$PROBE_PORT/api/health"
PROBE=$(rps health_probe "http://127.0.0.1:$PROBE_PORT/api/health")

SERVER_STACK="$("$BASELINE_VENV/bin/python" -c 'import fastapi, uvicorn, asyncpg, jwt; print(f"FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__}, asyncpg {asyncpg.__version__}, PyJWT {jwt.__version__}")')"
python3 - "$BASELINE" "$ME" "$CONFIG" "$CACHED" "$PROBE" "$SERVER_STACK" "$THREADS" "$CONNECTIONS" "$DURATION" <<'PY'
import sys
baseline, me, config, cached, probe = map(float, sys.argv[1:6])
stack, threads, connections, duration = sys.argv[6:10]
print(f"wrk -t{threads} -c{connections} -d{duration}, loopback; baseline: {stack}, 2 workers")
print(f"FastAPI  GET /api/auth/me  {baseline:10.0f} req/s  (reference stack: HS256 verify + one user/org/revocation query)")
print(f"Revtops  GET /api/auth/me  {me:10.0f} req/s  (session cached; a miss: JWT verify + one user/org/revocation query)")
print(f"Revtops  GET /api/config   {config:10.0f} req/s  (public, no auth, no database: ALLOW_SIGNUP=true)")
print(f"Revtops  GET /api/health   {cached:10.0f} req/s  (healthy answer reused for HEALTH_CACHE_MS=1000)")
print(f"Revtops  GET /api/health   {probe:10.0f} req/s  (HEALTH_CACHE_MS=0: one DB ping per call)")
def verdict(ok):
    return "ok" if ok else "MISSED"
print(f"ratio  revtops me / FastAPI me   {me / baseline:8.2f}   (target >= 10: {verdict(me / baseline >= 10)})")
print(f"cost of auth  config / me       {config / me:8.2f}   (target <= 1.3: {verdict(config / me <= 1.3)})")
print(f"ratio  cached / probing health  {cached / probe:8.2f}")
PY
