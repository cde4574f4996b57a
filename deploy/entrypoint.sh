#!/bin/sh
# ObRail container entrypoint. One image, several roles (see compose.yaml):
#   web             gunicorn serving the Django app (default)
#   init-secrets    write the stack's secrets into the secrets volume: generated on first
#                   start, or taken from the environment (.env) (one-shot job)
#   migrate-and-load  apply migrations, create the administrator on first start (password
#                   in the secret file admin_password), repair station and operator identity
#                   (a no-op on a consistent warehouse), then run every ETL source once (its
#                   end brings the derived data up to date: see rebuild_derived) and train
#                   the modal-share model (each a no-op when nothing changed)
#   etl-scheduler   deploy/scheduler.py running deploy/cron/crontab (scheduled ETL)
#   manage ARGS...  any manage.py command, e.g. `manage createsuperuser`
# Anything else is executed as given. APP_DIR (default /app) lets deploy/verify.sh run this
# very script outside the container for its smoke test.
set -eu

APP_DIR="${APP_DIR:-/app}"
cd "$APP_DIR"

case "${1:-web}" in
    web)
        # gunicorn.conf.py empties PROMETHEUS_MULTIPROC_DIR when the master starts.
        mkdir -p "${PROMETHEUS_MULTIPROC_DIR:?PROMETHEUS_MULTIPROC_DIR must be set for gunicorn}"
        exec gunicorn --config "$APP_DIR/deploy/gunicorn.conf.py" obrail.wsgi:application
        ;;
    init-secrets)
        exec python "$APP_DIR/deploy/init_secrets.py"
        ;;
    migrate-and-load)
        # One-off processes keep their metrics in memory: they are not scraped.
        unset PROMETHEUS_MULTIPROC_DIR
        python manage.py migrate --noinput
        if [ -n "${OBRAIL_ADMIN_PASSWORD_FILE:-}" ]; then
            python "$APP_DIR/deploy/create_admin.py"
        fi
        python manage.py repair_identity
        # Air traffic and airports first, without rebuilding: the ETL ends with the one
        # derived-data pipeline (volume summary, caches, routing artefact, atlas, model
        # staleness), each artefact rebuilt only when older than the data.
        python manage.py load_air_traffic --no-recompute
        python manage.py etl
        # The modal-share model: trained from its bundled observations (the same data gives
        # the same version, nothing new), promoted only when no version serves yet.
        exec python manage.py train_model modal-share --promote
        ;;
    etl-scheduler)
        unset PROMETHEUS_MULTIPROC_DIR
        exec python "$APP_DIR/deploy/scheduler.py" "$APP_DIR/deploy/cron/crontab"
        ;;
    manage)
        shift
        unset PROMETHEUS_MULTIPROC_DIR
        exec python manage.py "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
