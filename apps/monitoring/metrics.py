"""Business metrics read from the database at scrape time, and the registries behind /metrics.

HTTP and database metrics come from django-prometheus. Under gunicorn every worker process has
its own values; with ``PROMETHEUS_MULTIPROC_DIR`` set, prometheus_client writes them to files
in that directory and :func:`exposition_registry` merges them (``MultiProcessCollector``).
Without it (``runserver``, tests, one process) the default registry is exported as is.

The business metrics are not counters kept in memory: :class:`BusinessMetricsCollector`
queries the database when Prometheus scrapes, so every worker reports the same truth. Their
labels come from small fixed sets: service kind, operator code (the most frequent
``MAX_OPERATOR_LABELS``, the rest summed as ``other``), source name, table name.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import DatabaseError, connection
from django.db.models import Count, Max, Model, OuterRef, Q, Subquery
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from apps.trajets.models import (
    DataSource,
    ImportRun,
    Operator,
    SourceFormat,
    Station,
    Stop,
    Trajet,
)

logger = logging.getLogger(__name__)

MAX_OPERATOR_LABELS = 50
OTHER_OPERATOR = "other"
CACHE_SECONDS = 30.0
# Tables whose size is reported; above EXACT_COUNT_LIMIT rows PostgreSQL's estimate is used.
COUNTED_TABLES: dict[str, type[Model]] = {
    "trajet": Trajet,
    "stop": Stop,
    "station": Station,
    "operator": Operator,
    "source": DataSource,
}
EXACT_COUNT_LIMIT = 1_000_000
# Samples the status page reads (see apps.monitoring.services).
LATENCY_HISTOGRAM = "django_http_requests_latency_seconds_by_view_method"
RESPONSES_COUNTER = "django_http_responses_total_by_status_view_method"
HTTP_SAMPLE_NAMES = frozenset(
    [f"{LATENCY_HISTOGRAM}{suffix}" for suffix in ("_bucket", "_count", "_sum")]
    + [f"{RESPONSES_COUNTER}_total"]
)


@dataclass(frozen=True)
class BusinessSnapshot:
    """Values of the business metrics at one moment."""

    services: dict[tuple[str, str], int] = field(default_factory=dict)
    last_success: dict[str, float] = field(default_factory=dict)
    last_run_failed: dict[str, int] = field(default_factory=dict)
    last_run_rejected: dict[str, int] = field(default_factory=dict)
    last_run_read: dict[str, int] = field(default_factory=dict)
    table_rows: dict[str, int] = field(default_factory=dict)


def count_services() -> dict[tuple[str, str], int]:
    """Return the number of services per (kind, operator code), small operators as ``other``."""
    rows = Trajet.objects.values_list("kind", "operator__code").annotate(n=Count("id")).order_by()
    per_operator: dict[str, int] = {}
    for _kind, operator, n in rows:
        per_operator[operator] = per_operator.get(operator, 0) + n
    kept = set(
        sorted(per_operator, key=lambda code: (-per_operator[code], code))[:MAX_OPERATOR_LABELS]
    )
    services: dict[tuple[str, str], int] = {}
    for kind, operator, n in rows:
        key = (kind, operator if operator in kept else OTHER_OPERATOR)
        services[key] = services.get(key, 0) + n
    return services


def read_import_state() -> tuple[dict[str, float], dict[str, int], dict[str, int], dict[str, int]]:
    """Return, per source: last success (Unix time), last run failed, its rejected and read rows.

    The "last run" is the most recent run that finished as succeeded or failed: skipped
    (unchanged input), dry and still-running runs say nothing about the data in place.
    Internal sources (admin edits, identity repairs) are no feed: an old one is no alert.
    """
    completed = ImportRun.objects.filter(
        source=OuterRef("pk"),
        status__in=[ImportRun.Status.SUCCEEDED, ImportRun.Status.FAILED],
    ).order_by("-started_at", "-pk")
    sources = (
        DataSource.objects.exclude(format=SourceFormat.INTERNAL)
        .annotate(
            last_success=Max(
                "import_runs__finished_at",
                filter=Q(import_runs__status=ImportRun.Status.SUCCEEDED),
            ),
            last_status=Subquery(completed.values("status")[:1]),
            last_rejected=Subquery(completed.values("rows_rejected")[:1]),
            last_read=Subquery(completed.values("rows_read")[:1]),
        )
        .values_list("name", "last_success", "last_status", "last_rejected", "last_read")
    )
    last_success: dict[str, float] = {}
    failed: dict[str, int] = {}
    rejected: dict[str, int] = {}
    read: dict[str, int] = {}
    for name, success_at, status, rows_rejected, rows_read in sources:
        if success_at is not None:
            last_success[name] = success_at.timestamp()
        if status is not None:
            failed[name] = int(status == ImportRun.Status.FAILED)
            rejected[name] = rows_rejected
            read[name] = rows_read
    return last_success, failed, rejected, read


def count_table_rows() -> dict[str, int]:
    """Return the rows of each counted table: exact, or PostgreSQL's estimate when huge."""
    rows: dict[str, int] = {}
    for label, model in COUNTED_TABLES.items():
        estimate = -1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [model._meta.db_table],
                )
                estimate = int(cursor.fetchone()[0])
        rows[label] = estimate if estimate >= EXACT_COUNT_LIMIT else model.objects.count()
    return rows


def read_business_snapshot() -> BusinessSnapshot:
    """Query every business metric from the database."""
    last_success, failed, rejected, read = read_import_state()
    return BusinessSnapshot(
        services=count_services(),
        last_success=last_success,
        last_run_failed=failed,
        last_run_rejected=rejected,
        last_run_read=read,
        table_rows=count_table_rows(),
    )


class BusinessMetricsCollector(Collector):
    """Prometheus collector of the business metrics, cached ``cache_seconds`` per process."""

    def __init__(self, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._snapshot: BusinessSnapshot | None = None
        self._read_at = float("-inf")
        self._duration = 0.0

    def describe(self) -> Iterator[Metric]:
        """Declare the metric families without touching the database."""
        yield from self._families(BusinessSnapshot(), is_up=True, duration=0.0)

    def collect(self) -> Iterator[Metric]:
        """Yield the business metrics; ``obrail_business_metrics_up`` is 0 if the DB failed."""
        with self._lock:
            now = time.monotonic()
            if self._snapshot is None or now - self._read_at >= self.cache_seconds:
                try:
                    started = time.perf_counter()
                    self._snapshot = read_business_snapshot()
                    self._duration = time.perf_counter() - started
                    self._read_at = now
                except DatabaseError:
                    logger.exception("business metrics: database query failed")
                    self._snapshot = None
            snapshot, duration = self._snapshot, self._duration
        if snapshot is None:
            yield from self._families(BusinessSnapshot(), is_up=False, duration=0.0)
        else:
            yield from self._families(snapshot, is_up=True, duration=duration)

    @staticmethod
    def _families(snapshot: BusinessSnapshot, *, is_up: bool, duration: float) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "obrail_business_metrics_up",
            "1 when the business metrics could be read from the database, 0 otherwise.",
        )
        up.add_metric([], 1.0 if is_up else 0.0)
        yield up
        took = GaugeMetricFamily(
            "obrail_business_metrics_query_seconds",
            "Time spent querying the database for the business metrics.",
        )
        took.add_metric([], duration)
        yield took
        services = GaugeMetricFamily(
            "obrail_services",
            "Harmonised rail services (trajets) by kind (day or night) and operator code.",
            labels=["kind", "operator"],
        )
        for (kind, operator), n in sorted(snapshot.services.items()):
            services.add_metric([kind, operator], n)
        yield services
        per_source = [
            (
                "obrail_etl_last_success_timestamp_seconds",
                "Unix time at which the last successful import of the source finished.",
                snapshot.last_success,
            ),
            (
                "obrail_etl_last_run_failed",
                "1 when the most recent completed import run of the source failed, else 0.",
                snapshot.last_run_failed,
            ),
            (
                "obrail_etl_last_run_rejected_records",
                "Records rejected by the most recent completed import run of the source.",
                snapshot.last_run_rejected,
            ),
            (
                "obrail_etl_last_run_read_records",
                "Records read by the most recent completed import run of the source.",
                snapshot.last_run_read,
            ),
        ]
        for name, documentation, by_source in per_source:
            family = GaugeMetricFamily(name, documentation, labels=["source"])
            for source, value in sorted(by_source.items()):
                family.add_metric([source], value)
            yield family
        tables = GaugeMetricFamily(
            "obrail_data_rows",
            "Rows per table of the warehouse (PostgreSQL's estimate above one million).",
            labels=["table"],
        )
        for table, n in sorted(snapshot.table_rows.items()):
            tables.add_metric([table], n)
        yield tables


BUSINESS_COLLECTOR = BusinessMetricsCollector()
REGISTRY.register(BUSINESS_COLLECTOR)


def is_multiprocess() -> bool:
    """Whether metric values live in PROMETHEUS_MULTIPROC_DIR files, shared by the workers.

    prometheus_client decides this once, from the environment, when it is first imported;
    asking it (rather than re-reading a setting) keeps the exporter in step with the values.
    """
    return values.ValueClass is not values.MutexValue


def _multiprocess_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    # Without a path, the collector reads PROMETHEUS_MULTIPROC_DIR like the value class did.
    multiprocess.MultiProcessCollector(registry)
    return registry


def exposition_registry() -> CollectorRegistry:
    """Return the registry /metrics exports: every worker's metrics plus the business ones."""
    if not is_multiprocess():
        return REGISTRY
    registry = _multiprocess_registry()
    registry.register(BUSINESS_COLLECTOR)
    return registry


def http_metrics_registry() -> CollectorRegistry:
    """Return a registry yielding the HTTP latency and status metrics of every worker."""
    if not is_multiprocess():
        return REGISTRY.restricted_registry(HTTP_SAMPLE_NAMES)
    return _multiprocess_registry()
