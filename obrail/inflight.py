"""The requests a worker is serving, so that a worker killed by gunicorn's timeout can say which.

gunicorn aborts a worker that overran ``GUNICORN_TIMEOUT`` (SIGABRT) before any response or
access line is written. Its ``worker_abort`` hook (deploy/gunicorn.conf.py) calls
:func:`report_killed_requests`, which logs each request in flight with its request id and
counts it in django-prometheus' response counters as ``KILLED_STATUS``, so the error-rate alert
sees it. A streamed response stays in flight until its last chunk is sent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from obrail.logging import request_id_var

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger("obrail.access")

#: The status a killed request is logged and counted as: gunicorn answers a bare 500 when the
#: response had not started (and drops the connection when it had).
KILLED_STATUS = "500"


@dataclass
class InFlight:
    """One request being served by a thread of this process."""

    request: HttpRequest
    request_id: str
    started: float
    is_streaming: bool = False


_in_flight: dict[int, InFlight] = {}


def start_request(request: HttpRequest, request_id: str) -> None:
    """Record that the current thread serves ``request``."""
    _in_flight[threading.get_ident()] = InFlight(request, request_id, time.perf_counter())


def finish_request() -> None:
    """Record that the current thread has finished its request."""
    _in_flight.pop(threading.get_ident(), None)


def track_stream(chunks: Iterable[bytes], request: HttpRequest, request_id: str) -> Iterator[bytes]:
    """Yield ``chunks``, keeping the request in flight until the last one is sent.

    The WSGI server iterates the body on the thread that ran the view, after the middleware
    has returned.
    """
    start_request(request, request_id)
    _in_flight[threading.get_ident()].is_streaming = True
    try:
        yield from chunks
    finally:
        finish_request()


def report_killed_requests(reason: str) -> int:
    """Log and count every request in flight as killed (``reason``); return how many."""
    killed = list(_in_flight.values())
    _in_flight.clear()
    for entry in killed:
        view = _view_name(entry.request)
        method = entry.request.method or "-"
        token = request_id_var.set(entry.request_id)
        try:
            logger.error(
                "%s %s %s killed: %s",
                method,
                entry.request.path,
                KILLED_STATUS,
                reason,
                extra={
                    "method": method,
                    "path": entry.request.path,
                    "status": int(KILLED_STATUS),
                    "duration_ms": round((time.perf_counter() - entry.started) * 1000, 2),
                    "event": "request_killed",
                    "reason": reason,
                    "streaming": entry.is_streaming,
                },
            )
        finally:
            request_id_var.reset(token)
        _count_killed(view, method)
    return len(killed)


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None else None) or "<unnamed view>"


def _count_killed(view: str, method: str) -> None:
    from django_prometheus.middleware import Metrics

    metrics = Metrics.get_instance()
    metrics.responses_by_status.labels(status=KILLED_STATUS).inc()
    metrics.responses_by_status_view_method.labels(
        status=KILLED_STATUS, view=view, method=method
    ).inc()
