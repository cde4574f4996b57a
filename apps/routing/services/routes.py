"""Answer route queries from the loaded network: stations, network routes, journeys."""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.routing import metrics
from apps.routing.pathfinding import (
    JOURNEY_METHODS,
    METHODS,
    Journey,
    NegativeCycleError,
    NoPathError,
    ParameterError,
    Timetable,
    earliest_arrival,
    pareto_journeys,
    shortest_path,
)
from apps.routing.pathfinding.bundle import RoutingNetwork
from apps.routing.pathfinding.geo import great_circle_km
from apps.routing.services.network import (
    DEFAULT_STATIC_METHOD,
    load_network,
)
from apps.trajets.etl.harmonise.co2 import estimate_co2
from apps.trajets.models import Station, Trajet
from obrail.errors import InvalidInput

logger = logging.getLogger(__name__)

DEFAULT_JOURNEY_METHOD = "blocks"
CRITERIA = ("time", "distance", "co2")


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


def resolve_station(value: str | int, *, parameter: str) -> Station:
    """Find a station by primary key, UIC code or exact name; InvalidInput names the parameter."""
    text = str(value).strip()
    if not text:
        raise InvalidInput({parameter: [_("Indiquez une gare.")]})
    if text.isdigit():
        found = Station.objects.filter(Q(pk=int(text)) | Q(uic_code=text)).order_by("pk").first()
    else:
        matches = list(
            Station.objects.filter(Q(name__iexact=text) | Q(normalised_name=text.lower()))[:6]
        )
        if len(matches) > 1:
            names = ", ".join(f"{s.name} ({s.country}, n° {s.pk})" for s in matches[:5])
            raise InvalidInput(
                {parameter: [_("Plusieurs gares portent ce nom : %(names)s.") % {"names": names}]}
            )
        found = matches[0] if matches else None
    if found is None:
        raise InvalidInput({parameter: [_("Gare inconnue : « %(value)s ».") % {"value": text}]})
    return found


def find_route(
    *,
    origin: Station,
    destination: Station,
    criterion: str = "time",
    method: str | None = None,
    depart: dt.datetime | None = None,
    trains: str = "all",
    max_transfers: int | None = None,
) -> RouteAnswer:
    """Answer a route query from the loaded artefact.

    Without ``depart``: shortest path on the network for ``criterion`` (any static method).
    With ``depart`` (an aware datetime): earliest-arrival journey on that day's timetable,
    optimising time (``criterion`` must be ``time``), with the ``trains`` filter and
    ``max_transfers``.

    Raises
    ------
    InvalidInput
        Bad option (named), station absent from the network, or no route.
    RoutingUnavailable
        No artefact has been built yet.
    """
    if criterion not in CRITERIA:
        raise InvalidInput(
            {"criterion": [_("Critère inconnu : « %(value)s ».") % {"value": criterion}]}
        )
    network = load_network()
    node_of = _node_index(network)
    nodes = []
    for parameter, station in (("from", origin), ("to", destination)):
        if station.pk not in node_of:
            raise InvalidInput(
                {parameter: [_("Cette gare n'est pas encore dans le réseau calculé.")]}
            )
        nodes.append(node_of[station.pk])
    if depart is None:
        return _network_route(network, origin, destination, nodes, criterion, method)
    if criterion != "time":
        raise InvalidInput(
            {
                "criterion": [
                    _(
                        "Avec une heure de départ, l'itinéraire minimise la durée "
                        "(critère « time »)."
                    )
                ]
            }
        )
    return _journey_route(
        network, origin, destination, nodes, depart, method, trains, max_transfers
    )


def _node_index(network: RoutingNetwork) -> dict[int, int]:
    cache = network.graph.cache
    if "node_of" not in cache:
        cache["node_of"] = network.node_of()
    return cache["node_of"]


def _network_route(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    nodes: list[int],
    criterion: str,
    method: str | None,
) -> RouteAnswer:
    method = method or DEFAULT_STATIC_METHOD
    if method not in METHODS:
        raise InvalidInput(
            {
                "method": [
                    _("Méthode inconnue : « %(value)s ». Choix : %(choices)s.")
                    % {"value": method, "choices": ", ".join(METHODS)}
                ]
            }
        )
    graph = network.graph
    started = time.perf_counter()
    try:
        result = shortest_path(graph, nodes[0], nodes[1], method=method, criterion=criterion)
    except NoPathError:
        raise InvalidInput({"to": [_("Aucun itinéraire ferroviaire vers cette gare.")]}) from None
    except (ParameterError, NegativeCycleError) as error:
        raise InvalidInput({"method": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method=method, query_type="network", seconds=elapsed)
    stations = _stations_by_node(network, result.path)
    legs = []
    totals = {"time": 0.0, "distance": 0.0}
    for tail, head in zip(result.path, result.path[1:], strict=False):
        weights = _arc_weights(graph, tail, head)
        totals["time"] += weights["time"]
        totals["distance"] += weights["distance"]
        legs.append(
            RouteLeg(
                from_station=stations[tail],
                to_station=stations[head],
                duration_min=weights["time"],
                distance_km=weights["distance"],
            )
        )
    co2 = _co2(legs, origin, destination)
    return RouteAnswer(
        origin=origin,
        destination=destination,
        kind="network",
        criterion=criterion,
        method=method,
        legs=tuple(legs),
        stations=tuple(stations[node] for node in result.path),
        duration_min=totals["time"],
        distance_km=totals["distance"],
        co2_rail_kg=co2.rail_kg,
        co2_flight_kg=co2.flight_kg,
        flight_distance_km=co2.flight_distance_km,
        solver_ms=elapsed * 1000.0,
        nodes_scanned=result.counters.nodes_scanned,
        labels_improved=result.counters.labels_improved,
        cost=result.length,
        artifact_version=network.version,
    )


def _journey_route(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    nodes: list[int],
    depart: dt.datetime,
    method: str | None,
    trains: str,
    max_transfers: int | None,
) -> RouteAnswer:
    method = method or DEFAULT_JOURNEY_METHOD
    if method not in JOURNEY_METHODS:
        raise InvalidInput(
            {
                "method": [
                    _("Méthode inconnue pour un horaire : « %(value)s ». Choix : %(choices)s.")
                    % {"value": method, "choices": ", ".join(JOURNEY_METHODS)}
                ]
            }
        )
    timetable, epoch, depart_s = _service_day(network, origin, depart)
    started = time.perf_counter()
    try:
        journey = earliest_arrival(
            timetable,
            nodes[0],
            nodes[1],
            depart_s,
            method=method,
            trains=trains,
            max_transfers=max_transfers,
        )
    except NoPathError:
        raise InvalidInput(
            {"to": [_("Aucun train n'atteint cette gare ce jour-là avec ces options.")]}
        ) from None
    except ParameterError as error:
        raise InvalidInput({"method": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method=method, query_type="journey", seconds=elapsed)
    return _journey_answer(
        network, origin, destination, journey, epoch, method=method, solver_s=elapsed
    )


def pareto_routes(
    *,
    origin: Station,
    destination: Station,
    depart: dt.datetime,
    until: dt.datetime,
    trains: str = "all",
    max_transfers: int = 3,
) -> list[RouteAnswer]:
    """Journeys leaving between ``depart`` and ``until`` that no other journey beats on
    departure (later), arrival (earlier) and transfers (fewer) at once."""
    network = load_network()
    node_of = _node_index(network)
    for parameter, station in (("from", origin), ("to", destination)):
        if station.pk not in node_of:
            raise InvalidInput(
                {parameter: [_("Cette gare n'est pas encore dans le réseau calculé.")]}
            )
    timetable, epoch, depart_s = _service_day(network, origin, depart)
    if until.tzinfo is None:
        until = until.replace(tzinfo=_zone(origin))
    until_s = int((until - epoch).total_seconds())
    started = time.perf_counter()
    try:
        journeys = pareto_journeys(
            timetable,
            node_of[origin.pk],
            node_of[destination.pk],
            depart_s,
            until_s,
            trains=trains,
            max_transfers=max_transfers,
        )
    except ParameterError as error:
        raise InvalidInput({"until": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method="pareto", query_type="journey", seconds=elapsed)
    return [
        _journey_answer(
            network, origin, destination, journey, epoch, method="pareto", solver_s=elapsed
        )
        for journey in journeys
    ]


def _service_day(
    network: RoutingNetwork, origin: Station, depart: dt.datetime
) -> tuple[Timetable, dt.datetime, int]:
    """The timetable of the origin's local service day, its epoch and ``depart`` in seconds."""
    if depart.tzinfo is None:
        depart = depart.replace(tzinfo=_zone(origin))
    service_day = depart.astimezone(_zone(origin)).date()
    timetable = network.timetables.get(service_day.strftime("%Y%m%d"))
    if timetable is None:
        available = sorted(network.timetables)
        span = f"{available[0]}–{available[-1]}" if available else "—"
        raise InvalidInput(
            {
                "depart": [
                    _("Pas d'horaires calculés pour le %(day)s (disponibles : %(span)s).")
                    % {"day": service_day.isoformat(), "span": span}
                ]
            }
        )
    epoch = dt.datetime.combine(service_day - dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    return timetable, epoch, max(int((depart - epoch).total_seconds()), 0)


def _journey_answer(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    journey: Journey,
    epoch: dt.datetime,
    *,
    method: str,
    solver_s: float,
) -> RouteAnswer:
    """Map a solver journey to stations, trajets and local times."""
    nodes_used = [journey.source, *(int(leg.arrival_station) for leg in journey.legs)]
    stations = _stations_by_node(
        network, [*nodes_used, *(leg.departure_station for leg in journey.legs)]
    )
    trajets = Trajet.objects.select_related("operator").in_bulk(
        [int(network.trip_ids[leg.trip]) for leg in journey.legs]
    )
    legs = []
    for leg in journey.legs:
        trajet = trajets[int(network.trip_ids[leg.trip])]
        from_station = stations[leg.departure_station]
        to_station = stations[leg.arrival_station]
        legs.append(
            RouteLeg(
                from_station=from_station,
                to_station=to_station,
                duration_min=(leg.arrival_s - leg.departure_s) / 60.0,
                distance_km=_trip_distance(
                    network, leg.departure_station, leg.arrival_station, trajet
                ),
                departure=(epoch + dt.timedelta(seconds=leg.departure_s)).astimezone(
                    _zone(from_station)
                ),
                arrival=(epoch + dt.timedelta(seconds=leg.arrival_s)).astimezone(_zone(to_station)),
                train=f"{trajet.category} {trajet.train_number}".strip(),
                operator=trajet.operator.name,
                is_night=leg.is_night,
                trajet_id=trajet.pk,
            )
        )
    co2 = _co2(legs, origin, destination)
    requested = epoch + dt.timedelta(seconds=journey.depart_after_s)
    return RouteAnswer(
        origin=origin,
        destination=destination,
        kind="journey",
        criterion="time",
        method=method,
        legs=tuple(legs),
        stations=tuple(stations[node] for node in nodes_used),
        duration_min=(journey.arrival_s - journey.departure_s) / 60.0,
        distance_km=sum(leg.distance_km for leg in legs),
        co2_rail_kg=co2.rail_kg,
        co2_flight_kg=co2.flight_kg,
        flight_distance_km=co2.flight_distance_km,
        solver_ms=solver_s * 1000.0,
        nodes_scanned=journey.connections_scanned,
        labels_improved=journey.labels_improved,
        cost=(journey.arrival_s - journey.departure_s) / 60.0,
        departure=legs[0].departure if legs else requested,
        arrival=legs[-1].arrival if legs else requested,
        transfers=journey.transfers,
        uses_night_trains=journey.uses_night_trains,
        artifact_version=network.version,
    )


def _zone(station: Station) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(station.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _stations_by_node(network: RoutingNetwork, nodes: Sequence[int]) -> dict[int, Station]:
    keys = {int(node): int(network.station_ids[node]) for node in nodes}
    found = Station.objects.in_bulk(list(set(keys.values())))
    return {node: found[key] for node, key in keys.items()}


def _arc_weights(graph, tail: int, head: int) -> dict[str, float]:
    first, last = int(graph.indptr[tail]), int(graph.indptr[tail + 1])
    arc = first + int(np.flatnonzero(np.asarray(graph.indices[first:last]) == head)[0])
    return {name: float(weight[arc]) for name, weight in graph.weights.items()}


def _trip_distance(network: RoutingNetwork, tail: int, head: int, trajet: Trajet) -> float:
    """Distance ridden on ``trajet`` between two of its stops (stop distances, else arcs)."""
    stops = list(
        trajet.stops.order_by("sequence").values_list("station_id", "distance_from_origin_km")
    )
    keys = [station for station, _km in stops]
    start = keys.index(int(network.station_ids[tail]))
    end = start + keys[start:].index(int(network.station_ids[head]))
    if stops[start][1] is not None and stops[end][1] is not None:
        return float(stops[end][1] - stops[start][1])
    node_of = _node_index(network)
    total = 0.0
    for (here, _km), (there, _km2) in zip(
        stops[start:end], stops[start + 1 : end + 1], strict=True
    ):
        total += _arc_weights(network.graph, node_of[here], node_of[there])["distance"]
    return total


def _co2(legs: Sequence[RouteLeg], origin: Station, destination: Station):
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
