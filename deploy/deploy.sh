#!/bin/sh
# Run on the target host by the CI deploy jobs (and by hand for a rollback, see
# docs/operations.md): pull the image OBRAIL_IMAGE:OBRAIL_TAG and (re)start the stack.
#   OBRAIL_IMAGE, OBRAIL_TAG   image to run (required)
#   REGISTRY, REGISTRY_USER    registry login; the password is read from stdin when set
#   OBRAIL_ENV_FILE            optional env file of overrides (default: .env next to
#                              compose.yaml); the secrets are generated on the host at first start
# Each tag deployed successfully is appended to .deployed-tags (newest last), for rollbacks.
set -eu

: "${OBRAIL_IMAGE:?set OBRAIL_IMAGE}"
: "${OBRAIL_TAG:?set OBRAIL_TAG}"
export OBRAIL_IMAGE OBRAIL_TAG
export OBRAIL_ENV_FILE="${OBRAIL_ENV_FILE:-.env}"
ENV_ARGS=""
if [ -f "$OBRAIL_ENV_FILE" ]; then
    ENV_ARGS="--env-file $OBRAIL_ENV_FILE"
fi

if [ -n "${REGISTRY:-}" ]; then
    docker login --username "${REGISTRY_USER:?set REGISTRY_USER}" --password-stdin "$REGISTRY"
fi

compose() {
    # shellcheck disable=SC2086 # ENV_ARGS is empty or two words
    docker compose --project-name obrail $ENV_ARGS "$@"
}

compose pull --quiet secrets app migrate etl-scheduler
compose pull --quiet --ignore-pull-failures postgres redis proxy prometheus alertmanager grafana loki promtail
# migrate (one-shot) runs first through depends_on; --wait fails when the app is not healthy.
compose up --detach --no-build --remove-orphans --wait --wait-timeout 300
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $OBRAIL_TAG" >> .deployed-tags
compose ps
