"""``GET /health``: liveness, database readiness, version and data freshness."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Max
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
        logger.warning("health: database check failed: %s", exc.__class__.__name__)
        return {"status": "fail", "error": f"{exc.__class__.__name__}: {str(exc).strip()[:200]}"}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def last_successful_imports() -> dict[str, str]:
    """Return the end time of the last successful import of each source (ISO 8601)."""
    from apps.trajets.models import ImportRun

    rows = (
        ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED)
        .values("source__name")
        .annotate(last=Max("finished_at"))
        .order_by("source__name")
    )
    return {row["source__name"]: row["last"].isoformat() for row in rows if row["last"]}


def collect_health() -> tuple[bool, dict[str, Any]]:
    """Run every check; return whether all passed and the report."""
    checks: dict[str, dict[str, Any]] = {"database": check_database()}
    imports: dict[str, str] = {}
    if checks["database"]["status"] == "ok":
        try:
            imports = last_successful_imports()
        except DatabaseError as exc:
            checks["database"] = {"status": "fail", "error": f"{exc.__class__.__name__}"}
    failing = sorted(name for name, check in checks.items() if check["status"] != "ok")
    report: dict[str, Any] = {
        "status": "fail" if failing else "ok",
        "version": get_version(),
        "checks": checks,
        "last_successful_imports": imports,
    }
    if failing:
        report["failing"] = failing
    return not failing, report


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when every check passes, 503 naming the failing checks otherwise."""
    healthy, report = collect_health()
    return JsonResponse(report, status=200 if healthy else 503)
