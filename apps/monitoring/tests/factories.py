"""Small factories for the monitoring app."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from apps.monitoring.models import Incident

_counter = itertools.count(1)


def make_incident(
    *,
    alertname: str = "ObrailAppDown",
    status: str = Incident.Status.FIRING,
    severity: str = Incident.Severity.CRITICAL,
    summary: str = "L'application ObRail ne répond plus",
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> Incident:
    starts_at = starts_at or timezone.now() - dt.timedelta(hours=1)
    if status == Incident.Status.RESOLVED and ends_at is None:
        ends_at = starts_at + dt.timedelta(minutes=20)
    return Incident.objects.create(
        fingerprint=f"{next(_counter):016x}",
        alertname=alertname,
        status=status,
        severity=severity,
        summary=summary,
        starts_at=starts_at,
        ends_at=ends_at,
    )
