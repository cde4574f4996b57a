"""API benchmark: server time of the main queries next to the bare SQL they issue.

Each case is requested in process through the whole Django stack (middleware, filters,
serializers, JSON rendering) with a test client, ``repeat`` times after ``warmup`` runs. The SQL
the request issued is captured once, then replayed ``repeat`` times on a raw cursor (rows
fetched), which is the baseline: the ratio says what the API adds on top of the database.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from apps.trajets.models import Station, Trajet

LIST_TARGET_MS = 50.0
STATS_TARGET_MS = 150.0
RATIO_TARGET = 3.0


@dataclass(frozen=True)
class Case:
    name: str
    urls: tuple[str, ...]  # cycled through over the repetitions
    target_ms: float


@dataclass(frozen=True)
class Result:
    case: Case
    api_p50_ms: float
    api_p95_ms: float
    sql_p50_ms: float
    sql_p95_ms: float
    queries: int
    status: int

    @property
    def ratio_p50(self) -> float:
        return self.api_p50_ms / self.sql_p50_ms if self.sql_p50_ms else float("inf")

    @property
    def ratio_p95(self) -> float:
        return self.api_p95_ms / self.sql_p95_ms if self.sql_p95_ms else float("inf")

    @property
    def meets_targets(self) -> bool:
        return (
            self.status == 200
            and self.api_p95_ms <= self.case.target_ms
            and self.ratio_p50 <= RATIO_TARGET
        )


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
    cases = [
        Case(name, (f"/api/trajets?{query}",), LIST_TARGET_MS) for name, query in lists.items()
    ]
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


def _timed_request(client: Client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    else:
        len(response.content)
    return (time.perf_counter() - start) * 1000, response.status_code


def _timed_sql(statements: list[str]) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
    return (time.perf_counter() - start) * 1000


def run_case(client: Client, case: Case, *, repeat: int, warmup: int) -> Result:
    """Time ``case`` through the API, then its captured SQL alone."""
    urls = [case.urls[i % len(case.urls)] for i in range(repeat)]
    for url in urls[:warmup]:
        _timed_request(client, url)
    api_ms, statuses = [], set()
    for url in urls:
        elapsed, status = _timed_request(client, url)
        api_ms.append(elapsed)
        statuses.add(status)
    sql_ms, counts = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        statements = [query["sql"] for query in captured.captured_queries]
        counts.append(len(statements))
        sql_ms.append(_timed_sql(statements))
    return Result(
        case=case,
        api_p50_ms=statistics.median(api_ms),
        api_p95_ms=percentile(api_ms, 0.95),
        sql_p50_ms=statistics.median(sql_ms),
        sql_p95_ms=percentile(sql_ms, 0.95),
        queries=max(counts),
        status=max(statuses),
    )


def run_benchmark(
    *,
    repeat: int,
    warmup: int,
    count_cache: bool,
    only: str | None = None,
    report: Callable[[Result], None],
) -> list[Result]:
    """Run every case (or those whose name contains ``only``) with throttling off.

    Without ``count_cache`` every list request counts its rows anew (cold figures).
    """
    no_throttle = {"DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}
    cache_seconds = getattr(settings, "API_COUNT_CACHE_SECONDS", 600) if count_cache else 0
    cache.clear()
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, **no_throttle},
        ALLOWED_HOSTS=["testserver"],
        API_COUNT_CACHE_SECONDS=cache_seconds,
    ):
        client = Client()
        results = []
        for case in build_cases():
            if only and only not in case.name:
                continue
            result = run_case(client, case, repeat=repeat, warmup=warmup)
            report(result)
            results.append(result)
    return results
