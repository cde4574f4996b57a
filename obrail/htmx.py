"""The one HTMX helper: is this an HTMX request that wants a fragment?"""

from __future__ import annotations

from django.http import HttpRequest

#: The request headers that decide between a page and its fragment (a response varies on them).
FRAGMENT_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """Return True for an HTMX request that wants the partial only.

    Boosted requests and history restores (the back button after htmx's history cache missed)
    need the whole page.
    """
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )
