#!/usr/bin/env bash
# `make bench`: every benchmark against a throw-away PostgreSQL database on this machine (or the one
# in BENCH_DATABASE_URL). Each benchmark prints its figures; its last line is one JSON object naming it
# ({"bench": "<name>", ...}). BENCH_SCALE sets the number of generated appeals (default 1,000,000);
# BENCH_ONLY=name runs one.
#
# `--smoke` (`make bench-smoke`, run by CI): every benchmark at a tiny scale, so that none can break
# unseen; its figures mean nothing. Any knob already set in the environment is kept.
#
# Either way a benchmark fails the run when it exits non-zero or its last line is not one JSON object
# naming it; the others still run, and the failures are listed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

smoke=false
case "${1:-}" in
  --smoke) smoke=true ;;
  "") ;;
  *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
esac
seed=(--force)
if $smoke; then
  export BENCH_SCALE="${BENCH_SCALE:-2000}" BENCH_SECONDS="${BENCH_SECONDS:-3}" BENCH_REPEATS="${BENCH_REPEATS:-3}"
  export BENCH_ISSUES="${BENCH_ISSUES:-500}" BENCH_GETS="${BENCH_GETS:-10}" BENCH_WORKERS="${BENCH_WORKERS:-1}"
  export BENCH_HOTSPOTS="${BENCH_HOTSPOTS:-300}" BENCH_MESSAGES="${BENCH_MESSAGES:-300}"
  export BENCH_UNLABELLED="${BENCH_UNLABELLED:-300}" BENCH_TRAIN_ROWS="${BENCH_TRAIN_ROWS:-200}"
  export BENCH_TRIAGE="${BENCH_TRIAGE:-20}" BENCH_INSERT_ROWS="${BENCH_INSERT_ROWS:-2000}"
  export BENCH_JOBS="${BENCH_JOBS:-300}"
  # The district without its demo campaign (13,000 appeals, visits, study … through the rules: most of
  # a minute); the benchmarks load their own volume.
  seed+=(--without-appeals)
fi

if [ -n "${BENCH_ONLY:-}" ] && [ ! -f "benchmarks/bench_${BENCH_ONLY//-/_}.py" ]; then
  echo "No benchmark named ${BENCH_ONLY} (benchmarks/bench_${BENCH_ONLY//-/_}.py)" >&2
  exit 2
fi

# bench_intake and bench_open311 drive the server with wrk (Debian package wrk): installed once when
# missing and running as root (CI), as scripts/system-deps.sh does; otherwise say so before an hour of
# benchmarks rather than in the middle of them.
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The benchmarks need Debian's wrk. Run: sudo apt-get install -y wrk" >&2
    exit 1
  fi
  echo "Installing wrk from Debian ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

db="minyi_bench_$(date +%s)_$$"
out=$(mktemp)
cleanup() {
  rm -f "$out"
  [ -n "${BENCH_DATABASE_URL:-}" ] || psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"
}
trap cleanup EXIT
export DATABASE_URL="${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/${db}}"
export DEBUG=false ALLOWED_HOSTS="127.0.0.1,localhost,testserver" RATE_APPEAL_SUBMIT=0
[ -n "${BENCH_DATABASE_URL:-}" ] || psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE ${db}"
# (`make test` runs the system checks.)
$PY manage.py migrate --noinput -v0 --skip-checks
$PY manage.py seed_demo --skip-checks "${seed[@]}" >/dev/null

started=$SECONDS
ran=0
failed=()
for bench in benchmarks/bench_*.py; do
  name=$(basename "$bench" .py)
  [ -n "${BENCH_ONLY:-}" ] && [ "bench_${BENCH_ONLY//-/_}" != "$name" ] && continue
  label=${name#bench_}
  label=${label//_/-}
  echo "== $name"
  ran=$((ran + 1))
  began=$SECONDS
  status=0
  $PY "$bench" | tee "$out" || status=$?
  if [ "$status" -ne 0 ]; then
    failed+=("$name (exit $status)")
  elif ! tail -n 1 "$out" | $PY -c '
import json, sys
line = sys.stdin.read()
try:
    figures = json.loads(line)
except ValueError:
    sys.exit(1)
sys.exit(0 if isinstance(figures, dict) and figures.get("bench") == sys.argv[1] else 1)
' "$label"; then
    failed+=("$name (last line is not one JSON object with \"bench\": \"$label\")")
  fi
  echo "   ($((SECONDS - began)) s)"
done
echo "== benchmarks run: $ran, in $((SECONDS - started)) s ($SECONDS s with the database's set-up)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED benchmarks:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
