"""Answer route queries from the loaded network: stations, network routes, journeys.

Timetable journeys are computed in :mod:`apps.routing.services.journeys`; the answers' shapes
live in :mod:`apps.routing.services.answers`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from apps.routing import metrics
from apps.routing.pathfinding import (
    METHODS,
    NegativeCycleError,
    NoPathError,
    ParameterError,
)
from apps.routing.pathfinding.bundle import RoutingNetwork
from apps.routing.services.answers import (
    RouteAnswer,
    RouteLeg,
    arc_weights,
    co2_estimate,
    node_index,
    stations_by_node,
)
from apps.routing.services.journeys import journey_route, pareto_pair
from apps.routing.services.network import DEFAULT_STATIC_METHOD, load_network
from apps.routing.services.solve import bounded_shortest_path
from apps.trajets.models import Station
from apps.trajets.services import resolve_stations
from obrail.errors import InvalidInput, UnprocessableInput
from obrail.formatting import semicolon_list

logger = logging.getLogger(__name__)

CRITERIA = ("time", "distance", "co2")
# A town's stations searched per side: its busiest (most connected) ones.
MAX_ENDPOINT_STATIONS = 8
PARETO_ENDPOINT_STATIONS = 4


@dataclass(frozen=True)
class Endpoint:
    """Where a route starts or ends: one station, or every station of a town."""

    label: str
    stations: tuple[Station, ...]
    is_place: bool = False


def resolve_station(value: str | int | Station | Endpoint, *, parameter: str) -> Endpoint:
    """Resolve what the user typed into stations, as every list does
    (:func:`apps.trajets.station_search.resolve_stations`): an id, a UIC code, a station name
    or a town (all its stations). UnprocessableInput names the parameter, and lists the candidates
    of an ambiguous name or the nearest names of an unknown one."""
    if isinstance(value, Endpoint):
        return value
    if isinstance(value, Station):
        return Endpoint(value.name, (value,))
    text = str(value).strip()
    if not text:
        raise UnprocessableInput({parameter: [_("Indiquez une gare ou une ville.")]})
    query = resolve_stations(text)
    if query.is_ambiguous:
        names = semicolon_list(target.label for target in query.targets[:6])
        raise UnprocessableInput(
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
                "names": semicolon_list(target.label for target in query.suggestions)
            }
        raise UnprocessableInput({parameter: [message]})
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
    UnprocessableInput
        Bad option (named), station absent from the network, or no route.
    RoutingUnavailable
        No artefact has been built yet.
    """
    if criterion not in CRITERIA:
        raise UnprocessableInput(
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
        raise UnprocessableInput(
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
                journey_route, network, start, end, nodes, depart, method, trains, max_transfers
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
    node_of = node_index(network)
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
            raise UnprocessableInput({parameter: [message % {"name": endpoint.label}]})
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
        raise UnprocessableInput({"to": [_("L'origine et la destination sont la même gare.")]})
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
        raise UnprocessableInput(
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
        result = bounded_shortest_path(
            network, nodes[0], nodes[1], method=method, criterion=criterion
        )
    except NoPathError:
        if graph.indptr[nodes[0] + 1] == graph.indptr[nodes[0]]:
            raise UnprocessableInput(
                {"from": [_("Aucun train ne part de cette gare dans le réseau calculé.")]}
            ) from None
        raise UnprocessableInput(
            {"to": [_("Aucun itinéraire ferroviaire vers cette gare.")]}
        ) from None
    except (ParameterError, NegativeCycleError) as error:
        raise UnprocessableInput({"method": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method=method, query_type="network", seconds=elapsed)
    stations = stations_by_node(network, result.path)
    legs = []
    totals = {"time": 0.0, "distance": 0.0}
    for tail, head in zip(result.path, result.path[1:], strict=False):
        weights = arc_weights(graph, tail, head)
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
    co2 = co2_estimate(legs, origin, destination)
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
        co2_method=co2.method,
        solver_ms=elapsed * 1000.0,
        nodes_scanned=result.counters.nodes_scanned,
        labels_improved=result.counters.labels_improved,
        cost=result.length,
        artifact_version=network.version,
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
            pareto_pair(network, start, end, nodes, depart, until, trains, max_transfers)
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
