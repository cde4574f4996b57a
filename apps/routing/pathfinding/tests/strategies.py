"""Hypothesis strategies and small builders for random graphs and timetables."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from ..geo import great_circle_km
from ..graph import CSRGraph, build_graph
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


def random_timetable(seed: int, station_count: int, trip_count: int) -> Timetable:
    """Random trips through distinct stations, some of them night trains."""
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
    return build_timetable(
        station_count,
        columns["from"],
        columns["to"],
        columns["dep"],
        columns["arr"],
        columns["trip"],
        trip_is_night=rng.random(trip_count) < 0.3,
        transfer_s=rng.integers(0, 240, station_count),
    )
