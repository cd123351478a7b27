#!/usr/bin/env bash
# `make bench`: every benchmark against a throw-away PostgreSQL database on this machine (or the one
# in BENCH_DATABASE_URL). Each benchmark prints its figures; its last line is one JSON object.
# BENCH_SCALE sets the number of generated appeals (default 1,000,000); BENCH_ONLY=name runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
db="minyi_bench_$(date +%s)_$$"
export DATABASE_URL="${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/${db}}"
export DEBUG=false ALLOWED_HOSTS="127.0.0.1,localhost,testserver" RATE_APPEAL_SUBMIT=0
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE ${db}"
  trap 'psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"' EXIT
fi
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo --force >/dev/null
for bench in benchmarks/bench_*.py; do
  name=$(basename "$bench" .py)
  [ -n "${BENCH_ONLY:-}" ] && [ "bench_${BENCH_ONLY//-/_}" != "$name" ] && continue
  echo "== $name"
  $PY "$bench"
done
