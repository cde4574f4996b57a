#!/bin/sh
# ObRail container entrypoint. One image, several roles (see compose.yaml):
#   web             gunicorn serving the Django app (default)
#   migrate-and-load  apply migrations, repair station and operator identity (a no-op on a
#                   consistent warehouse), then run every ETL source once (one-shot job)
#   etl-scheduler   supercronic running deploy/cron/crontab (scheduled ETL)
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
    migrate-and-load)
        # One-off processes keep their metrics in memory: they are not scraped.
        unset PROMETHEUS_MULTIPROC_DIR
        python manage.py migrate --noinput
        python manage.py repair_identity
        exec python manage.py etl
        ;;
    etl-scheduler)
        unset PROMETHEUS_MULTIPROC_DIR
        exec supercronic -passthrough-logs "$APP_DIR/deploy/cron/crontab"
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
