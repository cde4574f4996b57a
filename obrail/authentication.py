"""API authentication that refuses NUL bytes before they reach the database (a 500 otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as spectacular_auth
from rest_framework import authentication, exceptions

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


class BasicAuthentication(authentication.BasicAuthentication):
    """Basic authentication that refuses credentials holding a NUL byte."""

    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> tuple:
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)


class SessionScheme(spectacular_auth.SessionScheme):
    """Document every subclass of DRF's session authentication as DRF's cookie scheme."""

    target_class = "rest_framework.authentication.SessionAuthentication"
    match_subclasses = True


class BasicScheme(spectacular_auth.BasicScheme):
    """Document every subclass of DRF's Basic authentication as DRF's HTTP Basic scheme."""

    target_class = "rest_framework.authentication.BasicAuthentication"
    match_subclasses = True
