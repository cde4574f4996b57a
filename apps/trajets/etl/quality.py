"""Data-quality figures of the warehouse: completeness, merges, rejects (command, API, pages).

The service-truth checks (calendars against the raw files, duplicates, loops, night agreement:
``apps.trajets.truth_checks``) take seconds to a minute on the full warehouse: the
``check_truth`` and ``quality_report`` commands compute them and store the result, which the
report reads (a file read, not a computation) each time it is shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, F, Q

from apps.trajets.identity_quality import IdentityQuality, compute_identity_quality
from apps.trajets.models import (
    DataSource,
    ImportRun,
    RejectedRecord,
    Station,
    Trajet,
    TrajetProvenance,
)
from apps.trajets.truth_checks import load_truth_report

__all__ = ["QualityReport", "SourceQuality", "compute_quality_report"]

# Fields whose filling rate is reported, per model: field name → condition of "filled".
TRAJET_FIELDS = {
    "train_number": ~Q(train_number=""),
    "category": ~Q(category=""),
    "distance_km": Q(distance_km__isnull=False),
    "co2_rail_kg": Q(co2_rail_kg__isnull=False),
    "co2_flight_kg": Q(co2_flight_kg__isnull=False),
    "kind_reason": ~Q(kind_reason=""),
}
STATION_FIELDS = {
    "uic_code": Q(uic_code__isnull=False),
    "coordinates": Q(latitude__isnull=False),
    "country": ~Q(country=""),
    "time_zone": ~Q(time_zone=""),
}


@dataclass(frozen=True)
class RejectGroup:
    """Rejected rows of one reason in a source's latest run, with one example."""

    reason_code: str
    count: int
    example_location: str
    example_reason: str


@dataclass(frozen=True)
class SourceQuality:
    """Quality figures of one source."""

    source: str
    licence: str
    last_run_status: str
    last_run_at: str
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    trajets: int
    night_trajets: int
    stations: int
    trajet_completeness: dict[str, float] = field(default_factory=dict)
    station_completeness: dict[str, float] = field(default_factory=dict)
    rejects: list[RejectGroup] = field(default_factory=list)
    rows_folded: int = 0


@dataclass(frozen=True)
class QualityReport:
    """The whole report."""

    sources: list[SourceQuality]
    services_merged_across_sources: int
    stations_shared_by_sources: int
    stations_unmatched: int
    identity: IdentityQuality

    @property
    def service_truth(self) -> dict[str, Any] | None:
        """The stored result of the service-truth checks (``check_truth``), read when shown:
        never computed here, and never older than the last check even when the rest of the
        report comes from the cache."""
        return load_truth_report()

    def as_dict(self) -> dict:
        """Plain data for JSON."""
        return {**asdict(self), "service_truth": self.service_truth}


def _rates(queryset, fields: dict[str, Q]) -> tuple[int, dict[str, float]]:
    aggregates = queryset.aggregate(
        total=Count("id"), **{name: Count("id", filter=cond) for name, cond in fields.items()}
    )
    total = aggregates.pop("total")
    return total, {
        name: round(100.0 * value / total, 1) if total else 0.0
        for name, value in aggregates.items()
    }


def compute_quality_report() -> QualityReport:
    """Compute completeness per field and source, merges, rejects by reason, and the truth
    checks of station and operator identity."""
    sources = []
    for source in DataSource.objects.order_by("name"):
        run = (
            ImportRun.objects.filter(source=source)
            .exclude(status=ImportRun.Status.SKIPPED)
            .order_by("-started_at", "-id")
            .first()
        )
        trajets = Trajet.objects.filter(source=source)
        count, trajet_rates = _rates(trajets, TRAJET_FIELDS)
        stations = Station.objects.filter(source_ids__has_key=source.name)
        station_count, station_rates = _rates(stations, STATION_FIELDS)
        rejects = []
        if run is not None:
            groups = (
                RejectedRecord.objects.filter(run=run)
                .values("reason_code")
                .annotate(count=Count("id"))
                .order_by("-count", "reason_code")
            )
            for group in groups:
                example = (
                    RejectedRecord.objects.filter(run=run, reason_code=group["reason_code"])
                    .order_by("id")
                    .first()
                )
                rejects.append(
                    RejectGroup(
                        group["reason_code"], group["count"], example.location, example.reason
                    )
                )
        sources.append(
            SourceQuality(
                source=source.name,
                licence=source.licence,
                last_run_status=run.status if run else "never",
                last_run_at=run.started_at.isoformat() if run else "",
                rows_read=run.rows_read if run else 0,
                rows_inserted=run.rows_inserted if run else 0,
                rows_updated=run.rows_updated if run else 0,
                rows_unchanged=run.rows_unchanged if run else 0,
                rows_rejected=run.rows_rejected if run else 0,
                rows_folded=run.rows_folded if run else 0,
                trajets=count,
                night_trajets=trajets.filter(kind="night").count(),
                stations=station_count,
                trajet_completeness=trajet_rates if count else {},
                station_completeness=station_rates if station_count else {},
                rejects=rejects,
            )
        )
    shared = 0
    for ids in Station.objects.values_list("source_ids", flat=True).iterator(chunk_size=5000):
        shared += len(ids) > 1
    return QualityReport(
        sources=sources,
        services_merged_across_sources=TrajetProvenance.objects.exclude(
            source=F("trajet__source")
        ).count(),
        stations_shared_by_sources=shared,
        stations_unmatched=Station.objects.filter(
            match_method=Station.MatchMethod.UNMATCHED
        ).count(),
        identity=compute_identity_quality(),
    )
