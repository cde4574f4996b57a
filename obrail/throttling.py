"""API throttles whose rates are read from the settings at each request (changeable live), and
the same compute throttle for the pages that compute.

Clients are identified by :func:`obrail.client_ip.client_key`, never by a header a client
can write (DRF's own ``get_ident`` believes ``X-Forwarded-For`` from anyone when
``NUM_PROXIES`` is unset).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from obrail.client_ip import client_key

if TYPE_CHECKING:
    from rest_framework.request import Request


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients, by address: ``API_THROTTLE_ANON``."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Request) -> str:
        return client_key(request)


class UserThrottle(UserRateThrottle):
    """Authenticated clients, by user: ``API_THROTTLE_USER``."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Request) -> str:
        return client_key(request)


class ComputeThrottle(SimpleRateThrottle):
    """Requests that run a solver, per user or client address: ``API_THROTTLE_COMPUTE``.

    Applied on top of the general throttles to the solver API endpoints, and to the pages
    that compute through :func:`throttle_computation`.
    """

    scope = "compute"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Request) -> str:  # type: ignore[override]
        return client_key(request)

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        user = getattr(request, "user", None)
        is_user = user is not None and user.is_authenticated
        ident = f"user-{user.pk}" if is_user else self.get_ident(request)  # type: ignore[union-attr]
        return self.cache_format % {"scope": self.scope, "ident": ident}


#: Throttles of the API endpoints that compute.
COMPUTE_THROTTLES = (AnonThrottle, UserThrottle, ComputeThrottle)


def throttle_computation(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Count a page request that computes (one with a query string: the page without one shows
    a stored case, cached) against ``API_THROTTLE_COMPUTE``; over it, a French 429 page with
    ``Retry-After``."""

    @wraps(view)
    def throttled(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET:
            throttle = ComputeThrottle()
            if not throttle.allow_request(request, None):
                retry_after = math.ceil(throttle.wait() or 1)
                response = render(request, "429.html", {"retry_after": retry_after}, status=429)
                response["Retry-After"] = str(retry_after)
                return response
        return view(request, *args, **kwargs)

    return throttled
