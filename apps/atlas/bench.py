"""Atlas benchmark: the whole recomputation, then the pages' server time (p50, p95).

Run through ``manage.py bench_atlas``; the figures depend on the data loaded (samples or full)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse

from apps.atlas.models import AtlasBuild, CityPair
from apps.atlas.services import bump_atlas_version, recompute_atlas

__all__ = ["AtlasBench", "run_bench"]


@dataclass(frozen=True)
class AtlasBench:
    """Recompute time and per-page server times in milliseconds."""

    recompute_s: float
    pairs: int
    pages: dict[str, tuple[float, float]]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_bench(*, requests: int = 30, host: str = "localhost", recompute: bool = True) -> AtlasBench:
    """Recompute once (timed; without ``recompute``, the last recomputation's time), then GET
    each page ``requests`` times through the test client (the whole Django stack: middleware,
    view, template) and time each answer."""
    if recompute:
        started = time.perf_counter()
        build = recompute_atlas(trigger="bench_atlas")
        recompute_s = time.perf_counter() - started
    else:
        build = AtlasBuild.objects.first()
        if build is None:
            raise LookupError("the atlas was never computed: run recompute_atlas first")
        recompute_s = build.duration_s
    client = Client(HTTP_HOST=host)
    pair = CityPair.objects.order_by("-air_passengers").first()
    pages = {
        "list": reverse("atlas:pair-list"),
        "list filtered": reverse("atlas:pair-list") + "?country=FR&ordering=-rail",
        "simulator 2h30": reverse("atlas:policy") + "?threshold_min=150&scope=domestic",
        "api pairs": reverse("api:pair-list"),
        "api pairs 500": reverse("api:pair-list") + "?page_size=500&method=eea",
        "api pairs FR p2": reverse("api:pair-list") + "?country=FR&ordering=-rail&page=2",
        "api policy": reverse("api:policy") + "?threshold_min=150",
    }
    if pair is not None:
        pages["detail"] = reverse("atlas:pair-detail", args=[pair.pk])
    timings = _time_pages(client, pages, requests)
    # The first request of a query builds what the others read from the cache: timed too.
    cold = {f"{name} (cold)": pages[name] for name in ("list", "api pairs", "api pairs 500")}
    timings |= _time_pages(client, cold, requests, cold=True)
    return AtlasBench(round(recompute_s, 2), build.pairs, timings)


def _time_pages(client: Client, pages: dict[str, str], requests: int, cold: bool = False) -> dict:
    """p50 and p95 per page; ``cold``: the atlas's cached answers are dropped before each
    request (untimed), as after a recomputation."""
    timings = {}
    count = 0
    for name, url in pages.items():
        client.get(url)  # warm
        samples = []
        for _ in range(requests):
            if cold:
                bump_atlas_version()
            begun = time.perf_counter()
            # A client address per request: the API's rate limit is not what is measured.
            count += 1
            response = client.get(url, REMOTE_ADDR=f"127.1.{count // 250}.{count % 250 + 1}")
            samples.append((time.perf_counter() - begun) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        timings[name] = (statistics.median(samples), _percentile(samples, 0.95))
    return timings
