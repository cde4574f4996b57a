"""A synthetic Europe-sized rail network and timetable, generated from a seeded Generator."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import cKDTree

from .geo import great_circle_km
from .graph import CSRGraph, build_graph
from .timetable import Timetable, build_timetable

__all__ = ["SyntheticNetwork", "synthetic_network"]

#: kg CO2e per passenger-km used for the synthetic co2 weight (electric rail order of size).
RAIL_KG_PER_KM = 0.03
#: Every this many lines, one has boarding rules (pick-up only, set-down only stops).
RESTRICTED_LINE_EVERY = 10


@dataclass(frozen=True, eq=False)
class SyntheticNetwork:
    """A generated graph and one service day of connections on it."""

    graph: CSRGraph
    timetable: Timetable


def synthetic_network(
    rng: np.random.Generator,
    *,
    station_count: int = 30_000,
    extra_arc_share: float = 0.35,
    connections_target: int = 1_000_000,
) -> SyntheticNetwork:
    """Generate stations clustered around cities between 36-60 N and 9 W-30 E.

    Arcs: the Euclidean minimum spanning tree of an 8-nearest-neighbour graph (so the
    network is connected) plus a share of the other nearest-neighbour pairs, both directions,
    at 60-300 km/h with 5-35 % detour. Lines are random walks of 8-40 hops, run every
    30-180 min from 05:00 (night lines once, from 20:00-23:00), until the day holds about
    ``connections_target`` connections.
    """
    cities = np.column_stack([rng.uniform(36.0, 60.0, 400), rng.uniform(-9.0, 30.0, 400)])
    home = rng.integers(0, cities.shape[0], station_count)
    spread = rng.exponential(0.35, station_count)[:, None]
    points = cities[home] + rng.normal(0.0, 1.0, (station_count, 2)) * spread
    latitude = np.clip(points[:, 0], 35.0, 61.0)
    longitude = np.clip(points[:, 1], -10.0, 31.0)
    planar = np.column_stack([latitude, longitude * np.cos(np.radians(latitude))])
    _distances, neighbours = cKDTree(planar).query(planar, k=9)
    tails = np.repeat(np.arange(station_count), 8)
    heads = neighbours[:, 1:].ravel()
    crow = great_circle_km(latitude[tails], longitude[tails], latitude[heads], longitude[heads])
    knn = coo_matrix((crow + 1e-6, (tails, heads)), shape=(station_count, station_count))
    tree = minimum_spanning_tree(knn.tocsr()).tocoo()
    extra = rng.random(tails.size) < extra_arc_share / 8 * 2
    # High-speed backbone: each city's hub (the station nearest its centre) to the hubs of
    # its three nearest cities.
    city_planar = np.column_stack([cities[:, 0], cities[:, 1] * np.cos(np.radians(cities[:, 0]))])
    _distances, hubs = cKDTree(planar).query(city_planar, k=1)
    _distances, near_cities = cKDTree(city_planar).query(city_planar, k=4)
    backbone_tails = np.repeat(hubs, 3)
    backbone_heads = hubs[near_cities[:, 1:].ravel()]
    pair_tails = np.r_[tree.row, tails[extra], backbone_tails]
    pair_heads = np.r_[tree.col, heads[extra], backbone_heads]
    all_tails = np.r_[pair_tails, pair_heads]
    all_heads = np.r_[pair_heads, pair_tails]
    crow = great_circle_km(
        latitude[all_tails], longitude[all_tails], latitude[all_heads], longitude[all_heads]
    )
    distance = np.maximum(crow * rng.uniform(1.05, 1.35, crow.size), 0.5)
    speed_kmh = rng.choice(
        [60.0, 90.0, 120.0, 160.0, 300.0], crow.size, p=[0.2, 0.35, 0.25, 0.15, 0.05]
    )
    time_min = np.maximum(distance / speed_kmh * 60.0, 1.0)
    graph = build_graph(
        station_count,
        all_tails,
        all_heads,
        {"time": time_min, "distance": distance, "co2": distance * RAIL_KG_PER_KM},
        latitude=latitude,
        longitude=longitude,
    )
    hub_graph = build_graph(
        station_count,
        np.r_[backbone_tails, backbone_heads],
        np.r_[backbone_heads, backbone_tails],
        {"time": np.zeros(2 * backbone_tails.size)},
    )
    timetable = _timetable(rng, graph, hub_graph, connections_target=connections_target)
    return SyntheticNetwork(graph=graph, timetable=timetable)


def _timetable(
    rng: np.random.Generator, graph: CSRGraph, hub_graph: CSRGraph, *, connections_target: int
) -> Timetable:
    """Random-walk lines with several runs a day, about ``connections_target`` connections.

    One line in ten is an intercity line along the backbone, stopping only at hubs. Every
    ``RESTRICTED_LINE_EVERY``-th line of four hops or more has boarding rules like an
    international train's: its second and third stops take travellers up only, its last two
    but one set them down only (drawn without the generator, so the trips stay the seed's).
    """
    hop_s = np.maximum(np.round(graph.weight("time") * 60.0), 60).astype(np.int64)
    columns: dict[str, list[np.ndarray]] = {
        key: [] for key in ("from", "to", "dep", "arr", "trip", "board", "alight")
    }
    night_flags: list[bool] = []
    total = trip = line = 0
    while total < connections_target:
        is_intercity = bool(rng.random() < 0.1)
        if is_intercity:
            stations, _hub_arcs = _walk(
                rng, hub_graph, int(rng.integers(3, 13)), start_among_hubs=True
            )
            arcs = _arc_ids(graph, stations)
        else:
            stations, arcs = _walk(rng, graph, int(rng.integers(8, 41)))
        if len(arcs) < 2:
            continue
        line += 1
        can_board = np.ones(len(arcs), dtype=bool)
        can_alight = np.ones(len(arcs), dtype=bool)
        if line % RESTRICTED_LINE_EVERY == 0 and len(arcs) >= 4:
            can_alight[:2] = False
            can_board[-2:] = False
        dwell = rng.integers(60, 181, len(arcs))
        dwell[0] = 0
        offsets = np.cumsum(dwell + np.r_[0, hop_s[arcs[:-1]]])
        is_night = bool(rng.random() < 0.04)
        if is_night:
            starts = [int(rng.integers(20 * 3600, 23 * 3600))]
        else:
            headway = (
                int(rng.choice([30, 60, 60, 120, 180] if not is_intercity else [60, 120])) * 60
            )
            first = 5 * 3600 + int(rng.integers(0, headway))
            starts = list(range(first, 22 * 3600, headway))
        for start in starts:
            departure = start + offsets
            columns["from"].append(stations[:-1])
            columns["to"].append(stations[1:])
            columns["dep"].append(departure)
            columns["arr"].append(departure + hop_s[arcs])
            columns["trip"].append(np.full(len(arcs), trip))
            columns["board"].append(can_board)
            columns["alight"].append(can_alight)
            night_flags.append(is_night)
            trip += 1
            total += len(arcs)
    return build_timetable(
        graph.node_count,
        np.concatenate(columns["from"]),
        np.concatenate(columns["to"]),
        np.concatenate(columns["dep"]),
        np.concatenate(columns["arr"]),
        np.concatenate(columns["trip"]),
        trip_is_night=np.array(night_flags),
        transfer_s=rng.integers(120, 601, graph.node_count),
        can_board=np.concatenate(columns["board"]),
        can_alight=np.concatenate(columns["alight"]),
    )


def _arc_ids(graph: CSRGraph, stations: np.ndarray) -> np.ndarray:
    """Index in ``graph`` of the arc between each pair of consecutive stations."""
    arcs = []
    for tail, head in itertools.pairwise(stations):
        first, last = graph.indptr[tail], graph.indptr[tail + 1]
        arcs.append(first + int(np.flatnonzero(graph.indices[first:last] == head)[0]))
    return np.array(arcs, dtype=np.int64)


def _walk(
    rng: np.random.Generator, graph: CSRGraph, hops: int, *, start_among_hubs: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """A random walk without revisits; returns its stations and the arc index of each hop."""
    indptr, indices = graph.indptr, graph.indices
    if start_among_hubs:
        node = int(rng.choice(np.flatnonzero(np.diff(indptr))))
    else:
        node = int(rng.integers(0, indptr.size - 1))
    stations, arcs, seen = [node], [], {node}
    for _ in range(hops):
        options = [
            arc for arc in range(indptr[node], indptr[node + 1]) if int(indices[arc]) not in seen
        ]
        if not options:
            break
        arc = options[int(rng.integers(0, len(options)))]
        node = int(indices[arc])
        stations.append(node)
        arcs.append(arc)
        seen.add(node)
    return np.array(stations, dtype=np.int64), np.array(arcs, dtype=np.int64)
