#!/usr/bin/env bash
# Bounded loopback load test of gunicorn sizes (workers x threads), for docs/operations.md.
#
#   DATABASE_URL=postgres://... deploy/loadtest/sizing.sh "2x1 3x1 5x1 2x4" [seconds] [clients]
#
# Runs gunicorn with deploy/gunicorn.conf.py on 127.0.0.1 for each size, warms it, then runs
# wrk (Debian package `wrk`) with deploy/loadtest/mix.lua and prints one RESULT line per size.
# Loopback only; throttling is lifted for the run (one client address sends everything).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
SIZES="${1:-2x1 3x1 5x1 2x4}"
SECONDS_PER_RUN="${2:-20}"
CLIENTS="${3:-64}"
PORT="${LOADTEST_PORT:-18431}"
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
: "${DATABASE_URL:?set DATABASE_URL to a loaded database}"

for size in $SIZES; do
    workers="${size%x*}"
    threads="${size#*x}"
    mkdir -p "$WORK/multiproc"
    (cd "$ROOT" && exec env DEBUG=false SECRET_KEY=loadtest ALLOWED_HOSTS=localhost \
        LOG_FORMAT=json LOG_LEVEL=info OBRAIL_VAR_DIR="$WORK/var" \
        API_THROTTLE_ANON=1000000/minute PROMETHEUS_MULTIPROC_DIR="$WORK/multiproc" \
        GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS="$workers" GUNICORN_THREADS="$threads" \
        "$PYTHON" -m gunicorn --config deploy/gunicorn.conf.py obrail.wsgi:application \
        >"$WORK/gunicorn.log" 2>&1) &
    PID=$!
    for _ in $(seq 100); do
        curl -fs -H 'Host: localhost' "http://127.0.0.1:$PORT/health" >/dev/null && break
        sleep 0.2
    done
    wrk -t2 -c"$CLIENTS" -d5s -s "$ROOT/deploy/loadtest/mix.lua" "http://127.0.0.1:$PORT" >/dev/null
    printf '%-5s ' "$size"
    wrk -t2 -c"$CLIENTS" -d"${SECONDS_PER_RUN}s" --timeout 30s -s "$ROOT/deploy/loadtest/mix.lua" \
        "http://127.0.0.1:$PORT" | grep '^RESULT'
    kill "$PID"
    wait "$PID" 2>/dev/null || true
    rm -rf "$WORK/multiproc" "$WORK/var"
done
