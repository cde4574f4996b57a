"""WSGI entry point (gunicorn ``obrail.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obrail.settings")

application = get_wsgi_application()

from obrail.gc_tuning import freeze_startup_objects  # noqa: E402 - needs the apps loaded

freeze_startup_objects()
