#!/usr/bin/env bash
# `make smoke-prod` (CI runs it after the PostgreSQL suite): start `make prod` on a fresh PostgreSQL
# database of this machine and its Redis, walk the smoke journey over HTTP (scripts/smoke_prod.py:
# citizen submits → dispatcher dispatches through the API → a worker writes the SMS to the file backend;
# /readyz, /metrics, JSON logs), stop it with SIGTERM to make, and check that no process is left.
# SMOKE_DATABASE_URL and SMOKE_CACHE_URL point it elsewhere; SMOKE_PORT (8790) is where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

db="minyi_smoke_$(date +%s)_$$"
port="${SMOKE_PORT:-8790}"
tmp=$(mktemp -d)
make_pid=""
session=""

export DATABASE_URL="${SMOKE_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/${db}}"
export CACHE_URL="${SMOKE_CACHE_URL:-redis://127.0.0.1:6379/15}"
export DJANGO_SETTINGS_MODULE=minyi.settings_production
SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')
METRICS_TOKEN=$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')
export SECRET_KEY METRICS_TOKEN
export ALLOWED_HOSTS="127.0.0.1,localhost" BIND="127.0.0.1:${port}" WORKERS=2 WEB_WORKERS=2
export SMS_FILE="${tmp}/sms-outbox.jsonl" PROMETHEUS_MULTIPROC_DIR="${tmp}/prometheus" LOG_LEVEL=INFO

cleanup() {
  if [ -n "$session" ]; then
    pkill -KILL -s "$session" 2>/dev/null || true  # only the processes of the stack's own session
  fi
  [ -n "${SMOKE_DATABASE_URL:-}" ] || psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"
  rm -rf "$tmp"
}
trap cleanup EXIT

[ -n "${SMOKE_DATABASE_URL:-}" ] || psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE ${db}"
redis-cli -u "$CACHE_URL" flushdb >/dev/null

# The stack in a session of its own, so that every process it starts can be found afterwards.
setsid make --no-print-directory prod >"${tmp}/prod.log" 2>&1 &
make_pid=$!
session=$(ps -o sid= -p "$make_pid" | tr -d ' ')
echo "smoke: make prod started (pid ${make_pid}, session ${session}); waiting for it to migrate and serve"
# Migrating a new database and compressing the static files take a few minutes on a busy CI machine.
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:${port}/healthz" >/dev/null 2>&1 && break
  kill -0 "$make_pid" 2>/dev/null || { cat "${tmp}/prod.log"; echo "smoke: make prod exited early" >&2; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:${port}/healthz" >/dev/null || { tail -n 40 "${tmp}/prod.log"; echo "smoke: FAILED: no answer on ${port}" >&2; exit 1; }

# The demo district (units, logins, categories) without its campaign, and a dispatcher's API key.
$PY manage.py seed_demo --force --without-appeals --scale 100 >/dev/null
key=$($PY manage.py api_token create --user dispatcher --name smoke | sed -n 's/^key: //p')

status=0
$PY scripts/smoke_prod.py "http://127.0.0.1:${port}" "$key" "$SMS_FILE" "${tmp}/prod.log" "$METRICS_TOKEN" || status=$?

echo "smoke: SIGTERM to make (pid ${make_pid})"
kill -TERM "$make_pid"
for _ in $(seq 1 60); do
  [ -z "$(ps -o pid= -s "$session")" ] && break
  sleep 0.5
done
left=$(ps -o pid=,args= -s "$session" || true)
if [ -n "$left" ]; then
  echo "smoke: FAILED: processes left behind after SIGTERM to make:" >&2
  echo "$left" >&2
  status=1
else
  echo "smoke: make prod stopped; no process of it is left"
  session=""
fi
if [ "$status" -ne 0 ]; then
  echo "----- make prod's output -----" >&2
  tail -n 80 "${tmp}/prod.log" >&2
fi
[ "$status" -eq 0 ] && echo "smoke: passed"
exit "$status"
