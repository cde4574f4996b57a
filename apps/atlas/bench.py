"""Atlas benchmark: the whole recomputation, then the pages' server time (p50, p95).

Run through ``manage.py bench_atlas``; the figures depend on the data loaded (samples or full).
With ``baseline``, the recomputation is also run with the rail times searched pair by pair
(the search before the shared one, kept as the reference) in the same process, and every
stored field of every pair is compared between the two."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse

from apps.atlas.models import AtlasBuild, CityPair
from apps.atlas.services import bump_atlas_version, recompute_atlas

__all__ = ["AtlasBench", "Baseline", "run_bench", "stored_pairs"]


@dataclass(frozen=True)
class Baseline:
    """The pair-by-pair recomputation timed in the same process, and how its pairs compare
    with the shared search's (``differences`` lists the pair and field of each)."""

    shared_cold_s: float
    pair_by_pair_s: float
    shared_s: float
    pairs: int
    differences: tuple[tuple[tuple[int, int], str], ...]
    pair_by_pair_cpu_s: float
    shared_cpu_s: float

    @property
    def ratio(self) -> float:
        """How many times faster the shared search is (both warm), in wall time."""
        return self.pair_by_pair_s / self.shared_s

    @property
    def cpu_ratio(self) -> float:
        """The same in CPU time (less sensitive to the other jobs of the machine)."""
        return self.pair_by_pair_cpu_s / self.shared_cpu_s


@dataclass(frozen=True)
class AtlasBench:
    """Recompute time and per-page server times in milliseconds."""

    recompute_s: float
    pairs: int
    pages: dict[str, tuple[float, float]]
    baseline: Baseline | None = None
    #: This process's CPU time during the recompute (None for ``--pages-only``): on a shared
    #: machine the wall time also counts the waits for a core.
    recompute_cpu_s: float | None = None


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def stored_pairs() -> dict[tuple[int, int], dict]:
    """Every stored field of every pair but its id and computation time, by its two cities."""
    rows = list(CityPair.objects.values())
    for row in rows:
        del row["id"], row["computed_at"]
    return {(row["a_geonames_id"], row["b_geonames_id"]): row for row in rows}


def _differences(before: dict, after: dict) -> tuple[tuple[tuple[int, int], str], ...]:
    found = []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            found.append((key, "the whole pair"))
            continue
        found.extend((key, name) for name in before[key] if before[key][name] != after[key][name])
    return tuple(found)


def _timed_recompute(trigger: str, *, is_shared: bool = True) -> tuple[float, float, AtlasBuild]:
    """Wall and CPU seconds of one recompute, and its build."""
    started, cpu = time.perf_counter(), time.process_time()
    build = recompute_atlas(trigger=trigger, is_shared=is_shared)
    return time.perf_counter() - started, time.process_time() - cpu, build


def run_baseline() -> tuple[Baseline, AtlasBuild]:
    """Shared search (cold: the day timetables and the gazetteer are built), pair by pair,
    shared again (warm, as the pair-by-pair run), the stored pairs compared."""
    cold_s, _cpu, _build = _timed_recompute("bench_atlas: shared, cold")
    pair_by_pair_s, pair_by_pair_cpu_s, _build = _timed_recompute(
        "bench_atlas: pair by pair", is_shared=False
    )
    reference = stored_pairs()
    shared_s, shared_cpu_s, build = _timed_recompute("bench_atlas: shared")
    differences = _differences(reference, stored_pairs())
    baseline = Baseline(
        shared_cold_s=round(cold_s, 2),
        pair_by_pair_s=round(pair_by_pair_s, 2),
        shared_s=round(shared_s, 2),
        pairs=len(reference),
        differences=differences,
        pair_by_pair_cpu_s=round(pair_by_pair_cpu_s, 2),
        shared_cpu_s=round(shared_cpu_s, 2),
    )
    return baseline, build


def run_bench(
    *,
    requests: int = 30,
    host: str = "localhost",
    recompute: bool = True,
    baseline: bool = False,
) -> AtlasBench:
    """Recompute once (timed; without ``recompute``, the last recomputation's time; with
    ``baseline``, three times: see :func:`run_baseline`), then GET each page ``requests``
    times through the test client (the whole Django stack: middleware, view, template) and
    time each answer."""
    compared = None
    cpu_s = None
    if baseline:
        compared, build = run_baseline()
        recompute_s, cpu_s = compared.shared_s, compared.shared_cpu_s
    elif recompute:
        recompute_s, cpu_s, build = _timed_recompute("bench_atlas")
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
        "api policy": reverse("api:policy") + "?threshold_min=150",
    }
    # A filtered second page, when the data has one (the bundled samples may not).
    filtered = reverse("api:pair-list") + "?country=FR&ordering=-rail&page_size=20"
    first_page = client.get(filtered)
    if first_page.status_code == 200 and first_page.json().get("next"):
        pages["api pairs FR p2"] = filtered + "&page=2"
    if pair is not None:
        pages["detail"] = reverse("atlas:pair-detail", args=[pair.pk])
    timings = _time_pages(client, pages, requests) if requests else {}
    if requests:
        # The first request of a query builds what the others read from the cache: timed too.
        cold = {f"{name} (cold)": pages[name] for name in ("list", "api pairs", "api pairs 500")}
        timings |= _time_pages(client, cold, requests, cold=True)
    return AtlasBench(
        round(recompute_s, 2),
        build.pairs,
        timings,
        compared,
        None if cpu_s is None else round(cpu_s, 2),
    )


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
