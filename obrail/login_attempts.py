"""Failed logins: the client address django-axes counts them under, and the log of each one.

django-axes (``AUTHENTICATION_BACKENDS``) counts failures per account and per client address
in the database and refuses every login, right password or not, once either has
``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_LOCKOUT_MINUTES``; a refused attempt costs no
password hashing. Each failure is logged here with pseudonyms of the account and the address
(keyed hashes: the same account gives the same pseudonym, without writing personal data to
the logs), never the password.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any

from django.utils.crypto import salted_hmac

from obrail.client_ip import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

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
