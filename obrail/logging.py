"""Structured logging: JSON lines or text, each record carrying the current request id."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from django.db import OperationalError

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "request_id"}
)


class RequestIdFilter(logging.Filter):
    """Attach the request id of the current context to every record, and keep records
    within the logging policy: a request appears as its method and path (never its query
    string, which may carry personal searches), a refused Host header is a one-line warning
    (scanners send thousands), and a database outage is one line per failed request, not a
    6 kB traceback each."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = f"{getattr(request, 'method', '')} {request.path}".strip()
        if record.name == "django.security.DisallowedHost":
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        elif record.exc_info and isinstance(record.exc_info[1], OperationalError):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {str(error).strip()})"
            record.args = None
            record.exc_info, record.exc_text = None, None
        return True


class JsonFormatter(logging.Formatter):
    """Format records as one JSON object per line; extra attributes become fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)
