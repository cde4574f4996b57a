"""API benchmark: server time of the main queries next to the bare SQL they issue.

Each case is requested in process through the whole Django stack (middleware, filters,
serializers, JSON rendering), calling Django's WSGI handler as gunicorn does (so persistent
connections and their health checks count), ``repeat`` times after ``warmup`` runs:

- cold: with the count/indicator cache off, so every request does all of its SQL;
- SQL: the statements of each cold request, captured and replayed on a raw cursor (rows
  fetched): the baseline, and the ratio cold/SQL says what the API adds to the database;
- warm: with the cache on, as in production between two imports;
- live (``compare_live``): cold again, with each source's typical week evaluated from every
  calendar instead of the stored flags (``live_typical_week_condition``): the cost the flags
  remove from the default period, measured in the same process.

The process's start-up objects are frozen out of the garbage collector's scans, as in the
WSGI workers (``obrail.gc_tuning``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from apps.trajets.models import DataSource, Station, Trajet
from apps.trajets.periods import live_typical_week_condition
from obrail.gc_tuning import freeze_startup_objects

LIST_TARGET_MS = 50.0
PAGE_TARGET_MS = 100.0
STATS_TARGET_MS = 150.0
RATIO_TARGET = 3.0


@dataclass(frozen=True)
class Case:
    name: str
    urls: tuple[str, ...]  # cycled through over the repetitions
    target_ms: float


@dataclass(frozen=True)
class Result:
    """Timings of one case, in ms: cold (no cache), its bare SQL, and warm (cache on)."""

    case: Case
    cold_p50_ms: float
    cold_p95_ms: float
    sql_p50_ms: float
    sql_p95_ms: float
    warm_p50_ms: float
    warm_p95_ms: float
    queries: int
    status: int
    live_p50_ms: float | None = None
    live_p95_ms: float | None = None

    @property
    def live_ratio_p50(self) -> float | None:
        """Live condition p50 over the stored flags' p50 (cold both)."""
        if self.live_p50_ms is None or not self.cold_p50_ms:
            return None
        return self.live_p50_ms / self.cold_p50_ms

    @property
    def ratio_p50(self) -> float:
        return self.cold_p50_ms / self.sql_p50_ms if self.sql_p50_ms else float("inf")

    @property
    def ratio_p95(self) -> float:
        return self.cold_p95_ms / self.sql_p95_ms if self.sql_p95_ms else float("inf")

    @property
    def meets_targets_cold(self) -> bool:
        return self.status == 200 and self.cold_p95_ms <= self.case.target_ms

    @property
    def meets_targets_warm(self) -> bool:
        return self.status == 200 and self.warm_p95_ms <= self.case.target_ms

    @property
    def meets_ratio(self) -> bool:
        return self.ratio_p50 <= RATIO_TARGET


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def build_cases(sample_ids: int = 50) -> list[Case]:
    """The benchmarked requests, with parameters taken from the data (busiest station...)."""
    busiest = (
        Station.objects.annotate(departures=Count("trajets_from"))
        .order_by("-departures")
        .values("pk", "name", "uic_code")
        .first()
    )
    if busiest is None:
        raise ValueError("no trajets: seed some with seed_synthetic first")
    with_uic = (
        Station.objects.filter(uic_code__isnull=False)
        .annotate(departures=Count("trajets_from"))
        .order_by("-departures")
        .values_list("uic_code", flat=True)
        .first()
    )
    last_id = Trajet.objects.order_by("-pk").values_list("pk", flat=True).first()
    first_id = Trajet.objects.order_by("pk").values_list("pk", flat=True).first()
    step = max(1, (last_id - first_id) // sample_ids)
    detail_urls = tuple(f"/api/trajets/{pk}" for pk in range(first_id, last_id + 1, step))
    name_prefix = busiest["name"].split(" ")[0]
    lists = {
        "list: no filter": "",
        "list: origin by name": f"origin={name_prefix}",
        "list: origin by UIC code": f"origin={with_uic or busiest['pk']}",
        "list: destination by id": f"destination={busiest['pk']}",
        "list: country served": "country=DE",
        "list: operator": "operator=db",
        "list: kind night": "kind=night",
        "list: date of travel": "date=2026-05-12",
        "list: departure window": "departure_after=07:00&departure_before=08:30",
        "list: duration range": "min_duration=600&max_duration=900",
        "list: distance range": "min_distance=800&max_distance=1000",
        "list: text search": f"q={name_prefix}",
        "list: ordered by -distance": "ordering=-distance",
        "list: combined": "country=FR&kind=day&date=2026-05-12&departure_after=07:00",
        "list: page 20 of 200": "page=20&page_size=200",
    }
    week = (
        DataSource.objects.filter(reference_week__isnull=False)
        .order_by("-reference_week")
        .values_list("reference_week", flat=True)
        .first()
    )
    if week is not None:  # periods where the data runs (a loaded source's typical week)
        lists["list: week"] = f"week={week.isoformat()}"
        lists["list: month"] = f"month={week:%Y-%m}"
    lists["list: every date"] = "period=all"
    cases = [
        Case(name, (f"/api/trajets?{query}",), LIST_TARGET_MS) for name, query in lists.items()
    ]
    pages = {
        "page: no filter": "",
        "page: country served": "country=DE",
        "page: kind night": "kind=night",
        "page: text search": f"q={name_prefix}",
    }
    cases.extend(
        Case(name, (f"/trajets/?{query}".rstrip("?"),), PAGE_TARGET_MS)
        for name, query in pages.items()
    )
    cases.append(Case("detail", detail_urls, LIST_TARGET_MS))
    cases.append(Case("stations search", (f"/api/stations?q={name_prefix[:3]}",), LIST_TARGET_MS))
    for group_by in ("operator", "country", "kind", "operator,country,kind"):
        cases.append(
            Case(
                f"stats by {group_by}",
                (f"/api/stats/volumes?group_by={group_by}",),
                STATS_TARGET_MS,
            )
        )
    cases.append(
        Case(
            "stats by operator, filtered",
            ("/api/stats/volumes?group_by=operator&country=DE&kind=day",),
            STATS_TARGET_MS,
        )
    )
    return cases


class WsgiClient:
    """GET requests through Django's WSGI handler, as a WSGI server makes them.

    The test client connects signal receivers for every request and keeps their finalizers:
    over a benchmark they add thousands of objects for the garbage collector to scan.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.factory = RequestFactory()

    def get(self, url: str) -> tuple[float, int]:
        """Elapsed ms (the response read to its end) and status code of ``GET url``."""
        environ = self.factory.get(url).environ
        status: list[int] = []

        def start_response(line: str, headers: object, exc_info: object = None) -> None:
            status.append(int(line.split(" ", 1)[0]))

        start = time.perf_counter()
        response = self.handler(environ, start_response)
        try:
            for _chunk in response:
                pass
        finally:
            response.close()
        return (time.perf_counter() - start) * 1000, status[0]


def _timed_sql(statements: list[str]) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
    return (time.perf_counter() - start) * 1000


def _time_urls(client: WsgiClient, urls: list[str], warmup: int) -> tuple[list[float], set[int]]:
    for url in urls[:warmup]:
        client.get(url)
    timings, statuses = [], set()
    for url in urls:
        elapsed, status = client.get(url)
        timings.append(elapsed)
        statuses.add(status)
    return timings, statuses


def run_case(
    client: WsgiClient,
    case: Case,
    *,
    repeat: int,
    warmup: int,
    cache_seconds: int,
    compare_live: bool = False,
) -> Result:
    """Time ``case`` cold (counts and indicators computed anew), its SQL alone, then warm,
    and with ``compare_live`` cold again with the typical weeks' live calendar condition."""
    urls = [case.urls[i % len(case.urls)] for i in range(repeat)]
    with override_settings(API_COUNT_CACHE_SECONDS=0):
        cold_ms, statuses = _time_urls(client, urls, warmup)
        sql_ms, counts = [], []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            statements = [query["sql"] for query in captured.captured_queries]
            counts.append(len(statements))
            sql_ms.append(_timed_sql(statements))
    with override_settings(API_COUNT_CACHE_SECONDS=cache_seconds):
        warm_ms, warm_statuses = _time_urls(client, urls, max(warmup, 1))
    live_ms: list[float] = []
    if compare_live:
        with override_settings(API_COUNT_CACHE_SECONDS=0), live_typical_week_condition():
            live_ms, live_statuses = _time_urls(client, urls, warmup)
        warm_statuses |= live_statuses
    return Result(
        case=case,
        cold_p50_ms=statistics.median(cold_ms),
        cold_p95_ms=percentile(cold_ms, 0.95),
        sql_p50_ms=statistics.median(sql_ms),
        sql_p95_ms=percentile(sql_ms, 0.95),
        warm_p50_ms=statistics.median(warm_ms),
        warm_p95_ms=percentile(warm_ms, 0.95),
        queries=max(counts),
        status=max(statuses | warm_statuses),
        live_p50_ms=statistics.median(live_ms) if live_ms else None,
        live_p95_ms=percentile(live_ms, 0.95) if live_ms else None,
    )


def run_benchmark(
    *,
    repeat: int,
    warmup: int,
    only: str | None = None,
    compare_live: bool = False,
    report: Callable[[Result], None],
) -> list[Result]:
    """Run every case (or those whose name contains ``only``) with throttling off."""
    no_throttle = {"DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}
    cache_seconds = getattr(settings, "API_COUNT_CACHE_SECONDS", 600) or 600
    cache.clear()
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, **no_throttle}, ALLOWED_HOSTS=["testserver"]
    ):
        client = WsgiClient()
        cases = build_cases()
        freeze_startup_objects()
        results = []
        for case in cases:
            if only and only not in case.name:
                continue
            result = run_case(
                client,
                case,
                repeat=repeat,
                warmup=warmup,
                cache_seconds=cache_seconds,
                compare_live=compare_live,
            )
            report(result)
            results.append(result)
    return results
