"""The benchmark helpers build what they time (no assertion on time)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .. import bench
from ..bench import BenchRow, bench_schedule, journey_queries, schedule_of
from ..journeys import JOURNEY_METHODS
from ..static import METHODS
from ..synthetic import synthetic_network


def test_a_synthetic_day_becomes_a_schedule_whose_dates_are_measured():
    rng = np.random.default_rng(5)
    timetable = synthetic_network(rng, station_count=300, connections_target=3000).timetable
    assert not timetable.can_board.all()  # some lines take travellers up only at some stops
    schedule = schedule_of(timetable, rng, first_day=dt.date(2026, 3, 2), days=14)
    assert schedule.patterns.hop_count == timetable.connection_count
    rows = bench_schedule(schedule, rng, builds=2, queries=5)
    build, *journeys = rows
    assert isinstance(build, BenchRow)
    assert build.queries == 2
    assert build.mean_scanned > timetable.connection_count  # two days of runs, at least
    assert [row.method for row in journeys] == ["blocks", "reference"]
    assert journeys[0].ratio_to_baseline is not None


def test_journey_queries_leave_after_the_day_start():
    rng = np.random.default_rng(3)
    timetable = synthetic_network(rng, station_count=300, connections_target=3000).timetable
    queries = journey_queries(timetable, rng, 5, day_start_s=0)
    assert queries
    assert all(6 * 3600 <= depart < 10 * 3600 for _s, _t, depart in queries)


def test_every_routing_method_is_in_a_bench_plan_or_said_why_not():
    assert bench.unplanned_methods() == []
    planned = set(bench.STATIC_PLAN) | set(bench.SMALL_PLAN) | set(bench.TIMETABLE_PLAN)
    assert not planned & set(bench.NOT_BENCHED)
    assert all(reason.strip() for reason in bench.NOT_BENCHED.values())


def test_a_method_added_to_a_table_but_not_benched_is_named(monkeypatch):
    monkeypatch.setitem(METHODS, "new_static", METHODS["dijkstra"])
    monkeypatch.setitem(JOURNEY_METHODS, "new_journey", "a new scan")
    assert bench.unplanned_methods() == ["new_journey", "new_static"]
    monkeypatch.setitem(bench.STATIC_PLAN, "new_static", (20, 20.0))
    monkeypatch.setitem(bench.NOT_BENCHED, "new_journey", "a reason")
    assert bench.unplanned_methods() == []
    monkeypatch.setitem(bench.TIMETABLE_PLAN, "gone", (20, 30.0))
    assert bench.unplanned_methods() == ["gone"]
