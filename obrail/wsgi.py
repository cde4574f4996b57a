"""WSGI entry point (gunicorn ``obrail.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obrail.settings")

application = get_wsgi_application()
