"""Use cases of the monitoring app: record Alertmanager notifications, report service status."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.monitoring.metrics import LATENCY_HISTOGRAM, RESPONSES_COUNTER, http_metrics_registry
from apps.monitoring.models import Incident, ServiceNotice
from apps.trajets.models import DataSource, SourceFormat
from apps.trajets.services import VALIDITY_LABELS, Validity, validity_of
from obrail.errors import InvalidInput
from obrail.health import collect_health

logger = logging.getLogger(__name__)

# Alertmanager writes "0001-01-01T00:00:00Z" for "no end yet".
_ZERO_TIME_YEAR = 1
_FRACTION = re.compile(r"(\.\d{6})\d+")
_FINGERPRINT = re.compile(r"^[0-9a-f]{1,64}$")
ETL_STALE_AFTER = dt.timedelta(hours=26)
RECENT_INCIDENTS_DAYS = 30
RECENT_INCIDENTS_LIMIT = 20
# Alerts one webhook call may carry (Alertmanager's ``max_alerts``, set in
# deploy/alertmanager): 1,000 are recorded in about 2 s; an unbounded list ties up a worker.
MAX_ALERTS_PER_NOTIFICATION = 1000
# Open incidents listed on the public status page (the most recent first; the count is
# complete): an alert storm must not make the page megabytes long.
OPEN_INCIDENTS_LIMIT = 50
# Views that serve the monitoring itself: they would swamp the figures shown to users.
MONITORING_VIEWS = frozenset(
    {"monitoring:metrics", "monitoring:alertmanager-webhook", "metrics", "<unnamed view>"}
)


# --- Alertmanager webhook -----------------------------------------------------------------


def _parse_time(value: object, where: str, errors: dict[str, list[str]]) -> dt.datetime | None:
    if not isinstance(value, str):
        errors.setdefault(where, []).append("must be an RFC 3339 date-time string")
        return None
    try:
        parsed = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    except ValueError:
        errors.setdefault(where, []).append(f"{value!r} is not an RFC 3339 date-time")
        return None
    if parsed.tzinfo is None:
        errors.setdefault(where, []).append(f"{value!r} has no time zone")
        return None
    return None if parsed.year == _ZERO_TIME_YEAR else parsed


def _string_map(value: object, where: str, errors: dict[str, list[str]]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        errors.setdefault(where, []).append("must be an object of string values")
        return {}
    if any("\x00" in text for item in value.items() for text in item):
        # PostgreSQL text cannot hold NUL: refused here, not a 500 when stored.
        errors.setdefault(where, []).append("must not contain the NUL character")
        return {}
    return value


@dataclass(frozen=True)
class AlertNotice:
    """One alert of an Alertmanager notification, validated."""

    fingerprint: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    generator_url: str


def parse_alertmanager_payload(payload: object) -> list[AlertNotice]:
    """Validate an Alertmanager webhook payload (version 4); InvalidInput names each error."""
    if not isinstance(payload, dict):
        raise InvalidInput({"body": ["must be a JSON object (Alertmanager webhook payload)"]})
    errors: dict[str, list[str]] = {}
    if payload.get("version") != "4":
        errors["version"] = [f'must be "4", got {payload.get("version")!r}']
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        errors["alerts"] = ["must be a non-empty list of alerts"]
        raise InvalidInput(errors)
    if len(alerts) > MAX_ALERTS_PER_NOTIFICATION:
        errors["alerts"] = [
            f"at most {MAX_ALERTS_PER_NOTIFICATION} alerts per notification, got {len(alerts)} "
            "(set max_alerts in the Alertmanager receiver)"
        ]
        raise InvalidInput(errors)
    notices = []
    for index, alert in enumerate(alerts):
        where = f"alerts[{index}]"
        if not isinstance(alert, dict):
            errors[where] = ["must be an object"]
            continue
        status = alert.get("status")
        if status not in Incident.Status.values:
            errors[f"{where}.status"] = [f"must be firing or resolved, got {status!r}"]
        labels = _string_map(alert.get("labels"), f"{where}.labels", errors)
        if labels and not labels.get("alertname"):
            errors[f"{where}.labels.alertname"] = ["is required"]
        annotations = _string_map(alert.get("annotations", {}), f"{where}.annotations", errors)
        fingerprint = alert.get("fingerprint")
        if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
            errors[f"{where}.fingerprint"] = ["must be Alertmanager's hexadecimal fingerprint"]
        starts_at = _parse_time(alert.get("startsAt"), f"{where}.startsAt", errors)
        if starts_at is None and f"{where}.startsAt" not in errors:
            errors[f"{where}.startsAt"] = ["is required"]
        ends_at = _parse_time(
            alert.get("endsAt", "0001-01-01T00:00:00Z"), f"{where}.endsAt", errors
        )
        if (
            status == Incident.Status.RESOLVED
            and ends_at is None
            and f"{where}.endsAt" not in errors
        ):
            errors[f"{where}.endsAt"] = ["is required for a resolved alert"]
        if starts_at and ends_at and ends_at < starts_at:
            errors[f"{where}.endsAt"] = ["is before startsAt"]
        generator_url = alert.get("generatorURL", "")
        if not isinstance(generator_url, str):
            errors[f"{where}.generatorURL"] = ["must be a string"]
        if not any(key.startswith(where) for key in errors):
            notices.append(
                AlertNotice(
                    fingerprint=fingerprint,
                    status=status,
                    labels=labels,
                    annotations=annotations,
                    starts_at=starts_at,
                    ends_at=ends_at if status == Incident.Status.RESOLVED else None,
                    generator_url=generator_url,
                )
            )
    if errors:
        raise InvalidInput(errors)
    return notices


def _severity(labels: Mapping[str, str]) -> str:
    severity = labels.get("severity", "").lower()
    return severity if severity in Incident.Severity.values else Incident.Severity.INFO


@transaction.atomic
def record_alertmanager_notification(payload: object) -> list[Incident]:
    """Create or update one Incident per alert of the payload; all or nothing.

    A resolved incident stays resolved: Alertmanager gives a new episode a new start time,
    so a late "firing" for the same episode is a retry of an older notification.
    """
    notices = parse_alertmanager_payload(payload)
    incidents = []
    for notice in notices:
        fields = {
            "alertname": notice.labels["alertname"][:200],
            "severity": _severity(notice.labels),
            "status": notice.status,
            "ends_at": notice.ends_at,
            "summary": notice.annotations.get("summary", "")[:500],
            "description": notice.annotations.get("description", ""),
            "labels": notice.labels,
            "generator_url": notice.generator_url[:1000],
        }
        incident, created = Incident.objects.select_for_update().get_or_create(
            fingerprint=notice.fingerprint, starts_at=notice.starts_at, defaults=fields
        )
        if not created and not (
            incident.status == Incident.Status.RESOLVED and notice.ends_at is None
        ):
            for name, value in fields.items():
                setattr(incident, name, value)
            incident.save()
        incidents.append(incident)
    logger.info(
        "alertmanager notification recorded: %d alert(s), %d firing",
        len(incidents),
        sum(incident.is_firing for incident in incidents),
    )
    return incidents


# --- HTTP figures from the app's own metrics ---------------------------------------------


@dataclass(frozen=True)
class HttpFigures:
    """Request volume, availability, latency quantiles and error rates of a group of views."""

    label: str
    requests: int
    availability_percent: float | None
    p50_ms: float | None
    p95_ms: float | None
    client_error_percent: float | None
    server_error_percent: float | None


def histogram_quantile(quantile: float, buckets: Mapping[float, float]) -> float | None:
    """Estimate a quantile from cumulative histogram buckets, like PromQL's histogram_quantile.

    Linear interpolation inside the bucket holding the rank; a rank in the +Inf bucket gives
    the largest finite bound. None when the histogram is empty.
    """
    bounds = sorted(buckets)
    if not bounds or buckets[bounds[-1]] <= 0:
        return None
    total = buckets[bounds[-1]]
    rank = quantile * total
    lower_bound, lower_count = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (
                count - lower_count
            )
        lower_bound, lower_count = bound, count
    return lower_bound


def _group(view: str) -> str | None:
    if view in MONITORING_VIEWS:
        return None
    return "api" if view.startswith("api:") else "pages"


def read_http_samples(metrics: Iterable[Any]) -> tuple[dict, dict]:
    """Sum the latency buckets and response counts per view group from metric families."""
    buckets: dict[str, dict[float, float]] = {}
    statuses: dict[str, dict[str, float]] = {}
    for family in metrics:
        for sample in family.samples:
            group = _group(sample.labels.get("view", ""))
            if group is None:
                continue
            if family.name == LATENCY_HISTOGRAM and sample.name.endswith("_bucket"):
                bound = float(sample.labels["le"])
                per_group = buckets.setdefault(group, {})
                per_group[bound] = per_group.get(bound, 0.0) + sample.value
            elif family.name == RESPONSES_COUNTER and sample.name.endswith("_total"):
                per_group = statuses.setdefault(group, {})
                status = sample.labels.get("status", "")
                per_group[status] = per_group.get(status, 0.0) + sample.value
    return buckets, statuses


def compute_http_figures() -> list[HttpFigures]:
    """Return the figures of the API and of the web pages since the app started."""
    buckets, statuses = read_http_samples(http_metrics_registry().collect())
    figures = []
    for group, label in (("api", _("API")), ("pages", _("Pages web"))):
        counts = statuses.get(group, {})
        total = sum(counts.values())
        server = sum(n for status, n in counts.items() if status.startswith("5"))
        client = sum(n for status, n in counts.items() if status.startswith("4"))
        histogram = buckets.get(group, {})
        p50, p95 = histogram_quantile(0.5, histogram), histogram_quantile(0.95, histogram)
        figures.append(
            HttpFigures(
                label=str(label),
                requests=int(total),
                availability_percent=100 * (1 - server / total) if total else None,
                p50_ms=None if p50 is None else 1000 * p50,
                p95_ms=None if p95 is None else 1000 * p95,
                client_error_percent=100 * client / total if total else None,
                server_error_percent=100 * server / total if total else None,
            )
        )
    return figures


# --- Status page --------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceStatus:
    """A data source: its set, its last successful import and its timetable's validity.

    ``is_stale`` says the last successful import is older than ``ETL_STALE_AFTER``;
    ``validity`` where today falls in the running dates of its trains (an ``expired``
    timetable stays expired however recent its import).
    """

    name: str
    title: str
    dataset: str
    last_success: dt.datetime | None
    is_stale: bool
    runs_from: dt.date | None
    runs_until: dt.date | None
    validity: Validity

    @property
    def validity_label(self) -> str:
        return str(VALIDITY_LABELS[self.validity])


def source_statuses(
    last_imports: Mapping[str, str], *, now: dt.datetime | None = None
) -> list[SourceStatus]:
    """Every declared source with its last successful import (``last_imports``: ISO end
    time by source name) and the validity of its timetable today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    statuses = []
    # Internal sources (admin edits, identity repairs) are not fetched: nothing to go stale.
    for source in DataSource.objects.exclude(format=SourceFormat.INTERNAL).order_by("name"):
        iso = last_imports.get(source.name)
        finished = dt.datetime.fromisoformat(iso) if iso else None
        statuses.append(
            SourceStatus(
                name=source.name,
                title=source.title,
                dataset=source.dataset,
                last_success=finished,
                is_stale=finished is None or now - finished > ETL_STALE_AFTER,
                runs_from=source.runs_from,
                runs_until=source.runs_until,
                validity=validity_of(source.runs_from, source.runs_until, today),
            )
        )
    return statuses


@dataclass(frozen=True)
class ServiceStatus:
    """Everything the status page shows."""

    is_healthy: bool
    version: str
    database: dict[str, Any]
    sources: list[SourceStatus]
    http: list[HttpFigures]
    open_incidents: list[Incident]
    recent_incidents: list[Incident]
    checked_at: dt.datetime
    open_incident_count: int = 0
    current_notices: list[ServiceNotice] = field(default_factory=list)
    past_notices: list[ServiceNotice] = field(default_factory=list)

    @property
    def ongoing_notices(self) -> list[ServiceNotice]:
        """Declared events under way now (an incident, a maintenance, a data delay)."""
        return [n for n in self.current_notices if n.state == ServiceNotice.State.ONGOING]


def declared_notices(*, now: dt.datetime) -> tuple[list[ServiceNotice], list[ServiceNotice]]:
    """Events declared by admins: the ongoing then the planned ones (soonest first), and
    those that ended in the last 30 days (most recent first)."""
    current = sorted(
        ServiceNotice.objects.exclude(state=ServiceNotice.State.RESOLVED),
        key=lambda n: (n.state != ServiceNotice.State.ONGOING, n.starts_at, n.pk),
    )
    past = list(
        ServiceNotice.objects.filter(
            state=ServiceNotice.State.RESOLVED,
            ends_at__gte=now - dt.timedelta(days=RECENT_INCIDENTS_DAYS),
        ).order_by("-ends_at", "-pk")[:RECENT_INCIDENTS_LIMIT]
    )
    return current, past


def compute_service_status(*, now: dt.datetime | None = None) -> ServiceStatus:
    """Run the health checks and gather the HTTP figures and the incidents."""
    now = now or timezone.now()
    is_healthy, report = collect_health()
    sources: list[SourceStatus] = []
    open_incidents: list[Incident] = []
    open_count = 0
    recent: list[Incident] = []
    current_notices: list[ServiceNotice] = []
    past_notices: list[ServiceNotice] = []
    if report["checks"]["database"]["status"] == "ok":
        current_notices, past_notices = declared_notices(now=now)
        sources = source_statuses(report["last_successful_imports"], now=now)
        firing = Incident.objects.filter(status=Incident.Status.FIRING)
        open_count = firing.count()
        open_incidents = list(firing.order_by("-starts_at", "-pk")[:OPEN_INCIDENTS_LIMIT])
        recent = list(
            Incident.objects.filter(
                status=Incident.Status.RESOLVED,
                starts_at__gte=now - dt.timedelta(days=RECENT_INCIDENTS_DAYS),
            )[:RECENT_INCIDENTS_LIMIT]
        )
    return ServiceStatus(
        is_healthy=is_healthy,
        version=report["version"],
        database=report["checks"]["database"],
        sources=sources,
        http=compute_http_figures(),
        open_incidents=open_incidents,
        recent_incidents=recent,
        checked_at=now,
        open_incident_count=open_count,
        current_notices=current_notices,
        past_notices=past_notices,
    )
