"""Project-level read models."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HomeSummary:
    """Counts shown on the home page."""

    trajet_count: int
    night_trajet_count: int
    station_count: int
    operator_count: int
    source_count: int


def compute_home_summary() -> HomeSummary:
    """Count what the warehouse holds."""
    from apps.trajets.models import DataSource, Operator, Station, Trajet

    return HomeSummary(
        trajet_count=Trajet.objects.count(),
        night_trajet_count=Trajet.objects.night().count(),
        station_count=Station.objects.count(),
        operator_count=Operator.objects.count(),
        source_count=DataSource.objects.count(),
    )
