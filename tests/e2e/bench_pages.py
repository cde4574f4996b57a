"""Server-side render time (p50/p95) and page weight of every page, on the configured database.

Usage (read-only; any database, e.g. the 1M-service one of the API benchmark)::

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/obrail_api_bench \\
        .venv/bin/python -m tests.e2e.bench_pages --repeat 30

Each page is requested in-process through Django's test client (middleware, view, ORM, template:
everything but the network). The first request of each page is reported apart ("cold": caches
filled by the first view after an import); p50/p95 come from the following ones. The ratio column
compares each p50 with the static legal page measured in the same run (template and middleware
only). Page weight is the HTML plus the CSS, scripts and icon the page loads, raw and gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
ASSET_PATTERN = re.compile(r'(?:href|src)="/static/([^"?]+)"')


@dataclass(frozen=True)
class Measure:
    name: str
    url: str
    status: int
    cold_ms: float
    p50_ms: float
    p95_ms: float
    html_bytes: int
    total_bytes: int
    total_gzip_bytes: int


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _weight(html: bytes) -> tuple[int, int]:
    assets = [STATIC_DIR / name for name in ASSET_PATTERN.findall(html.decode())]
    payloads = [html] + [path.read_bytes() for path in assets if path.is_file()]
    return sum(map(len, payloads)), sum(len(gzip.compress(p)) for p in payloads)


def measure(client: object, name: str, url: str, repeat: int, headers: dict) -> Measure:
    """Request ``url`` once cold, then ``repeat`` times, and weigh the last response."""
    started = time.perf_counter()
    response = client.get(url, **headers)
    cold = (time.perf_counter() - started) * 1000
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, **headers)
        timings.append((time.perf_counter() - started) * 1000)
    total, total_gzip = _weight(response.content)
    return Measure(
        name=name,
        url=url,
        status=response.status_code,
        cold_ms=cold,
        p50_ms=statistics.median(timings),
        p95_ms=_percentile(timings, 0.95),
        html_bytes=len(response.content),
        total_bytes=total,
        total_gzip_bytes=total_gzip,
    )


def pages(seed: int) -> list[tuple[str, str, dict]]:
    """The pages to measure, with ids and names taken from the database."""
    from django.urls import reverse

    from apps.trajets.models import Operator, Station, Trajet

    rng = random.Random(seed)
    last_id = Trajet.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    trajet_id = (
        Trajet.objects.filter(pk__gte=rng.randint(1, max(last_id, 1)))
        .values_list("pk", flat=True)
        .first()
        or last_id
    )
    station = Station.objects.filter(trajets_from__isnull=False).values_list("name", flat=True)
    station_name = (station.first() or "Paris")[:6]
    operator = Operator.objects.values_list("code", flat=True).first() or ""
    trajets = reverse("trajets:trajet-list")
    network = reverse("trajets:network-map")
    htmx = {"HTTP_HX_REQUEST": "true"}
    return [
        ("legal (baseline)", reverse("pages:legal"), {}),
        ("accessibility", reverse("pages:accessibility"), {}),
        ("home", reverse("home"), {}),
        ("dashboard", reverse("stats:dashboard"), {}),
        ("quality", reverse("trajets:quality"), {}),
        ("trajets", trajets, {}),
        ("trajets kind=night", f"{trajets}?kind=night", {}),
        ("trajets country=DE", f"{trajets}?country=DE", {}),
        ("trajets origin prefix", f"{trajets}?origin={station_name}", {}),
        ("trajets operator", f"{trajets}?operator={operator}", {}),
        ("trajets date + window", f"{trajets}?date=2025-06-12&departure_after=20:00", {}),
        ("trajets sort -duration", f"{trajets}?ordering=-duration", {}),
        ("trajets page 40", f"{trajets}?kind=day&page=40", {}),
        ("trajets HTMX fragment", f"{trajets}?kind=night&country=AT", htmx),
        ("trajets invalid (422)", f"{trajets}?kind=tram", {}),
        ("trajet detail", reverse("trajets:trajet-detail", args=[trajet_id]), {}),
        ("network map", network, {}),
        ("network map night", f"{network}?kind=night", {}),
        ("network map FR night", f"{network}?kind=night&country=FR", {}),
    ]


def main() -> None:
    """Measure every page and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obrail.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from apps.trajets.models import Trajet

    client = Client(HTTP_HOST="localhost")
    print(
        f"database {connection.settings_dict['NAME']}: {Trajet.objects.count():,} trajets; "
        f"{arguments.repeat} warm requests per page"
    )
    header = (
        f"{'page':24} {'status':>6} {'cold ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'x base':>6} "
        f"{'HTML kB':>8} {'total kB':>9} {'gzip kB':>8}"
    )
    print(header)
    baseline = None
    for name, url, headers in pages(arguments.seed):
        result = measure(client, name, url, arguments.repeat, headers)
        baseline = baseline or result.p50_ms
        print(
            f"{result.name:24} {result.status:>6} {result.cold_ms:8.1f} {result.p50_ms:7.1f} "
            f"{result.p95_ms:7.1f} {result.p50_ms / baseline:6.1f} "
            f"{result.html_bytes / 1000:8.1f} {result.total_bytes / 1000:9.1f} "
            f"{result.total_gzip_bytes / 1000:8.1f}"
        )


if __name__ == "__main__":
    main()
