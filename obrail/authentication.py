"""API authentication: NUL bytes refused before they reach the database (a 500 otherwise), and
Basic credentials of a locked-out account or client answered 429 (see obrail/login_attempts.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as spectacular_auth
from rest_framework import authentication, exceptions

from obrail.login_attempts import backoff_remaining

if TYPE_CHECKING:
    from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """Session authentication; a session cookie with a NUL byte is no session.

    Such a key is never valid, and PostgreSQL rejects it in the session lookup.
    """

    def authenticate(self, request: Request) -> tuple | None:
        if "\x00" in request._request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""):
            return None
        return super().authenticate(request)


class LoginLockedOut(exceptions.Throttled):
    """Too many failed logins for this account or from this client: 429 with Retry-After."""

    default_detail = _("Trop de connexions échouées pour ce compte ou depuis cette adresse.")
    default_code = "login_locked_out"


class BasicAuthentication(authentication.BasicAuthentication):
    """Basic authentication counted by the login lockout; refuses credentials with a NUL byte."""

    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> tuple:
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                wait = max(
                    backoff_remaining(request, userid), settings.AXES_COOLOFF_TIME.total_seconds()
                )
                raise LoginLockedOut(wait=wait) from None
            raise


class SessionScheme(spectacular_auth.SessionScheme):
    """Document every subclass of DRF's session authentication as DRF's cookie scheme."""

    target_class = "rest_framework.authentication.SessionAuthentication"
    match_subclasses = True


class BasicScheme(spectacular_auth.BasicScheme):
    """Document every subclass of DRF's Basic authentication as DRF's HTTP Basic scheme."""

    target_class = "rest_framework.authentication.BasicAuthentication"
    match_subclasses = True
