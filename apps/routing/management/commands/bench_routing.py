"""Benchmark the routing methods on the real network and on the synthetic one."""

from __future__ import annotations

import statistics
import time
from collections import Counter

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.urls import reverse

from apps.routing.pathfinding import bench
from apps.routing.services import RoutingUnavailable, load_network

#: Kept under the anonymous API throttle (120 requests a minute by default).
API_QUERIES = 100


class Command(BaseCommand):
    """Thin wrapper over ``apps.routing.pathfinding.bench`` (same tables, same baselines)."""

    help = "Print p50/p95 and counters per method on the real network and the synthetic one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--skip-synthetic", action="store_true")
        parser.add_argument("--skip-real", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if not options["skip_real"]:
            self._real(options["seed"], options["queries"])
        if not options["skip_synthetic"]:
            bench.main(["--seed", str(options["seed"]), "--queries", str(options["queries"])])

    def _real(self, seed: int, queries: int) -> None:
        try:
            network = load_network()
        except RoutingUnavailable as error:
            raise CommandError(f"{error}; run `manage.py build_routing_artifact` first") from error
        graph = network.graph
        self.stdout.write(
            f"real network (artefact {network.version}): {graph.node_count} stations, "
            f"{graph.arc_count} arcs, days {', '.join(sorted(network.timetables)) or '-'}"
        )
        if graph.arc_count == 0:
            self.stdout.write("no arcs: nothing to measure")
            return
        rng = np.random.default_rng(seed)
        started = time.perf_counter()
        timetable = max(network.timetables.values(), key=lambda t: t.connection_count, default=None)
        for report in bench.run_all(graph, timetable, rng, queries=queries):
            self.stdout.write(report)
        self._api(network, rng, min(queries, API_QUERIES))
        self.stdout.write(f"real network measured in {time.perf_counter() - started:.1f} s")

    def _api(self, network, rng: np.random.Generator, count: int) -> None:
        """Time ``GET /api/routes`` end to end (middleware, DB look-ups, solver, JSON)."""
        pairs = bench.static_pairs(network.graph, rng, count)
        if not pairs:
            return
        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        client = Client(HTTP_HOST=host or "localhost")
        url = reverse("api:route")
        ids = network.station_ids
        durations, statuses = [], []
        for source, target in pairs:
            begin = time.perf_counter()
            response = client.get(url, {"from": int(ids[source]), "to": int(ids[target])})
            durations.append((time.perf_counter() - begin) * 1000.0)
            statuses.append(response.status_code)
        ordered = sorted(durations)
        self.stdout.write(
            f"GET /api/routes end to end: n={len(ordered)} "
            f"p50 {statistics.median(ordered):.2f} ms, "
            f"p95 {ordered[round(0.95 * (len(ordered) - 1))]:.2f} ms, "
            f"statuses {dict(sorted(Counter(statuses).items()))}"
        )
