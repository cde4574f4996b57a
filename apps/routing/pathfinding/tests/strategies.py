"""Hypothesis strategies and small builders for random graphs and timetables."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from hypothesis import strategies as st

from ..geo import great_circle_km
from ..graph import CSRGraph, build_graph
from ..schedule import Coverage, Schedule, TripCalendars, TripPatterns
from ..timetable import Timetable, build_timetable


def random_graph(
    seed: int,
    node_count: int,
    arc_count: int,
    *,
    acyclic: bool = False,
    low: float = 0.0,
    with_coordinates: bool = True,
) -> CSRGraph:
    """A random geographic graph; ``time`` >= crow-fly distance / 5 km per min."""
    rng = np.random.default_rng(seed)
    tails = rng.integers(0, node_count, arc_count)
    heads = rng.integers(0, node_count, arc_count)
    if acyclic:
        tails, heads = np.minimum(tails, heads), np.maximum(tails, heads)
        keep = tails != heads
        tails, heads = tails[keep], heads[keep]
    latitude = rng.uniform(42.0, 52.0, node_count)
    longitude = rng.uniform(-2.0, 12.0, node_count)
    crow = great_circle_km(latitude[tails], longitude[tails], latitude[heads], longitude[heads])
    distance = crow * rng.uniform(1.0, 1.6, tails.size)
    time = distance / rng.uniform(1.0, 5.0, tails.size)
    signed = rng.uniform(low, 10.0, tails.size)
    return build_graph(
        node_count,
        tails,
        heads,
        {"time": time, "distance": distance, "signed": signed},
        latitude=latitude if with_coordinates else None,
        longitude=longitude if with_coordinates else None,
    )


graphs = st.builds(
    random_graph,
    seed=st.integers(0, 2**32 - 1),
    node_count=st.integers(2, 40),
    arc_count=st.integers(1, 160),
)


def random_timetable(
    seed: int, station_count: int, trip_count: int, *, restricted_share: float = 0.0
) -> Timetable:
    """Random trips through distinct stations, some of them night trains.

    With ``restricted_share`` > 0, about that share of the stops forbid boarding and as many
    forbid alighting (drawn after everything else: the trips stay those of ``seed``).
    """
    rng = np.random.default_rng(seed)
    columns: dict[str, list[int]] = {key: [] for key in ("from", "to", "dep", "arr", "trip")}
    for trip in range(trip_count):
        stops = rng.choice(
            station_count, size=int(rng.integers(2, min(6, station_count + 1))), replace=False
        )
        time = int(rng.integers(0, 3600))
        for here, there in itertools.pairwise(stops):
            duration = int(rng.integers(1, 900))
            for key, value in zip(
                ("from", "to", "dep", "arr", "trip"),
                (here, there, time, time + duration, trip),
                strict=True,
            ):
                columns[key].append(int(value))
            time += duration + int(rng.integers(0, 300))
    trip_is_night = rng.random(trip_count) < 0.3
    transfer_s = rng.integers(0, 240, station_count)
    size = len(columns["trip"])
    return build_timetable(
        station_count,
        columns["from"],
        columns["to"],
        columns["dep"],
        columns["arr"],
        columns["trip"],
        trip_is_night=trip_is_night,
        transfer_s=transfer_s,
        can_board=rng.random(size) >= restricted_share,
        can_alight=rng.random(size) >= restricted_share,
    )


#: Ordinal of the first date of :func:`random_schedule`'s calendars (Monday 2026-06-01).
SCHEDULE_START = 739_768


def random_schedule(
    seed: int,
    station_count: int,
    trip_count: int,
    *,
    restricted_share: float = 0.0,
    zones: tuple[str, ...] = ("Europe/Paris", "Europe/London"),
) -> Schedule:
    """Random trips on random weekly calendars with exceptions in June 2026.

    Stations take the ``zones`` in turn; some trips run past midnight.
    """
    rng = np.random.default_rng(seed)
    columns: dict[str, list[int]] = {key: [] for key in ("trip", "from", "to", "dep", "arr")}
    for trip in range(trip_count):
        stops = rng.choice(
            station_count, size=int(rng.integers(2, min(6, station_count + 1))), replace=False
        )
        time = int(rng.integers(0, 30 * 3600))
        for here, there in itertools.pairwise(stops):
            duration = int(rng.integers(60, 5400))
            for key, value in zip(
                ("trip", "from", "to", "dep", "arr"),
                (trip, here, there, time, time + duration),
                strict=True,
            ):
                columns[key].append(int(value))
            time += duration + int(rng.integers(0, 600))
    size = len(columns["trip"])
    patterns = TripPatterns(
        station_count=station_count,
        hop_trip=np.array(columns["trip"], dtype=np.int32),
        from_station=np.array(columns["from"], dtype=np.int32),
        to_station=np.array(columns["to"], dtype=np.int32),
        departure_local_s=np.array(columns["dep"], dtype=np.int32),
        arrival_local_s=np.array(columns["arr"], dtype=np.int32),
        can_board=rng.random(size) >= restricted_share,
        can_alight=rng.random(size) >= restricted_share,
        trip_is_night=rng.random(trip_count) < 0.3,
        transfer_s=rng.integers(0, 600, station_count).astype(np.int32),
        station_zone=(np.arange(station_count) % len(zones)).astype(np.int32),
        zones=zones,
    )
    exceptions = int(rng.integers(0, 2 * trip_count + 1))
    calendars = TripCalendars.build(
        valid_from=SCHEDULE_START + rng.integers(0, 10, trip_count),
        valid_to=SCHEDULE_START + rng.integers(15, 30, trip_count),
        weekdays=rng.integers(0, 128, trip_count),
        exception_date=SCHEDULE_START + rng.integers(-3, 33, exceptions),
        exception_trip=rng.integers(0, trip_count, exceptions),
        exception_added=rng.random(exceptions) < 0.5,
    )
    # One exception per trip and date, as the warehouse stores them.
    keys = calendars.exception_trip.astype(np.int64) * 100_000 + calendars.exception_date
    _unique, first = np.unique(keys, return_index=True)
    first.sort()
    calendars = TripCalendars.build(
        calendars.valid_from,
        calendars.valid_to,
        calendars.weekdays,
        calendars.exception_date[first],
        calendars.exception_trip[first],
        calendars.exception_added[first],
    )
    return Schedule(
        patterns, calendars, [Coverage("random", dt.date(2026, 6, 1), dt.date(2026, 6, 30))]
    )
