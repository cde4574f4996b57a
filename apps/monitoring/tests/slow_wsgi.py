"""The real WSGI application plus ``/test-slow``, a view that sleeps: for the timeout test."""

from __future__ import annotations

import time

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

application = get_wsgi_application()

from obrail import urls  # noqa: E402 (needs Django set up)


def sleep_view(request: HttpRequest) -> HttpResponse:
    """Sleep ``seconds`` (query string), then answer."""
    time.sleep(float(request.GET.get("seconds", "30")))
    return HttpResponse("late")


urls.urlpatterns.append(path("test-slow", sleep_view, name="test-slow"))
