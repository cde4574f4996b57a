"""The benchmark helpers build what they time (no assertion on time)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..bench import BenchRow, bench_schedule, journey_queries, schedule_of
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
