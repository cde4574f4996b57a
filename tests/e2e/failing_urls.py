"""The project's URLs and one view that fails: how the browser tests reach the 500 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from obrail import urls


def fail(request: HttpRequest) -> HttpResponse:
    """An unexpected error, as a bug in a view would raise."""
    raise RuntimeError("test-only failure: the 500 page")


urlpatterns = [path("erreur-de-test", fail), *urls.urlpatterns]
handler404 = urls.handler404
