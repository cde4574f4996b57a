# ObRail Europe — the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on PostgreSQL (the local server unless DATABASE_URL says otherwise).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/obrail

# The report's own database: the bundled samples loaded by the ETL, benchmarked and served.
REPORT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/obrail_report
# Line and branch coverage with the JUnit report: what the report quotes (CI's test stage too).
COVERAGE_ARGS := --junitxml=reports/junit.xml --cov=apps --cov=obrail --cov-branch \
	--cov-report=json:reports/coverage.json

.PHONY: run test lint format install browser-deps postgres redis lock migrate load-samples clean \
	report report-deps architecture-diagram

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput

load-samples: migrate
	DEBUG=$${DEBUG:-true} $(PY) manage.py load_air_traffic --no-recompute
	DEBUG=$${DEBUG:-true} $(PY) manage.py etl
	DEBUG=$${DEBUG:-true} $(PY) manage.py train_model modal-share --promote

## run: install, migrate the embedded SQLite database, load the bundled samples, serve on $(PORT)
run: load-samples
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

## browser-deps: Debian's Chromium for Playwright, and axe-core from npm for the a11y checks
browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --loglevel=error

## postgres: start the local PostgreSQL cluster when it is not running
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect \
		"$$(ls /etc/postgresql | sort -V | tail -n1)" main start

## redis: start a Redis on 127.0.0.1:6379 when none answers (the shared-cache tests)
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
		command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server); \
		redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes; }

## test: the whole suite (unit, integration, browser E2E + accessibility) on PostgreSQL
test: install browser-deps postgres redis
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} OBRAIL_REQUIRE_POSTGRES=1 \
		$(PY) -m pytest $(PYTEST_ARGS)

## report-deps: Graphviz (diagrams) and poppler-utils (PDF page checks) from Debian
report-deps:
	@command -v dot >/dev/null && command -v pdftoppm >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq graphviz poppler-utils)

# The suite's reports when none is there yet (CI's test stage writes them, the report reuses them).
reports/coverage.json:
	mkdir -p reports
	$(MAKE) test PYTEST_ARGS="-p no:cacheprovider $(COVERAGE_ARGS)"

## report: the technical report (HTML + PDF) and the deck (PDF, notes) into reports/report/
report: install browser-deps report-deps postgres reports/coverage.json
	psql "$(dir $(REPORT_DATABASE_URL))postgres" -q -c \
		"DROP DATABASE IF EXISTS $(notdir $(REPORT_DATABASE_URL)) WITH (FORCE)"
	psql "$(dir $(REPORT_DATABASE_URL))postgres" -q -c "CREATE DATABASE $(notdir $(REPORT_DATABASE_URL))"
	DEBUG=true DATABASE_URL=$(REPORT_DATABASE_URL) OBRAIL_VAR_DIR=$(CURDIR)/reports/report-var \
		$(PY) docs/report/build.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	DEBUG=true $(PY) manage.py check
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DEBUG=true $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## architecture-diagram: redraw the apps' import graph in docs/architecture.md from the code
architecture-diagram:
	cd docs/report && $(CURDIR)/$(PY) -m reportgen.diagrams $(CURDIR)

## lock: re-pin requirements.txt (runtime) and requirements-dev.txt in a clean virtualenv
lock:
	rm -rf /tmp/obrail-lock && $(PYTHON) -m venv /tmp/obrail-lock
	/tmp/obrail-lock/bin/pip install --quiet -r requirements.in
	/tmp/obrail-lock/bin/pip freeze --exclude-editable | grep -v '^pip==' > requirements.txt
	/tmp/obrail-lock/bin/pip install --quiet -r requirements-dev.in
	/tmp/obrail-lock/bin/pip freeze --exclude-editable | grep -v '^pip==' > requirements-dev.txt

clean:
	rm -rf $(VENV) staticfiles reports .pytest_cache .ruff_cache .import_linter_cache
