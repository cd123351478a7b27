#!/usr/bin/env bash
# Every check in one command. `--pytest-only` runs just the suite (used for PostgreSQL);
# `--moved-clock` runs the suite without the browser tests under a clock moved 400 days ahead (Debian's
# libfaketime), so that a test which reads today's date fails here instead of on the day it rots.
# The suite runs in one process per core (pytest-xdist; PYTEST_WORKERS overrides); the tests of the
# seeded demo share one group, so one process seeds the demo once (minyi/demo/tests/seeded).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
step() { printf '\n== %s\n' "$*"; }
mode="${1:-all}"
pytest_args=(-p no:cacheprovider -n "${PYTEST_WORKERS:-auto}" --dist loadgroup)

if [ "$mode" = "--moved-clock" ]; then
  faketime_lib=$(compgen -G "/usr/lib/*/faketime/libfaketimeMT.so.1" | head -n1 || true)
  [ -n "$faketime_lib" ] || { echo "libfaketime is missing: scripts/system-deps.sh installs it" >&2; exit 1; }
  export LD_PRELOAD="$faketime_lib" FAKETIME="+400d" FAKETIME_DONT_FAKE_MONOTONIC=1
  now() { "$@" $PY -c 'import time; print(int(time.time()))'; }
  if [ $(($(now) - $(now env -u LD_PRELOAD))) -lt $((399 * 86400)) ]; then
    echo "the clock did not move (libfaketime had no effect)" >&2
    exit 1
  fi
  step "pytest without the browser tests, the clock moved to $($PY -c 'import datetime; print(datetime.date.today())')"
  # The permission matrix's answers come from tables, not dates, and what it builds runs through the same
  # rules as the rest of the suite: its 2,000 requests are not repeated here.
  pytest_args+=(-m "not browser and not matrix")
elif [ "$mode" != "--pytest-only" ]; then
  step "ruff"
  .venv/bin/ruff check .
  .venv/bin/ruff format --check --quiet .
  step "mypy"
  .venv/bin/mypy minyi manage.py scripts
  step "manage.py check"
  $PY manage.py check --fail-level WARNING
  step "manage.py check --deploy (production profile)"
  # (the check does not connect to Redis; production refuses a per-process cache)
  DJANGO_SETTINGS_MODULE=minyi.settings_production ALLOWED_HOSTS=minyi.example.gov.cn \
    CACHE_URL=redis://127.0.0.1:6379/0 \
    SECRET_KEY="check-deploy-$(printf '%064d' 0 | tr 0 x)-k3y-Zq9" \
    $PY manage.py check --deploy --fail-level WARNING
  step "makemigrations --check"
  $PY manage.py makemigrations --check --dry-run
fi

[ "$mode" = "--moved-clock" ] || step "pytest (database: ${DATABASE_URL:-sqlite default})"
set +e
$PY -m pytest "${pytest_args[@]}" "${@:2}"  # e.g. scripts/check.sh --pytest-only minyi/ledger
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit $rc
