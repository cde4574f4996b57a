"""Answer route queries from the loaded network: stations, network routes, journeys."""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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
from apps.trajets.station_search import resolve_stations
from obrail.errors import InvalidInput

logger = logging.getLogger(__name__)

DEFAULT_JOURNEY_METHOD = "blocks"
CRITERIA = ("time", "distance", "co2")
# A town's stations searched per side: its busiest (most connected) ones.
MAX_ENDPOINT_STATIONS = 8
PARETO_ENDPOINT_STATIONS = 4


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


@dataclass(frozen=True)
class Endpoint:
    """Where a route starts or ends: one station, or every station of a town."""

    label: str
    stations: tuple[Station, ...]
    is_place: bool = False


def resolve_station(value: str | int | Station | Endpoint, *, parameter: str) -> Endpoint:
    """Resolve what the user typed into stations, as every list does
    (:func:`apps.trajets.station_search.resolve_stations`): an id, a UIC code, a station name
    or a town (all its stations). InvalidInput names the parameter, and lists the candidates
    of an ambiguous name or the nearest names of an unknown one."""
    if isinstance(value, Endpoint):
        return value
    if isinstance(value, Station):
        return Endpoint(value.name, (value,))
    text = str(value).strip()
    if not text:
        raise InvalidInput({parameter: [_("Indiquez une gare ou une ville.")]})
    query = resolve_stations(text)
    if query.is_ambiguous:
        names = " ; ".join(target.label for target in query.targets[:6])
        raise InvalidInput(
            {
                parameter: [
                    _("« %(value)s » désigne plusieurs lieux : %(names)s. Précisez.")
                    % {"value": text, "names": names}
                ]
            }
        )
    if not query.targets:
        message = _("Gare ou ville inconnue : « %(value)s ».") % {"value": text}
        if query.suggestions:
            message += " " + _("Vouliez-vous dire : %(names)s ?") % {
                "names": " ; ".join(target.label for target in query.suggestions)
            }
        raise InvalidInput({parameter: [message]})
    target = query.targets[0]
    stations = tuple(Station.objects.filter(pk__in=target.station_ids).order_by("name", "pk"))
    return Endpoint(target.name, stations, is_place=target.kind == "place")


def find_route(
    *,
    origin: Station | Endpoint,
    destination: Station | Endpoint,
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
    ``max_transfers``. A town stands for its stations: each pair of an origin and a
    destination station in the network is searched (the ``MAX_ENDPOINT_STATIONS`` busiest of
    each side) and the best route is kept (lowest cost; for a journey, earliest arrival, then
    latest departure and fewest changes).

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
    pairs = _station_pairs(network, origin, destination)
    if depart is None:
        return _best(
            [
                _attempt(_network_route, network, start, end, nodes, criterion, method)
                for start, end, nodes in pairs
            ],
            key=lambda answer: answer.cost,
            parameter="to",
        )
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
    return _best(
        [
            _attempt(
                _journey_route, network, start, end, nodes, depart, method, trains, max_transfers
            )
            for start, end, nodes in pairs
        ],
        key=lambda answer: (answer.arrival, -answer.departure.timestamp(), answer.transfers),
        parameter="to",
    )


def _station_pairs(
    network: RoutingNetwork,
    origin: Station | Endpoint,
    destination: Station | Endpoint,
    *,
    limit: int = MAX_ENDPOINT_STATIONS,
) -> list[tuple[Station, Station, list[int]]]:
    """Every (origin station, destination station, their nodes) to search: the ``limit``
    stations of each side with the most connections in the network."""
    node_of = _node_index(network)
    sides = []
    for parameter, endpoint in (("from", origin), ("to", destination)):
        endpoint = resolve_station(endpoint, parameter=parameter)
        present = [station for station in endpoint.stations if station.pk in node_of]
        if not present:
            message = (
                _("Aucune gare de %(name)s n'est encore dans le réseau calculé.")
                if endpoint.is_place
                else _("Cette gare n'est pas encore dans le réseau calculé.")
            )
            raise InvalidInput({parameter: [message % {"name": endpoint.label}]})
        degree = np.diff(network.graph.indptr)
        present.sort(key=lambda s: (-int(degree[node_of[s.pk]]), s.pk))
        sides.append(present[:limit])
    pairs = [
        (start, end, [node_of[start.pk], node_of[end.pk]])
        for start in sides[0]
        for end in sides[1]
        if start.pk != end.pk
    ]
    if not pairs:
        raise InvalidInput({"to": [_("L'origine et la destination sont la même gare.")]})
    return pairs


def _attempt(search: Callable[..., RouteAnswer], *args: object) -> RouteAnswer | InvalidInput:
    try:
        return search(*args)
    except InvalidInput as error:
        return error


def _best(answers: list, *, key: Callable[[RouteAnswer], Any], parameter: str) -> RouteAnswer:
    """The best of the answers found; InvalidInput when every pair failed (the first
    failure's message: the same for every pair of one query)."""
    found = [answer for answer in answers if not isinstance(answer, InvalidInput)]
    if found:
        return min(found, key=key)
    raise answers[0]


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
        if graph.indptr[nodes[0] + 1] == graph.indptr[nodes[0]]:
            raise InvalidInput(
                {"from": [_("Aucun train ne part de cette gare dans le réseau calculé.")]}
            ) from None
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
    origin: Station | Endpoint,
    destination: Station | Endpoint,
    depart: dt.datetime,
    until: dt.datetime,
    trains: str = "all",
    max_transfers: int = 3,
) -> list[RouteAnswer]:
    """Journeys leaving between ``depart`` and ``until`` that no other journey beats on
    departure (later), arrival (earlier) and transfers (fewer) at once (between any of the
    ``PARETO_ENDPOINT_STATIONS`` busiest stations of each side when a side is a town)."""
    network = load_network()
    answers: list[RouteAnswer] = []
    for start, end, nodes in _station_pairs(
        network, origin, destination, limit=PARETO_ENDPOINT_STATIONS
    ):
        answers.extend(
            _pareto_pair(network, start, end, nodes, depart, until, trains, max_transfers)
        )
    kept = [
        answer
        for answer in answers
        if not any(_dominates(other, answer) for other in answers if other is not answer)
    ]
    unique = {(a.departure, a.arrival, a.transfers, a.origin.pk, a.destination.pk): a for a in kept}
    return sorted(unique.values(), key=lambda a: (a.departure, a.arrival, a.transfers))


def _dominates(first: RouteAnswer, second: RouteAnswer) -> bool:
    at_least = (
        first.departure >= second.departure
        and first.arrival <= second.arrival
        and first.transfers <= second.transfers
    )
    strictly = (
        first.departure > second.departure
        or first.arrival < second.arrival
        or first.transfers < second.transfers
    )
    return at_least and strictly


def _pareto_pair(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    nodes: list[int],
    depart: dt.datetime,
    until: dt.datetime,
    trains: str,
    max_transfers: int,
) -> list[RouteAnswer]:
    timetable, epoch, depart_s = _service_day(network, origin, depart)
    if until.tzinfo is None:
        until = until.replace(tzinfo=_zone(origin))
    until_s = int((until - epoch).total_seconds())
    started = time.perf_counter()
    try:
        journeys = pareto_journeys(
            timetable,
            nodes[0],
            nodes[1],
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
