"""Timetable journeys: the timetable of the requested date, earliest arrival, Pareto sets."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.routing import metrics
from apps.routing.pathfinding import (
    JOURNEY_METHODS,
    Journey,
    NoPathError,
    ParameterError,
)
from apps.routing.pathfinding.bundle import RoutingNetwork
from apps.routing.pathfinding.schedule import Coverage, ServiceDay
from apps.routing.services.answers import (
    RouteAnswer,
    RouteLeg,
    co2_estimate,
    station_zone,
    stations_by_node,
    trip_distance,
)
from apps.routing.services.solve import bounded_earliest_arrival, bounded_pareto
from apps.trajets.models import Station, Trajet
from obrail.errors import UnprocessableInput
from obrail.formatting import semicolon_list

__all__ = [
    "DEFAULT_JOURNEY_METHOD",
    "journey_route",
    "pareto_pair",
    "service_day",
    "uncovered_date_message",
]

DEFAULT_JOURNEY_METHOD = "blocks"

logger = logging.getLogger(__name__)


def journey_route(
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
        raise UnprocessableInput(
            {
                "method": [
                    _("Méthode inconnue pour un horaire : « %(value)s ». Choix : %(choices)s.")
                    % {"value": method, "choices": ", ".join(JOURNEY_METHODS)}
                ]
            }
        )
    service, depart_s = service_day(network, origin, depart)
    started = time.perf_counter()
    try:
        journey = bounded_earliest_arrival(
            network,
            service.day,
            nodes[0],
            nodes[1],
            depart_s,
            method=method,
            trains=trains,
            max_transfers=max_transfers,
        )
    except NoPathError:
        raise UnprocessableInput(
            {
                "to": [
                    _(
                        "Aucun train n'atteint cette gare ce jour-là ni le lendemain avec ces "
                        "options."
                    )
                ]
            }
        ) from None
    except ParameterError as error:
        raise UnprocessableInput({"method": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method=method, query_type="journey", seconds=elapsed)
    return journey_answer(
        network, origin, destination, journey, service, method=method, solver_s=elapsed
    )


def pareto_pair(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    nodes: list[int],
    depart: dt.datetime,
    until: dt.datetime,
    trains: str,
    max_transfers: int,
) -> list[RouteAnswer]:
    service, depart_s = service_day(network, origin, depart)
    if until.tzinfo is None:
        until = until.replace(tzinfo=station_zone(origin))
    until_s = int((until - service.epoch).total_seconds())
    started = time.perf_counter()
    try:
        journeys = bounded_pareto(
            network,
            service.day,
            nodes[0],
            nodes[1],
            depart_s,
            until_s,
            trains=trains,
            max_transfers=max_transfers,
        )
    except ParameterError as error:
        raise UnprocessableInput({"until": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method="pareto", query_type="journey", seconds=elapsed)
    return [
        journey_answer(
            network, origin, destination, journey, service, method="pareto", solver_s=elapsed
        )
        for journey in journeys
    ]


def service_day(
    network: RoutingNetwork, origin: Station, depart: dt.datetime
) -> tuple[ServiceDay, int]:
    """The timetable of the origin's local date (built on first use) and ``depart`` in its
    seconds; UnprocessableInput naming ``depart`` when no source covers that date."""
    if depart.tzinfo is None:
        depart = depart.replace(tzinfo=station_zone(origin))
    day = depart.astimezone(station_zone(origin)).date()
    schedule = network.schedule
    if not schedule.covers(day):
        raise UnprocessableInput({"depart": [uncovered_date_message(day, schedule.coverage)]})
    if day in schedule.cached_days:
        service = schedule.service_day(day)
    else:
        started = time.perf_counter()
        service = schedule.service_day(day)
        elapsed = time.perf_counter() - started
        metrics.observe_day_build(seconds=elapsed)
        logger.info(
            "timetable built for a date",
            extra={
                "day": day.isoformat(),
                "connections": service.timetable.connection_count,
                "duration_s": round(elapsed, 3),
            },
        )
    return service, service.seconds(depart)


def uncovered_date_message(day: dt.date, coverage: Sequence[Coverage]) -> str:
    """The French answer for a date no source covers: which periods are covered, by which
    source."""
    if not coverage:
        return _("Aucun horaire n'est chargé : aucune date ne peut être calculée.")
    periods = semicolon_list(
        _("%(source)s du %(first)s au %(last)s")
        % {
            "source": period.source,
            "first": date_format(period.first_day, "j F Y"),
            "last": date_format(period.last_day, "j F Y"),
        }
        for period in sorted(coverage, key=lambda period: (period.first_day, period.source))
    )
    return _("Aucune source ne couvre le %(day)s. Horaires disponibles : %(periods)s.") % {
        "day": date_format(day, "j F Y"),
        "periods": periods,
    }


def journey_answer(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    journey: Journey,
    service: ServiceDay,
    *,
    method: str,
    solver_s: float,
) -> RouteAnswer:
    """Map a solver journey to stations, trajets and local times."""
    trajet_keys = [int(network.trip_ids[service.trip_of[leg.trip]]) for leg in journey.legs]
    nodes_used = [journey.source, *(int(leg.arrival_station) for leg in journey.legs)]
    stations = stations_by_node(
        network, [*nodes_used, *(leg.departure_station for leg in journey.legs)]
    )
    trajets = Trajet.objects.select_related("operator").in_bulk(trajet_keys)
    legs = []
    for leg, key in zip(journey.legs, trajet_keys, strict=True):
        trajet = trajets[key]
        from_station = stations[leg.departure_station]
        to_station = stations[leg.arrival_station]
        legs.append(
            RouteLeg(
                from_station=from_station,
                to_station=to_station,
                duration_min=(leg.arrival_s - leg.departure_s) / 60.0,
                distance_km=trip_distance(
                    network, leg.departure_station, leg.arrival_station, trajet
                ),
                departure=service.moment(leg.departure_s).astimezone(station_zone(from_station)),
                arrival=service.moment(leg.arrival_s).astimezone(station_zone(to_station)),
                train=f"{trajet.category} {trajet.train_number}".strip(),
                operator=trajet.operator.name,
                is_night=leg.is_night,
                trajet_id=trajet.pk,
            )
        )
    co2 = co2_estimate(legs, origin, destination)
    requested = service.moment(journey.depart_after_s)
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
        co2_method=co2.method,
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
