"""The warehouse's public read side: its use cases (the home page's counts, a trajet's page,
the data quality report, the map's busiest links, the data version and import freshness the
project package reads through the hooks this app registers) and the warehouse rules other apps
reuse, re-exported from the modules that define them (calendars and periods, service kinds,
CO2 rules and factors, flight equivalents, data coverage, map outlines, station search).

Other apps import the warehouse through this module, :mod:`apps.trajets.models` (ORM
queries), :mod:`apps.trajets.web` (the FilterSet, form fields, serializer and API parameters
their pages and APIs share) and :mod:`apps.trajets.loading` (the write side, for loaders:
it imports the ETL, which a page never loads); the contract ``public-surfaces`` in
``.importlinter`` holds them to it. This module stays light: no ETL loader, no DRF, no forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, QuerySet

from apps.places.services import station_name
from apps.trajets.calendars import (
    Period,
    Validity,
    Weeks,
    exception_balance,
    has_exceptions_in,
    pattern_days_expression,
    validity_of,
)
from apps.trajets.country_gaps import EUROPEAN_COUNTRIES, countries_without_current_timetable
from apps.trajets.coverage import DataCoverage, data_coverage
from apps.trajets.edits import watch_edits
from apps.trajets.emission_factors import METHODS, ensure_factors, factors_fingerprint, method_label
from apps.trajets.etl.harmonise.co2 import DEFAULT_METHOD, EEA_URL, PUBLISHED_FACTORS, Factor
from apps.trajets.etl.harmonise.co2 import RailCo2 as RailCo2
from apps.trajets.etl.harmonise.co2 import estimate_rail_co2 as estimate_rail_co2
from apps.trajets.etl.quality import QualityReport, compute_quality_report
from apps.trajets.flight_equivalents import apply_flight_equivalents, flight_equivalents_version
from apps.trajets.kinds import KIND_TRAINS, NIGHT_TRAINS_ANY, kind_trains, kind_word
from apps.trajets.map import VIEW_HEIGHT, VIEW_WIDTH, LinkRow, Outline, load_outlines, project
from apps.trajets.models import (
    DataSource,
    ImportRun,
    Operator,
    Station,
    Stop,
    Trajet,
    TrajetProvenance,
)
from apps.trajets.observations import HISTORY_SOURCE, QuarterRow, history_chart, night_history
from apps.trajets.periods import (
    VALIDITY_LABELS,
    PeriodChoice,
    PeriodKind,
    SourceWeek,
    describe_choice,
    in_typical_weeks,
    restrict_to_period,
    typical_weeks,
)
from apps.trajets.querysets import WEEKDAY_FIELDS, counted_lookups
from apps.trajets.station_search import resolve_stations
from obrail.caching import cached_per_query, cached_until_next_import

__all__ = [
    "DEFAULT_METHOD",
    "EEA_URL",
    "EUROPEAN_COUNTRIES",
    "HISTORY_SOURCE",
    "KIND_TRAINS",
    "METHODS",
    "NIGHT_TRAINS_ANY",
    "PUBLISHED_FACTORS",
    "VALIDITY_LABELS",
    "VIEW_HEIGHT",
    "VIEW_WIDTH",
    "WEEKDAY_FIELDS",
    "DataCoverage",
    "Factor",
    "HomeSummary",
    "NetworkLinks",
    "Outline",
    "Period",
    "PeriodChoice",
    "PeriodKind",
    "QuarterRow",
    "RailCo2",
    "SourceWeek",
    "Validity",
    "Weeks",
    "apply_flight_equivalents",
    "collect_network_links",
    "compute_home_summary",
    "counted_lookups",
    "countries_without_current_timetable",
    "data_coverage",
    "data_version",
    "describe_choice",
    "ensure_factors",
    "estimate_rail_co2",
    "exception_balance",
    "factors_fingerprint",
    "flight_equivalents_version",
    "get_trajet_detail",
    "has_exceptions_in",
    "history_chart",
    "in_typical_weeks",
    "kind_trains",
    "kind_word",
    "last_successful_imports",
    "load_outlines",
    "method_label",
    "night_history",
    "pattern_days_expression",
    "project",
    "resolve_stations",
    "restrict_to_period",
    "summarise_data_quality",
    "typical_weeks",
    "validity_of",
    "watch_edits",
]


@dataclass(frozen=True)
class HomeSummary:
    """Reference counts shown on the home page (services come from the dashboard)."""

    station_count: int
    operator_count: int
    source_count: int


def compute_home_summary() -> HomeSummary:
    """Count what the warehouse holds."""
    return HomeSummary(
        station_count=Station.objects.count(),
        operator_count=Operator.objects.count(),
        source_count=DataSource.objects.count(),
    )


def get_trajet_detail(trajet_id: int) -> Trajet:
    """Load a trajet with everything its page shows, in a fixed number of queries.

    Raises ``Trajet.DoesNotExist`` when there is no such trajet.
    """
    return (
        Trajet.objects.with_related()
        .select_related(
            "source",
            "import_run",
            "rail_emission_factor",
            "flight_emission_factor",
            "origin__place",
            "destination__place",
        )
        .prefetch_related(
            Prefetch("stops", queryset=Stop.objects.select_related("station").order_by("sequence")),
            "calendar_exceptions",
            Prefetch(
                "provenances",
                queryset=TrajetProvenance.objects.select_related("source", "import_run").order_by(
                    "source__name", "source_record_id"
                ),
            ),
        )
        .get(pk=trajet_id)
    )


def summarise_data_quality() -> QualityReport:
    """The ETL's quality report (``apps.trajets.etl.quality``), reused until the next import."""
    return cached_until_next_import("data-quality", compute_quality_report)


@dataclass(frozen=True)
class NetworkLinks:
    """The busiest links (station pairs per kind) of a filtered set of trajets."""

    rows: tuple[LinkRow, ...]
    is_truncated: bool


def collect_network_links(trajets: QuerySet[Trajet], *, limit: int) -> NetworkLinks:
    """Group located trajets by origin, destination and kind; keep the ``limit`` busiest.

    Cached per filter until the next import: the grouping reads every matching trajet.
    """
    return cached_per_query(
        f"network:{limit}", trajets, lambda: _collect_network_links(trajets, limit)
    )


def _collect_network_links(trajets: QuerySet[Trajet], limit: int) -> NetworkLinks:
    fields = (
        "origin__name",
        "origin__country",
        "origin__longitude",
        "origin__latitude",
        "destination__name",
        "destination__country",
        "destination__longitude",
        "destination__latitude",
        "kind",
    )
    grouped = (
        trajets.filter(origin__latitude__isnull=False, destination__latitude__isnull=False)
        .values(*fields)
        .annotate(services=Count("pk"))
        .order_by("-services", "origin__name", "destination__name")[: limit + 1]
    )
    # Station names as every page writes them (the map's labels, tooltips and table).
    rows = [
        LinkRow(
            *(
                station_name(row[field]) if field.endswith("__name") else row[field]
                for field in fields
            ),
            row["services"],
        )
        for row in grouped
    ]
    return NetworkLinks(rows=tuple(rows[:limit]), is_truncated=len(rows) > limit)


def data_version() -> int:
    """Id of the latest successful import: figures cached under it hold until the next one."""
    last = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).aggregate(last=Max("id"))
    return last["last"] or 0


def last_successful_imports() -> dict[str, str]:
    """Return the end time of the last successful import of each source (ISO 8601)."""
    rows = (
        ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED)
        .values("source__name")
        .annotate(last=Max("finished_at"))
        .order_by("source__name")
    )
    return {row["source__name"]: row["last"].isoformat() for row in rows if row["last"]}
