#!/usr/bin/env bash
# Every check in one command. `--pytest-only` runs just the suite (used for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
step() { printf '\n== %s\n' "$*"; }

if [ "${1:-}" != "--pytest-only" ]; then
  step "ruff"
  .venv/bin/ruff check .
  .venv/bin/ruff format --check --quiet .
  step "mypy"
  .venv/bin/mypy minyi manage.py scripts
  step "manage.py check"
  $PY manage.py check --fail-level WARNING
  step "manage.py check --deploy (production profile)"
  DJANGO_SETTINGS_MODULE=minyi.settings_production ALLOWED_HOSTS=minyi.example.gov.cn \
    SECRET_KEY="check-deploy-$(printf '%064d' 0 | tr 0 x)-k3y-Zq9" \
    $PY manage.py check --deploy --fail-level WARNING
  step "makemigrations --check"
  $PY manage.py makemigrations --check --dry-run
fi

step "pytest (database: ${DATABASE_URL:-sqlite default})"
set +e
$PY -m pytest -p no:cacheprovider
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit $rc
