"""Cross-cutting middleware: request ids with access logging, security headers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse

from obrail import inflight
from obrail.logging import request_id_var

logger = logging.getLogger("obrail.access")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (kept from ``X-Request-ID`` when well-formed) and log it once.

    The access line holds method, path, status and duration: no client address, no query
    string, no user data. The request is kept in :mod:`obrail.inflight` while it is served
    (a streamed one until its last chunk), for the log line of a worker killed by the timeout.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        inflight.start_request(request, request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            # Files (static, whitenoise) keep their sendfile path: they are not the slow ones.
            if response.streaming and not isinstance(response, FileResponse):
                response.streaming_content = inflight.track_stream(
                    response.streaming_content, request, request_id
                )
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            inflight.finish_request()
            request_id_var.reset(token)


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy and Permissions-Policy headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return response
