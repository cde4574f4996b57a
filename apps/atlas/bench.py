"""Atlas benchmark: the whole recomputation, then the pages' server time (p50, p95), cold
and warm, against the 100 ms target.

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
from apps.atlas.warmup import warm_atlas_caches

__all__ = [
    "PAGE_NAMES",
    "PAGE_TARGET_MS",
    "AtlasBench",
    "Baseline",
    "PageTiming",
    "bench_pages",
    "run_bench",
    "stored_pairs",
]


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


#: Issue #15's target for a page or an endpoint, server side, in milliseconds (p95).
PAGE_TARGET_MS = 100.0


@dataclass(frozen=True)
class PageTiming:
    """One page's server times in milliseconds: cold (the atlas's cached answers dropped
    before each request, as right after a recomputation without a warm-up) and warm."""

    cold_p50: float
    cold_p95: float
    warm_p50: float
    warm_p95: float
    #: This process's CPU time per request (p95, cold and warm): what the page costs without
    #: the waits for a core on a shared machine (the database server's time is not in it).
    cold_cpu_p95: float = 0.0
    warm_cpu_p95: float = 0.0

    @property
    def ratio(self) -> float:
        """How many times the cache speeds the page up (cold p50 / warm p50)."""
        return self.cold_p50 / self.warm_p50 if self.warm_p50 else float("inf")

    @property
    def meets_target(self) -> bool:
        """Both p95s at or under :data:`PAGE_TARGET_MS`."""
        return max(self.cold_p95, self.warm_p95) <= PAGE_TARGET_MS


@dataclass(frozen=True)
class AtlasBench:
    """Recompute time and per-page server times in milliseconds."""

    recompute_s: float
    pairs: int
    pages: dict[str, PageTiming]
    baseline: Baseline | None = None
    #: This process's CPU time during the recompute (None for ``--pages-only``): on a shared
    #: machine the wall time also counts the waits for a core.
    recompute_cpu_s: float | None = None
    #: The warm-up of the default queries after a recomputation (:mod:`apps.atlas.warmup`),
    #: timed alone: (answers rendered, milliseconds); None when no page was timed.
    warm_up: tuple[int, float] | None = None


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
    only: tuple[str, ...] = (),
) -> AtlasBench:
    """Recompute once (timed; without ``recompute``, the last recomputation's time; with
    ``baseline``, three times: see :func:`run_baseline`), then GET each page of
    :func:`bench_pages` (``only``: those of :data:`PAGE_NAMES` named, when the data has
    them) ``requests`` times cold and as many warm through the test client (the whole Django
    stack: middleware, view, template), time each answer, and time the warm-up of the
    default queries alone; LookupError when the atlas was never computed."""
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
    timings: dict[str, PageTiming] = {}
    warm_up = None
    if requests:
        pages = bench_pages(Client(HTTP_HOST=host))
        if only:
            pages = {name: url for name, url in pages.items() if name in only}
        timings = _time_pages(Client(HTTP_HOST=host), pages, requests)
        bump_atlas_version()
        done = warm_atlas_caches()
        warm_up = (done.answers, done.duration_ms) if done else None
    return AtlasBench(
        round(recompute_s, 2),
        build.pairs,
        timings,
        compared,
        None if cpu_s is None else round(cpu_s, 2),
        warm_up,
    )


#: Every page and endpoint the bench can time.
PAGE_NAMES = (
    "list", "list filtered", "list page 2", "simulator 2h30", "api pairs", "api pairs 500",
    "api pairs FR p2", "api policy", "detail", "api pair detail",
)  # fmt: skip


def bench_pages(client: Client) -> dict[str, str]:
    """Name -> address of every atlas page and endpoint timed (a second page only when the
    data has one: the bundled samples may not)."""
    pair = CityPair.objects.order_by("-air_passengers").first()
    lists = reverse("atlas:pair-list")
    api = reverse("api:pair-list")
    pages = {
        "list": lists,
        "list filtered": lists + "?country=FR&ordering=-rail",
        "list page 2": lists + "?page=2",
        "simulator 2h30": reverse("atlas:policy") + "?threshold_min=150&scope=domestic",
        "api pairs": api,
        "api pairs 500": api + "?page_size=500&method=eea",
        "api pairs FR p2": api + "?country=FR&ordering=-rail&page_size=20&page=2",
        "api policy": reverse("api:policy") + "?threshold_min=150",
    }
    if client.get(pages["list page 2"]).status_code != 200:
        del pages["list page 2"]
    if not client.get(api + "?country=FR&ordering=-rail&page_size=20").json().get("next"):
        del pages["api pairs FR p2"]
    if pair is not None:
        pages["detail"] = reverse("atlas:pair-detail", args=[pair.pk])
        pages["api pair detail"] = reverse("api:pair-detail", args=[pair.pk])
    return pages


def _time_pages(client: Client, pages: dict[str, str], requests: int) -> dict[str, PageTiming]:
    """Each page ``requests`` times cold, then ``requests`` times warm."""
    count = 0
    timings = {}
    for name, url in pages.items():
        samples: dict[bool, list[float]] = {True: [], False: []}
        cpu: dict[bool, list[float]] = {True: [], False: []}
        for is_cold in (True, False):
            client.get(url)  # untimed: the process's first use of the view (and warm)
            for _ in range(requests):
                if is_cold:
                    bump_atlas_version()  # untimed, as the recomputation's own bump
                count += 1
                # A client address per request: the API's rate limit is not what is measured.
                address = f"127.1.{count // 250}.{count % 250 + 1}"
                begun, begun_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, REMOTE_ADDR=address)
                samples[is_cold].append((time.perf_counter() - begun) * 1000)
                cpu[is_cold].append((time.process_time() - begun_cpu) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
        cold, warm = samples[True], samples[False]
        timings[name] = PageTiming(
            round(statistics.median(cold), 1),
            round(_percentile(cold, 0.95), 1),
            round(statistics.median(warm), 1),
            round(_percentile(warm, 0.95), 1),
            round(_percentile(cpu[True], 0.95), 1),
            round(_percentile(cpu[False], 0.95), 1),
        )
    return timings
