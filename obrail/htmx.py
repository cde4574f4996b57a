"""The one HTMX helper: is this an HTMX request that wants a fragment?"""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """Return True for an HTMX request that is not boosted (it wants the partial only)."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )
