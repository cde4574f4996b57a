"""Route answers in words: hours and minutes, the changes and where they are."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from apps.routing.services import RouteAnswer, RouteLeg
from apps.routing.services.sentences import answer_sentence, next_departures_sentence
from apps.trajets.models import Station


def _answer(kind: str, *names: str, minutes: float = 249.0) -> RouteAnswer:
    stations = tuple(Station(name=name) for name in names)
    legs = tuple(
        RouteLeg(from_station=a, to_station=b, duration_min=1.0, distance_km=1.0)
        for a, b in itertools.pairwise(stations)
    )
    return RouteAnswer(
        origin=stations[0], destination=stations[-1], kind=kind, criterion="time",
        method="csa", legs=legs, stations=stations, duration_min=minutes, distance_km=1234.4,
        co2_rail_kg=1.0, co2_flight_kg=2.0, flight_distance_km=3.0, co2_method="ademe",
        solver_ms=1.0, nodes_scanned=1, labels_improved=1, cost=1.0,
    )  # fmt: skip


def test_a_journey_names_its_change():
    answer = _answer("journey", "Berlin Hbf", "Nürnberg Hbf", "München Hbf")
    assert answer_sentence(answer) == "4 h 09, 1 correspondance à Nürnberg Hbf"


def test_a_journey_with_several_changes_lists_them_in_order():
    answer = _answer("journey", "Paris Est", "Strasbourg", "Stuttgart Hbf", "München Hbf")
    assert answer_sentence(answer) == "4 h 09, 2 correspondances : Strasbourg et Stuttgart Hbf"


def test_a_direct_train_says_so():
    assert answer_sentence(_answer("journey", "Paris Est", "Wien Hbf", minutes=862)) == (
        "14 h 22, direct"
    )


def test_a_network_path_gives_its_duration_and_distance():
    answer = _answer("network", "Berlin Hbf", "Halle", "München Hbf")
    assert answer_sentence(answer) == "4 h 09 de trajet sur le réseau, 1\u00a0234 km"


def test_a_short_journey_reads_in_minutes_and_names_stations_as_every_page_does():
    answer = _answer("journey", "Barcelona-Sants", "CERBERE", "gare de Perpignan", minutes=57.0)
    assert answer_sentence(answer) == "57 min, 1 correspondance à Cerbere"


def test_the_later_departures_are_named_once_each_in_order():
    answer = _answer("journey", "Berlin Hbf", "München Hbf")

    def at(hour: int, minute: int) -> RouteAnswer:
        return dataclasses.replace(answer, departure=dt.datetime(2025, 11, 17, hour, minute))

    chosen = at(13, 12)
    day = [chosen, at(15, 42), at(20, 49), at(19, 11), at(20, 49), at(12, 0)]
    assert next_departures_sentence(chosen, day) == (
        "Trains suivants dans la journée : 15:42, 19:11, 20:49."
    )
    assert next_departures_sentence(chosen, [at(12, 0), chosen]) == (
        "Aucun autre train plus tard dans la journée."
    )
