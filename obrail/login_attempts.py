"""Failed logins: the client address django-axes counts them under, and the log of each one.

django-axes (``AUTHENTICATION_BACKENDS``) counts failures per account and per client address
in the database and refuses every login, right password or not, once either has
``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_LOCKOUT_MINUTES``; a refused attempt costs no
password hashing. Each failure is logged here with pseudonyms of the account and the address
(keyed hashes: the same account gives the same pseudonym, without writing personal data to
the logs), never the password.

Repeated lockouts back off: the n-th lockout of an account or a client within
``LOGIN_BACKOFF_MEMORY_HOURS`` lasts ``LOGIN_LOCKOUT_MINUTES`` × 2^(n−1), at most
``LOGIN_LOCKOUT_MAX_MINUTES``. axes' own lockout lasts the base time; :class:`BackoffBackend`
refuses the rest, and the record of lockouts lives in the cache (shared by every app instance
when the cache is Redis), keyed by pseudonyms.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import math
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from obrail.client_ip import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

_PSEUDONYM_SALT = "obrail.login_attempts"


def client_address_for_axes(request: HttpRequest) -> str | None:
    """The client's address for django-axes (``AXES_CLIENT_IP_CALLABLE``); None if unknown.

    axes stores it in a ``GenericIPAddressField``, so an IPv4-mapped address is given as IPv4.
    """
    address = client_ip(request)
    if isinstance(address, ipaddress.IPv6Address | ipaddress.IPv4Address):
        return str(address)
    return None


def pseudonym(value: str) -> str:
    """A short keyed hash of ``value``: stable for one ``SECRET_KEY``, not reversible."""
    return salted_hmac(_PSEUDONYM_SALT, value).hexdigest()[:16]


def login_channel(request: HttpRequest) -> str:
    """Where the login was tried: ``admin``, ``api`` or ``other`` (a small fixed set)."""
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "other"


def log_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Log one failed login (receiver of ``user_login_failed``, connected after axes')."""
    if request is None:
        logger.warning("login failed outside a request", extra={"event": "login_failed"})
        return
    username = str(credentials.get("username") or "")
    is_locked_out = bool(getattr(request, "axes_locked_out", False))
    logger.warning(
        "login %s: channel=%s",
        "refused (locked out)" if is_locked_out else "failed",
        login_channel(request),
        extra={
            "event": "login_locked_out" if is_locked_out else "login_failed",
            "channel": login_channel(request),
            "account": pseudonym(f"account:{username}"),
            "client": pseudonym(f"client:{client_address_for_axes(request)}"),
            "failures": getattr(request, "axes_failures_since_start", None),
        },
    )


# --- Back-off of repeated lockouts ---------------------------------------------------------


_GENERATION_KEY = "login-lockouts:generation"


def _lockout_keys(request: Any, username: str | None) -> list[str]:
    """Cache keys of the lockout records of the request's client and of the account."""
    prefix = f"login-lockouts:{cache.get(_GENERATION_KEY, 0)}:"
    keys = []
    address = client_address_for_axes(getattr(request, "_request", request))
    if address:
        keys.append(prefix + "client:" + pseudonym(f"client:{address}"))
    if username:
        keys.append(prefix + "account:" + pseudonym(f"account:{username}"))
    return keys


def reset_backoff() -> None:
    """Forget every lockout record (``manage reset_login_backoff``, beside ``axes_reset``)."""
    cache.set(_GENERATION_KEY, cache.get(_GENERATION_KEY, 0) + 1, timeout=None)


def _username_of(request: Any) -> str | None:
    """The account a login request names: Basic auth (noted by obrail.authentication) or the
    admin form."""
    named = getattr(request, "obrail_login_username", None)
    if named:
        return str(named)
    post = getattr(request, "POST", None)
    return post.get("username") if post is not None else None


def lockout_duration(previous: int) -> float:
    """Seconds of a lockout after ``previous`` others within the memory."""
    base = settings.AXES_COOLOFF_TIME.total_seconds()
    longest = settings.LOGIN_LOCKOUT_MAX_MINUTES * 60
    return float(min(base * 2 ** min(previous, 32), longest))


def record_lockout(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any):
    """Remember a new lockout (receiver of axes' ``user_locked_out``, which also fires for each
    attempt refused during a lockout: only the one that locked carries a failure count)."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    now = time.time()
    memory = settings.LOGIN_BACKOFF_MEMORY_HOURS * 3600
    for key in _lockout_keys(request, username):
        starts = [start for start in cache.get(key, []) if start > now - memory]
        until = now + lockout_duration(len(starts))
        cache.set(key, [*starts, now], timeout=int(memory))
        cache.set(key + ":until", until, timeout=max(1, math.ceil(until - now)))


def backoff_remaining(request: Any, username: str | None = None) -> float:
    """Seconds the client or the account of this login request stays refused (0: none)."""
    now = time.time()
    keys = _lockout_keys(request, username or _username_of(request))
    untils = [cache.get(key + ":until") or 0.0 for key in keys]
    return max([until - now for until in untils] + [0.0])


class BackoffBackend:
    """An authentication backend (after axes', before the password check) refusing logins of
    a client or account whose back-off outlasts axes' lockout; the refusal is answered as a
    lockout (429) and not counted as a failure. Without ``get_user``, it never holds a
    session (``force_login`` skips it)."""

    def authenticate(self, request: Any, username: str | None = None, **kwargs: Any) -> None:
        if request is not None and backoff_remaining(request, username) > 0:
            request.axes_locked_out = True
            raise PermissionDenied
        return None


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page of a refused admin login (``AXES_LOCKOUT_CALLABLE``): 429, in the page's
    language, with the wait in ``Retry-After``."""
    wait = max(backoff_remaining(request), settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, math.ceil(wait / 60))
    response = render(
        request,
        "login_locked.html",
        {"minutes": minutes, "until": dt.timedelta(seconds=wait)},
        status=429,
    )
    response["Retry-After"] = str(math.ceil(wait))
    return response
