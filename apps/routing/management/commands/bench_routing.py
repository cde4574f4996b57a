"""Benchmark the routing methods on the real network and on the synthetic one."""

from __future__ import annotations

import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.routing.pathfinding import bench
from apps.routing.services import RoutingUnavailable, load_network


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
        self.stdout.write(f"real network measured in {time.perf_counter() - started:.1f} s")
