"""Benchmark the routing methods on the real network and on the synthetic one."""

from __future__ import annotations

import datetime as dt
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

#: Network and journey requests each, kept under the anonymous API throttle together (120
#: requests a minute by default).
API_QUERIES = 50


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
        schedule = network.schedule
        today = dt.date.today()
        day = today if schedule.covers(today) else schedule.busiest_day()
        periods = ", ".join(
            f"{period.source} {period.first_day}..{period.last_day}" for period in schedule.coverage
        )
        self.stdout.write(
            f"real network (artefact {network.version}): {graph.node_count} stations, "
            f"{graph.arc_count} arcs, {schedule.patterns.trip_count} trips; covered: "
            f"{periods or '-'}; journeys on {day or '-'}"
        )
        if graph.arc_count == 0:
            self.stdout.write("no arcs: nothing to measure")
            return
        rng = np.random.default_rng(seed)
        started = time.perf_counter()
        timetable = None
        day_start_s = 0
        if day is not None:
            self._day_builds(schedule, day)
            service = schedule.service_day(day)
            timetable = service.timetable
            day_start_s = service.seconds(dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC))
        for report in bench.run_all(
            graph, timetable, rng, queries=queries, day_start_s=day_start_s
        ):
            self.stdout.write(report)
        count = min(queries, API_QUERIES)
        self._api(network, "network", self._network_queries(network, rng, count))
        if day is not None:
            self._api(network, "journey", self._journey_queries(network, day, rng, count))
        self.stdout.write(f"real network measured in {time.perf_counter() - started:.1f} s")

    def _day_builds(self, schedule, day: dt.date) -> None:
        """Time building the timetable of ``day`` and of the next dates, cold."""
        durations = []
        for offset in range(5):
            begin = time.perf_counter()
            built = schedule.build_day(day + dt.timedelta(days=offset))
            durations.append((time.perf_counter() - begin) * 1000.0)
        self.stdout.write(
            f"timetable of a date built on demand: n={len(durations)} "
            f"p50 {statistics.median(durations):.1f} ms, max {max(durations):.1f} ms "
            f"({built.timetable.connection_count} connections, "
            f"{built.timetable.trip_count} runs)"
        )

    def _network_queries(self, network, rng: np.random.Generator, count: int) -> list[dict]:
        ids = network.station_ids
        return [
            {"from": int(ids[source]), "to": int(ids[target])}
            for source, target in bench.static_pairs(network.graph, rng, count)
        ]

    def _journey_queries(
        self, network, day: dt.date, rng: np.random.Generator, count: int
    ) -> list[dict]:
        service = network.schedule.service_day(day)
        midnight = service.seconds(dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC))
        ids = network.station_ids
        return [
            {
                "from": int(ids[source]),
                "to": int(ids[target]),
                "depart": service.moment(depart).isoformat(),
            }
            for source, target, depart in bench.journey_queries(
                service.timetable, rng, count, day_start_s=midnight
            )
        ]

    def _api(self, network, kind: str, queries: list[dict]) -> None:
        """Time ``GET /api/routes`` end to end (middleware, DB look-ups, solver, JSON)."""
        if not queries:
            return
        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        client = Client(HTTP_HOST=host or "localhost")
        url = reverse("api:route")
        durations, statuses = [], []
        for query in queries:
            begin = time.perf_counter()
            response = client.get(url, query)
            durations.append((time.perf_counter() - begin) * 1000.0)
            statuses.append(response.status_code)
        ordered = sorted(durations)
        self.stdout.write(
            f"GET /api/routes ({kind}) end to end: n={len(ordered)} "
            f"p50 {statistics.median(ordered):.2f} ms, "
            f"p95 {ordered[round(0.95 * (len(ordered) - 1))]:.2f} ms, "
            f"statuses {dict(sorted(Counter(statuses).items()))}"
        )
