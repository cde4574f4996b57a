"""API throttles whose rates are read from the settings at each request (changeable live).

Clients are identified by :func:`obrail.client_ip.client_key`, never by a header a client
can write (DRF's own ``get_ident`` believes ``X-Forwarded-For`` from anyone when
``NUM_PROXIES`` is unset).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

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
