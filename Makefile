# The two commands of the README: `make run` and `make test`. Both are idempotent.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PO_FILES := $(wildcard minyi/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run prod smoke-prod test test-pg test-schemathesis test-moved-clock setup system-deps runtime-deps db bench check messages makemessages clean

## make run: set everything up, load the demo district, serve http://127.0.0.1:8000 (with the worker
## delivering notifications to var/sms-outbox.jsonl and var/mail/ beside it)
## (scripts/serve.py: Ctrl-C, SIGTERM to make, or make killed outright stops both, leaving no process)
run: setup runtime-deps db
	exec $(PY) scripts/serve.py run

## make prod: the production profile on PostgreSQL (DATABASE_URL) and Redis (CACHE_URL): migrate,
## collectstatic, gunicorn (minyi/gunicorn_conf.py, WEB_WORKERS processes on BIND) and WORKERS workers;
## needs SECRET_KEY and ALLOWED_HOSTS (docs/deploy.md); stops like make run
WORKERS ?= 2
prod: setup
	exec $(PY) scripts/serve.py prod --workers $(WORKERS)

## make smoke-prod: start make prod on a fresh PostgreSQL database and this machine's Redis, walk a
## citizen's appeal to its SMS over HTTP, check /readyz and /metrics, stop it and check nothing is left
smoke-prod: setup
	scripts/smoke-prod.sh

## make test: lint, type check, Django checks, migrations check, the pytest suite with browser tests
test: setup system-deps
	scripts/check.sh

## make test-pg: the pytest suite against PostgreSQL (DATABASE_URL must point at it; .ci/run sets it)
test-pg: setup system-deps
	scripts/check.sh --pytest-only

## make test-schemathesis: the schemathesis run of the API for longer (a few minutes) on the database of
## DATABASE_URL (.ci/run: PostgreSQL, after make test-pg): generated strings carry NUL bytes, JSON bodies
## lone surrogates, and stateful sequences follow the links schemathesis infers between operations
SCHEMATHESIS_EXAMPLES ?= 40
SCHEMATHESIS_STATEFUL_EXAMPLES ?= 25
SCHEMATHESIS_STATEFUL_STEPS ?= 8
test-schemathesis: setup
	SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) SCHEMATHESIS_STATEFUL_EXAMPLES=$(SCHEMATHESIS_STATEFUL_EXAMPLES) \
	SCHEMATHESIS_STATEFUL_STEPS=$(SCHEMATHESIS_STATEFUL_STEPS) \
	  scripts/check.sh --pytest-only minyi/api/tests/test_schema.py -k "generated_requests or stateful"

## make test-moved-clock: the suite without the browser tests and the permission matrix under a clock 400 days ahead (date bombs)
test-moved-clock: setup system-deps
	scripts/check.sh --moved-clock

## make bench: the benchmarks (print figures; the last line of each is one JSON object)
bench: setup
	scripts/bench.sh

## make bench-smoke: every benchmark at a tiny scale, so none breaks unseen (CI; the figures mean nothing)
.PHONY: bench-smoke
bench-smoke: setup
	scripts/bench.sh --smoke

setup: $(VENV)/.installed minyi/static/vendor/.copied $(MO_FILES)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Only the built files we serve are copied next to our own static files.
minyi/static/vendor/.copied: node_modules/.installed
	mkdir -p minyi/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js minyi/static/vendor/
	touch $@

%.mo: %.po $(VENV)/.installed
	$(PY) scripts/compilemessages.py $<

## Browser tests need Debian's chromium and CJK fonts; installed once if missing (needs root).
system-deps:
	scripts/system-deps.sh

## the app's own Debian packages (Pango and CJK fonts for the bulletin PDF); warns without root
runtime-deps:
	scripts/system-deps.sh --runtime

# One process for both: Django starts once, not twice.
db: setup
	mkdir -p var
	$(PY) manage.py seed_demo --migrate

## make makemessages: refresh the catalogues from the code (needs GNU gettext), then translate
makemessages: setup
	$(PY) manage.py makemessages --locale zh_Hans --locale en --no-obsolete --no-location --ignore '.venv/*' --ignore 'node_modules/*'

clean:
	rm -rf $(VENV) node_modules minyi/static/vendor var .pytest_cache .mypy_cache .ruff_cache
