"""Project-level read models shared by the pages: home figures and chart data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from apps.trajets.etl.quality import QualityReport, compute_quality_report
from apps.trajets.map import LinkRow
from apps.trajets.models import (
    DataSource,
    Operator,
    Station,
    Stop,
    Trajet,
    TrajetProvenance,
)
from obrail.caching import cached_per_query, cached_until_next_import

BAR_HEIGHT = 26
BAR_GAP = 8
LABEL_WIDTH = 260
VALUE_WIDTH = 110
CHART_WIDTH = 760


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


@dataclass(frozen=True)
class ChartRow:
    """One bar: its label, value, the value as displayed, and an optional series."""

    label: str
    value: float
    display: str
    series: str = ""


@dataclass(frozen=True)
class BarLayout:
    """Where one bar goes in the SVG (view units)."""

    row: ChartRow
    y: float
    text_y: float
    width: float


@dataclass(frozen=True)
class ChartLayout:
    """The SVG geometry of a horizontal bar chart."""

    width: int
    height: int
    label_width: int
    bars: tuple[BarLayout, ...]


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart with its table: every chart is also a text summary and a table."""

    key: str
    title: str
    summary: str
    label_header: str
    value_header: str
    rows: tuple[ChartRow, ...]
    #: What the chart shows in a download's file name, in French words (``departs-par-operateur``).
    file_slug: str = ""

    def layout(self) -> ChartLayout:
        """Bar lengths proportional to the values, the largest filling the plot width."""
        plot_width = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
        largest = max((row.value for row in self.rows), default=0) or 1
        bars = []
        for index, row in enumerate(self.rows):
            y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
            width = max(row.value, 0) / largest * plot_width
            bars.append(
                BarLayout(
                    row=row,
                    y=y,
                    text_y=y + BAR_HEIGHT * 0.7,
                    width=round(max(width, 1.0 if row.value else 0.0), 1),
                )
            )
        height = BAR_GAP + len(self.rows) * (BAR_HEIGHT + BAR_GAP)
        return ChartLayout(
            width=CHART_WIDTH, height=height, label_width=LABEL_WIDTH, bars=tuple(bars)
        )


def get_trajet_detail(trajet_id: int) -> Trajet:
    """Load a trajet with everything its page shows, in a fixed number of queries.

    Raises ``Trajet.DoesNotExist`` when there is no such trajet.
    """
    return (
        Trajet.objects.with_related()
        .select_related("source", "import_run", "rail_emission_factor", "flight_emission_factor")
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
    rows = [LinkRow(*(row[field] for field in fields), row["services"]) for row in grouped]
    return NetworkLinks(rows=tuple(rows[:limit]), is_truncated=len(rows) > limit)
