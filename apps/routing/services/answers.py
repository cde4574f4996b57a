"""The shapes of route answers and the helpers that map solver results onto them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from apps.routing.pathfinding.bundle import RoutingNetwork
from apps.routing.pathfinding.graph import CSRGraph
from apps.routing.services.network import RoutingUnavailable
from apps.trajets.models import FlightEquivalent, Station, Trajet
from apps.trajets.services import DEFAULT_METHOD, estimate_rail_co2, method_label

__all__ = [
    "RouteAnswer",
    "RouteCo2",
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
    #: The flight between the end stations' towns under the atlas's rule, None when it gives
    #: none (a town without an airport, the same town, no air data loaded).
    co2_flight_kg: float | None
    flight_distance_km: float | None
    #: The CO2 method of both figures (``apps.trajets.emission_factors.METHODS``).
    co2_method: str
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

    @property
    def co2_method_label(self) -> str:
        """The name of the CO2 method of the answer's figures."""
        return method_label(self.co2_method)


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
    """Node -> Station, in one query.

    Raises ``RoutingUnavailable`` when the artefact names a station the database no longer
    holds (an artefact older than an identity repair, or built from another database): the
    search is then unavailable until ``rebuild_derived`` builds it again, never a 500.
    """
    keys = {int(node): int(network.station_ids[node]) for node in nodes}
    found = Station.objects.in_bulk(list(set(keys.values())))
    missing = sorted(set(keys.values()) - set(found))
    if missing:
        raise RoutingUnavailable(
            f"routing artefact {network.version} names stations absent from the database "
            f"({', '.join(map(str, missing[:5]))}): rebuild it (manage.py rebuild_derived)"
        )
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


@dataclass(frozen=True, slots=True)
class RouteCo2:
    """CO2 per passenger of a route and of its flight equivalent, under one method."""

    rail_kg: float
    flight_kg: float | None
    flight_distance_km: float | None
    method: str


def co2_estimate(legs: Sequence[RouteLeg], origin: Station, destination: Station) -> RouteCo2:
    """Rail CO2 of the legs and the flight equivalent between the end stations' towns, as the
    atlas's rule gives it (``FlightEquivalent``; none when it gives none), both under the
    default method."""
    rail = estimate_rail_co2(legs=[(leg.distance_km, leg.from_station.country) for leg in legs])
    flight = None
    if origin.place_id is not None and destination.place_id is not None:
        flight = FlightEquivalent.objects.filter(
            origin_place_id=origin.place_id, destination_place_id=destination.place_id
        ).first()
    return RouteCo2(
        rail_kg=rail.rail_kg,
        flight_kg=None if flight is None else flight.co2_kg,
        flight_distance_km=None if flight is None else flight.flown_km,
        method=DEFAULT_METHOD,
    )
