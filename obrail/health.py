"""``GET /health``: liveness, database readiness, the var directory, version and data freshness.

The report is public: it names what failed in a few fixed words, never a host, a port, a path
or a driver's message (those go to the log).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from obrail.version import get_version

logger = logging.getLogger(__name__)


def check_database() -> dict[str, Any]:
    """Run a real query and report its latency, or the error that stopped it."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning(
            "health: database check failed: %s: %s",
            exc.__class__.__name__,
            str(exc).strip()[:300],
        )
        return {"status": "fail", "error": describe_database_error(exc)}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def describe_database_error(exc: DatabaseError) -> str:
    """A fixed phrase for a database error: no host, port or server message."""
    if isinstance(exc, OperationalError | InterfaceError):
        return "database unreachable"
    return "database query failed"


def check_var_dir() -> dict[str, Any]:
    """Check that the var directory can be written and has ``VAR_DIR_MIN_FREE_MB`` free.

    The pages and the API work without it (the cache falls back to memory), so a failure
    makes the report "degraded", not the service unavailable.
    """
    directory = Path(settings.VAR_DIR)
    problems: list[str] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".health-"):
            pass
    except OSError as exc:
        logger.warning("health: var directory not writable: %s", exc.__class__.__name__)
        problems.append("not writable")
    free_mb: float | None = None
    try:
        free_mb = shutil.disk_usage(directory).free / 2**20
    except OSError as exc:
        logger.warning("health: var directory unreadable: %s", exc.__class__.__name__)
        problems.append("unreadable")
    if free_mb is not None and free_mb < settings.VAR_DIR_MIN_FREE_MB:
        problems.append("low on space")
    if getattr(cache, "is_degraded", False):
        problems.append("cache served from memory")
    check: dict[str, Any] = {"status": "fail" if problems else "ok"}
    if free_mb is not None:
        check["free_mb"] = int(free_mb)
    if problems:
        check["error"] = ", ".join(problems)
    return check


#: The function listing the last successful import of each source, registered by the warehouse.
_import_freshness_source: list[Callable[[], dict[str, str]]] = []


def register_import_freshness(source: Callable[[], dict[str, str]]) -> None:
    """Make ``source`` (source name → end of its last successful import, ISO 8601) the
    report's data freshness: the warehouse app registers it in its ``AppConfig.ready()``."""
    _import_freshness_source[:] = [source]


def last_successful_imports() -> dict[str, str]:
    """Return the end time of the last successful import of each source (ISO 8601); none
    when no app registered a source."""
    return _import_freshness_source[0]() if _import_freshness_source else {}


#: Checks whose failure leaves the service up: the report says "degraded", the status is 200.
NON_CRITICAL_CHECKS = frozenset({"var_dir"})


def collect_health() -> tuple[bool, dict[str, Any]]:
    """Run every check; return whether the service is up and the report."""
    checks: dict[str, dict[str, Any]] = {"database": check_database(), "var_dir": check_var_dir()}
    imports: dict[str, str] = {}
    if checks["database"]["status"] == "ok":
        try:
            imports = last_successful_imports()
        except DatabaseError as exc:
            checks["database"] = {"status": "fail", "error": describe_database_error(exc)}
    failing = sorted(name for name, check in checks.items() if check["status"] != "ok")
    is_up = not set(failing) - NON_CRITICAL_CHECKS
    report: dict[str, Any] = {
        "status": "ok" if not failing else "degraded" if is_up else "fail",
        "version": get_version(),
        "checks": checks,
        "last_successful_imports": imports,
    }
    if failing:
        report["failing"] = failing
    return is_up, report


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the service is up (even degraded), 503 naming the failing checks."""
    healthy, report = collect_health()
    return JsonResponse(report, status=200 if healthy else 503)
