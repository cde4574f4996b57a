"""Swagger UI and ReDoc, served from the sidecar static files under a docs-only CSP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from drf_spectacular.views import SpectacularSwaggerSplitView

# The two viewers inject styles and ReDoc starts a blob: worker; scripts still come from 'self'.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _with_docs_csp(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if settings.CONTENT_SECURITY_POLICY:
            response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response

    wrapped.__doc__ = view.__doc__
    return wrapped


swagger_ui = _with_docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
swagger_ui.__doc__ = "Swagger UI from the sidecar static files, init script served apart."


@_with_docs_csp
def redoc(request: HttpRequest) -> HttpResponse:
    """ReDoc from the sidecar static files, without inline script nor web fonts from a CDN."""
    return HttpResponse(
        format_html(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>{}</title></head><body>"
            '<redoc spec-url="{}"></redoc><script src="{}"></script></body></html>',
            settings.SPECTACULAR_SETTINGS.get("TITLE", "API"),
            reverse("api:schema"),
            static("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
        )
    )
