"""The shapes of route answers and the helpers that map solver results onto them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from apps.routing.pathfinding.bundle import RoutingNetwork
from apps.routing.pathfinding.geo import great_circle_km
from apps.routing.pathfinding.graph import CSRGraph
from apps.trajets.models import Station, Trajet
from apps.trajets.services import Co2Estimate, estimate_co2

__all__ = [
    "RouteAnswer",
    "RouteLeg",
    "arc_weights",
    "co2_estimate",
    "node_index",
    "station_zone",
    "stations_by_node",
    "trip_distance",
]


@dataclass(frozen=True)
class RouteLeg:
    """One row of the answer: a train ridden (journeys) or a hop between stations (network)."""

    from_station: Station
    to_station: Station
    duration_min: float
    distance_km: float
    departure: dt.datetime | None = None
    arrival: dt.datetime | None = None
    train: str = ""
    operator: str = ""
    is_night: bool = False
    trajet_id: int | None = None


@dataclass(frozen=True)
class RouteAnswer:
    """A route between two stations with its totals, CO2 comparison and solver diagnostics."""

    origin: Station
    destination: Station
    kind: str
    criterion: str
    method: str
    legs: tuple[RouteLeg, ...]
    stations: tuple[Station, ...]
    duration_min: float
    distance_km: float
    co2_rail_kg: float
    co2_flight_kg: float
    flight_distance_km: float
    solver_ms: float
    nodes_scanned: int
    labels_improved: int
    cost: float
    departure: dt.datetime | None = None
    arrival: dt.datetime | None = None
    transfers: int = 0
    uses_night_trains: bool = False
    artifact_version: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


def node_index(network: RoutingNetwork) -> dict[int, int]:
    """Station key -> node index of ``network`` (cached on its graph)."""
    cache = network.graph.cache
    if "node_of" not in cache:
        cache["node_of"] = network.node_of()
    return cache["node_of"]


def station_zone(station: Station) -> dt.tzinfo:
    """The station's time zone (UTC when it names none that exists)."""
    try:
        return zoneinfo.ZoneInfo(station.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def stations_by_node(network: RoutingNetwork, nodes: Sequence[int]) -> dict[int, Station]:
    """Node -> Station, in one query."""
    keys = {int(node): int(network.station_ids[node]) for node in nodes}
    found = Station.objects.in_bulk(list(set(keys.values())))
    return {node: found[key] for node, key in keys.items()}


def arc_weights(graph: CSRGraph, tail: int, head: int) -> dict[str, float]:
    """Every criterion's weight of the arc ``tail -> head``."""
    first, last = int(graph.indptr[tail]), int(graph.indptr[tail + 1])
    arc = first + int(np.flatnonzero(np.asarray(graph.indices[first:last]) == head)[0])
    return {name: float(weight[arc]) for name, weight in graph.weights.items()}


def trip_distance(network: RoutingNetwork, tail: int, head: int, trajet: Trajet) -> float:
    """Distance ridden on ``trajet`` between two of its stops (stop distances, else arcs)."""
    stops = list(
        trajet.stops.order_by("sequence").values_list("station_id", "distance_from_origin_km")
    )
    keys = [station for station, _km in stops]
    start = keys.index(int(network.station_ids[tail]))
    end = start + keys[start:].index(int(network.station_ids[head]))
    if stops[start][1] is not None and stops[end][1] is not None:
        return float(stops[end][1] - stops[start][1])
    node_of = node_index(network)
    total = 0.0
    for (here, _km), (there, _km2) in zip(
        stops[start:end], stops[start + 1 : end + 1], strict=True
    ):
        total += arc_weights(network.graph, node_of[here], node_of[there])["distance"]
    return total


def co2_estimate(legs: Sequence[RouteLeg], origin: Station, destination: Station) -> Co2Estimate:
    """Rail CO2e of the legs and the flight equivalent between the two end stations."""
    crow = 0.0
    if None not in (origin.latitude, origin.longitude, destination.latitude, destination.longitude):
        crow = float(
            great_circle_km(
                origin.latitude, origin.longitude, destination.latitude, destination.longitude
            )
        )
    return estimate_co2(
        legs=[(leg.distance_km, leg.from_station.country) for leg in legs], great_circle_km=crow
    )
