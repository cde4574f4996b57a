"""Benchmark of the static and timetable methods, with scipy and networkx baselines.

Run ``python -m apps.routing.pathfinding.bench`` for the synthetic Europe-sized network
(fixed seed). Every figure is measured warm, in process, path or journey included; ratios
compare p50s with the baseline measured in the same run on the same queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components

from .csa import block_scan
from .errors import NoPathError
from .fast import scipy_matrix
from .geo import great_circle_km
from .graph import CSRGraph
from .journeys import JOURNEY_METHODS, earliest_arrival
from .schedule import Coverage, Schedule, TripCalendars, TripPatterns
from .static import METHODS, shortest_path
from .synthetic import synthetic_network
from .timetable import Timetable

__all__ = [
    "BenchRow",
    "bench_schedule",
    "bench_static",
    "bench_timetable",
    "format_rows",
    "main",
    "schedule_of",
    "unplanned_methods",
]

#: Static methods benchmarked with (query budget, seconds budget); the course's methods in
#: pure Python are slow on 30k nodes, so they get few queries.
STATIC_PLAN: dict[str, tuple[int, float]] = {
    "scipy_limited": (200, 20.0),
    "dijkstra": (20, 20.0),
    "astar": (20, 20.0),
    "bellman_ford": (5, 20.0),
    "pape": (5, 20.0),
    "slf": (5, 20.0),
    "slf_lll": (5, 20.0),
}
#: Depth-first rules can correct labels exponentially often (B&B took 200 s for one
#: continental query): they run on a 3,000-station network instead, next to the others.
SMALL_PLAN: dict[str, tuple[int, float]] = {
    "scipy_limited": (50, 10.0),
    "dijkstra": (50, 10.0),
    "astar": (50, 10.0),
    "bellman_ford": (20, 10.0),
    "pape": (20, 10.0),
    "slf": (20, 10.0),
    "slf_lll": (20, 10.0),
    "lifo": (5, 30.0),
    "branch_and_bound": (5, 30.0),
}
TIMETABLE_PLAN: dict[str, tuple[int, float]] = {"blocks": (200, 30.0), "reference": (20, 30.0)}
#: The methods of ``METHODS`` and ``JOURNEY_METHODS`` that no plan times, and why: a new
#: method goes into a plan or here (a test holds every method to one of them).
NOT_BENCHED: dict[str, str] = {
    "backward_chaining": "acyclic networks only: a rail network has cycles",
    "forward_chaining": "acyclic networks only: a rail network has cycles",
    "reaching": "acyclic networks only: a rail network has cycles",
    "time_expanded": "the brute-force test oracle of the timetable methods, not a method to serve",
}


def unplanned_methods() -> list[str]:
    """The routing methods neither in a plan nor in ``NOT_BENCHED``, and the plans' or
    ``NOT_BENCHED``'s names that are no method (both empty when the plans are current)."""
    methods = set(METHODS) | set(JOURNEY_METHODS)
    named = set(STATIC_PLAN) | set(SMALL_PLAN) | set(TIMETABLE_PLAN) | set(NOT_BENCHED)
    return sorted(methods ^ named)


@dataclass(frozen=True)
class BenchRow:
    """Timings (ms) and mean counters of one method on one query type."""

    query_type: str
    method: str
    queries: int
    p50_ms: float
    p95_ms: float
    mean_scanned: float
    mean_improved: float
    baseline: str = ""
    ratio_to_baseline: float | None = None


def _measure(
    query_type: str,
    method: str,
    queries: Sequence[tuple],
    run: Callable[..., tuple[int, int]],
    *,
    budget_s: float,
) -> BenchRow:
    durations: list[float] = []
    scanned: list[int] = []
    improved: list[int] = []
    started = time.perf_counter()
    for query in queries:
        begin = time.perf_counter()
        work = run(*query)
        durations.append((time.perf_counter() - begin) * 1000.0)
        scanned.append(work[0])
        improved.append(work[1])
        if time.perf_counter() - started > budget_s:
            break
    ordered = sorted(durations)
    return BenchRow(
        query_type=query_type,
        method=method,
        queries=len(durations),
        p50_ms=statistics.median(ordered),
        p95_ms=ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        mean_scanned=statistics.fmean(scanned),
        mean_improved=statistics.fmean(improved),
    )


def _with_ratio(row: BenchRow, baseline: BenchRow) -> BenchRow:
    return BenchRow(
        **{
            **row.__dict__,
            "baseline": baseline.method,
            "ratio_to_baseline": row.p50_ms / baseline.p50_ms if baseline.p50_ms else None,
        }
    )


def static_pairs(
    graph: CSRGraph, rng: np.random.Generator, count: int, *, max_km: float | None = None
) -> list[tuple[int, int]]:
    """Random pairs in one strongly connected component (reachable both ways), optionally
    no more than ``max_km`` apart."""
    matrix = scipy_matrix(graph, "time")
    _count, component = connected_components(matrix, connection="strong")
    sizes = np.bincount(component)
    if sizes.max() < 2:
        return []
    pairs: list[tuple[int, int]] = []
    attempts = 0
    while len(pairs) < count and attempts < 100 * count:
        attempts += 1
        source = int(rng.choice(np.flatnonzero(sizes[component] >= 2)))
        candidates = np.flatnonzero(component == component[source])
        if max_km is None:
            target = int(rng.choice(candidates))
        else:
            crow = great_circle_km(
                graph.latitude[source],
                graph.longitude[source],
                graph.latitude[candidates],
                graph.longitude[candidates],
            )
            near = candidates[(crow <= max_km) & (crow > 0)]
            if near.size == 0:
                continue
            target = int(rng.choice(near))
        if source != target:
            pairs.append((source, target))
    return pairs


def bench_static(
    graph: CSRGraph,
    pairs: Sequence[tuple[int, int]],
    query_type: str,
    *,
    plan: dict[str, tuple[int, float]] = STATIC_PLAN,
    networkx_queries: int = 20,
) -> list[BenchRow]:
    """Time every static method of ``plan`` and the baselines on the same pairs."""
    matrix = scipy_matrix(graph, "time")
    from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

    def run_scipy_full(source: int, target: int) -> tuple[int, int]:
        distance, predecessor = scipy_dijkstra(matrix, indices=source, return_predecessors=True)
        node, hops = target, 0
        while node != source and node >= 0:
            node = int(predecessor[node])
            hops += 1
        return int(np.isfinite(distance).sum()), hops

    baseline = _measure(query_type, "scipy_dijkstra_full", pairs, run_scipy_full, budget_s=60.0)
    rows = [baseline]
    rows.append(_with_ratio(_networkx_row(graph, pairs[:networkx_queries], query_type), baseline))
    for method, (count, budget) in plan.items():

        def run(source: int, target: int, method: str = method) -> tuple[int, int]:
            try:
                result = shortest_path(graph, source, target, method=method)
            except NoPathError:
                return 0, 0
            return result.counters.nodes_scanned, result.counters.labels_improved

        rows.append(
            _with_ratio(_measure(query_type, method, pairs[:count], run, budget_s=budget), baseline)
        )
    return rows


def _networkx_row(graph: CSRGraph, pairs: Sequence[tuple[int, int]], query_type: str) -> BenchRow:
    import networkx as nx

    nx_graph = nx.DiGraph()
    tails = graph.tails().tolist()
    heads = graph.indices.tolist()
    weights = graph.weight("time").tolist()
    nx_graph.add_weighted_edges_from(zip(tails, heads, weights, strict=True))

    def run(source: int, target: int) -> tuple[int, int]:
        path = nx.dijkstra_path(nx_graph, source, target, weight="weight")
        return len(path), 0

    return _measure(query_type, "networkx_dijkstra", pairs, run, budget_s=60.0)


def journey_queries(
    timetable: Timetable, rng: np.random.Generator, count: int, *, day_start_s: int = 0
) -> list[tuple[int, int, int]]:
    """Feasible queries: from a served station at 06:00-10:00 after ``day_start_s`` to a
    station reached in 1-8 h."""
    served = np.unique(timetable.departure_station[timetable.can_board])
    queries: list[tuple[int, int, int]] = []
    attempts = 0
    while len(queries) < count and attempts < 20 * count:
        attempts += 1
        source = int(rng.choice(served))
        depart = day_start_s + int(rng.integers(6 * 3600, 10 * 3600))
        state = block_scan(timetable, source, source, depart, slack_s=8 * 3600)
        duration = state.arrival[-1] - depart
        reachable = np.flatnonzero((duration >= 3600) & (duration <= 8 * 3600))
        if reachable.size:
            queries.append((source, int(rng.choice(reachable)), depart))
    return queries


def bench_timetable(
    timetable: Timetable,
    queries: Sequence[tuple[int, int, int]],
    *,
    plan: dict[str, tuple[int, float]] = TIMETABLE_PLAN,
) -> list[BenchRow]:
    """Time the journey methods on the same queries; the plain-Python CSA is the baseline."""
    rows: list[BenchRow] = []
    for method, (count, budget) in plan.items():

        def run(source: int, target: int, depart: int, method: str = method) -> tuple[int, int]:
            try:
                journey = earliest_arrival(timetable, source, target, depart, method=method)
            except NoPathError:
                return 0, 0
            return journey.connections_scanned, journey.labels_improved

        rows.append(_measure("earliest_arrival", method, queries[:count], run, budget_s=budget))
    baseline = next((row for row in rows if row.method == "reference"), None)
    if baseline is None:
        return rows
    return [row if row is baseline else _with_ratio(row, baseline) for row in rows]


def schedule_of(
    timetable: Timetable, rng: np.random.Generator, *, first_day: dt.date, days: int = 56
) -> Schedule:
    """A schedule whose trips are those of ``timetable`` (times read in Paris time), most
    running daily, the others on random weekdays, with a few dated removals and additions."""
    order = np.lexsort((timetable.departure_s, timetable.trip))
    trip_count = timetable.trip_count
    patterns = TripPatterns(
        station_count=timetable.station_count,
        hop_trip=timetable.trip[order],
        from_station=timetable.departure_station[order],
        to_station=timetable.arrival_station[order],
        departure_local_s=timetable.departure_s[order],
        arrival_local_s=timetable.arrival_s[order],
        can_board=timetable.can_board[order],
        can_alight=timetable.can_alight[order],
        trip_is_night=timetable.trip_is_night,
        transfer_s=timetable.transfer_s,
        station_zone=np.zeros(timetable.station_count, dtype=np.int32),
        zones=("Europe/Paris",),
    )
    first = first_day.toordinal()
    weekdays = np.where(rng.random(trip_count) < 0.7, 127, rng.integers(1, 128, trip_count))
    exceptions = trip_count // 10
    calendars = TripCalendars.build(
        valid_from=np.full(trip_count, first),
        valid_to=np.full(trip_count, first + days - 1),
        weekdays=weekdays,
        exception_date=first + rng.integers(0, days, exceptions),
        exception_trip=rng.choice(trip_count, exceptions, replace=False),
        exception_added=rng.random(exceptions) < 0.3,
    )
    coverage = [Coverage("synthetic", first_day, first_day + dt.timedelta(days=days - 1))]
    return Schedule(patterns, calendars, coverage, cache_size=1)


def bench_schedule(
    schedule: Schedule, rng: np.random.Generator, *, builds: int = 5, queries: int = 200
) -> list[BenchRow | str]:
    """Time building a date's timetable on demand (cold: the cache holds one date), then
    journeys on it against the plain-Python CSA on the same queries."""
    days = [
        schedule.coverage[0].first_day + dt.timedelta(days=7 + offset) for offset in range(builds)
    ]

    def build(day: dt.date) -> tuple[int, int]:
        timetable = schedule.service_day(day).timetable
        return timetable.connection_count, 0

    rows: list[BenchRow | str] = [
        _measure("day build", "on demand", [(day,) for day in days], build, budget_s=120.0)
    ]
    service = schedule.service_day(days[-1])
    midnight = service.seconds(
        dt.datetime.combine(days[-1], dt.time(0), tzinfo=dt.UTC) - dt.timedelta(hours=2)
    )
    journeys = journey_queries(service.timetable, rng, queries, day_start_s=midnight)
    if not journeys:
        return [*rows, "no feasible journey on the built day: not measured"]
    for source, target, depart in journeys[:5]:
        earliest_arrival(service.timetable, source, target, depart)
    rows.extend(bench_timetable(service.timetable, journeys))
    return rows


def format_rows(rows: Sequence[BenchRow]) -> str:
    """A fixed-width table of the rows."""
    header = (
        f"{'query type':<18} {'method':<20} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} "
        f"{'scanned':>10} {'improved':>10}  ratio p50 to baseline"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        ratio = (
            f"{row.ratio_to_baseline:8.3f} x {row.baseline}"
            if row.ratio_to_baseline is not None
            else "(baseline)"
        )
        lines.append(
            f"{row.query_type:<18} {row.method:<20} {row.queries:>4} {row.p50_ms:>9.3f} "
            f"{row.p95_ms:>9.3f} {row.mean_scanned:>10.0f} {row.mean_improved:>10.0f}  {ratio}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the synthetic network and print the benchmark tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--stations", type=int, default=30_000)
    parser.add_argument("--connections", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    arguments = parser.parse_args(argv)
    rng = np.random.default_rng(arguments.seed)
    started = time.perf_counter()
    network = synthetic_network(
        rng, station_count=arguments.stations, connections_target=arguments.connections
    )
    graph, timetable = network.graph, network.timetable
    print(
        f"synthetic network (seed {arguments.seed}): {graph.node_count} stations, "
        f"{graph.arc_count} arcs, {timetable.connection_count} connections/day, "
        f"{timetable.trip_count} trips; generated in {time.perf_counter() - started:.1f} s"
    )
    for report in run_all(graph, timetable, rng, queries=arguments.queries):
        print(report)
    # A generator of its own: the networks and queries below stay those of the seed.
    schedule_rng = np.random.default_rng(arguments.seed + 1)
    schedule = schedule_of(timetable, schedule_rng, first_day=dt.date(2026, 3, 2))
    rows = bench_schedule(schedule, schedule_rng, queries=arguments.queries)
    print(
        "timetables built per date (runs of the date before, the date and the next one; "
        f"{schedule.patterns.trip_count} trips on 56-day calendars):"
    )
    print(format_rows([row for row in rows if isinstance(row, BenchRow)]))
    for line in rows:
        if isinstance(line, str):
            print(line)
    small = synthetic_network(rng, station_count=3_000, connections_target=1_000).graph
    print(f"small synthetic network: {small.node_count} stations, {small.arc_count} arcs")
    print(
        format_rows(bench_static(small, static_pairs(small, rng, 50), "static 3k", plan=SMALL_PLAN))
    )


def run_all(
    graph: CSRGraph,
    timetable: Timetable | None,
    rng: np.random.Generator,
    *,
    queries: int,
    day_start_s: int = 0,
) -> list[str]:
    """Warm up, then benchmark static pairs (all and < 400 km) and journeys (leaving 06:00 to
    10:00 after ``day_start_s``); return tables."""
    pairs = static_pairs(graph, rng, queries)
    near = static_pairs(graph, rng, queries, max_km=400.0) if graph.has_coordinates else []
    if not pairs:
        return ["no strongly connected pair of stations: nothing to measure"]
    for source, target in pairs[:5]:
        shortest_path(graph, source, target, method="scipy_limited")
        shortest_path(graph, source, target, method="dijkstra")
    reports = [format_rows(bench_static(graph, pairs, "static one-to-one"))]
    if near:
        reports.append(format_rows(bench_static(graph, near, "static < 400 km")))
    if timetable is not None and timetable.connection_count:
        journeys = journey_queries(timetable, rng, queries, day_start_s=day_start_s)
        if not journeys:
            return [*reports, "no feasible journey found: timetable not measured"]
        for source, target, depart in journeys[:5]:
            earliest_arrival(timetable, source, target, depart)
        reports.append(format_rows(bench_timetable(timetable, journeys)))
    return reports


if __name__ == "__main__":
    main()
