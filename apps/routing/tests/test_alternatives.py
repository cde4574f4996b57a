"""The day's journeys after a route answer, and the best of them for each criterion."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from apps.routing.services import resolve_station
from apps.routing.services.alternatives import (
    Choice,
    day_alternatives,
    end_of_day,
    mark_choices,
)


def _journey(departure: str, duration_min: float, transfers: int, co2: float) -> SimpleNamespace:
    return SimpleNamespace(
        departure=dt.datetime.fromisoformat(f"2025-06-11T{departure}"),
        duration_min=duration_min,
        transfers=transfers,
        co2_rail_kg=co2,
    )


def test_each_choice_goes_to_one_journey_and_ties_go_to_the_shorter_then_earlier_ride():
    journeys = [
        _journey("07:00", 300, 2, 5.0),
        _journey("08:00", 250, 1, 4.0),
        _journey("09:00", 250, 0, 4.0),
        _journey("21:00", 600, 0, 3.0),
    ]
    marked = mark_choices(journeys)
    assert [item.answer for item in marked] == journeys  # order kept
    assert [item.choices for item in marked] == [
        (),
        (Choice.FASTEST,),  # 250 min twice: the earlier departure
        (Choice.FEWEST_CHANGES,),  # direct twice: the shorter ride
        (Choice.LOWEST_CO2,),
    ]
    assert marked[2].choice_labels == ["le moins de correspondances"]
    assert mark_choices([]) == []


def test_a_single_journey_is_the_best_on_every_criterion():
    (only,) = mark_choices([_journey("08:00", 250, 1, 4.0)])
    assert only.choices == (Choice.FASTEST, Choice.FEWEST_CHANGES, Choice.LOWEST_CO2)


def test_the_day_ends_at_midnight_local_time():
    assert end_of_day(dt.datetime(2025, 6, 11, 7, 0)) == dt.datetime(2025, 6, 11, 23, 59, 59)
    zone = dt.timezone(dt.timedelta(hours=2))
    assert end_of_day(dt.datetime(2025, 6, 11, 7, 0, tzinfo=zone)).tzinfo is zone


def test_the_days_journeys_are_the_pareto_set_from_the_departure_time(line_network):
    found = day_alternatives(
        origin=resolve_station("Paris Gare de Lyon", parameter="from"),
        destination=resolve_station("Marseille Saint-Charles", parameter="to"),
        depart=dt.datetime(2025, 6, 11, 7, 0),
    )
    summary = [
        (item.answer.departure.strftime("%H:%M"), item.answer.transfers, item.answer.duration_min)
        for item in found
    ]
    assert summary == [("08:00", 1, 250.0), ("21:00", 0, 600.0)]
    greener = min(found, key=lambda item: item.answer.co2_rail_kg)
    assert [item for item in found if Choice.LOWEST_CO2 in item.choices] == [greener]
    assert Choice.FASTEST in found[0].choices
    assert Choice.FEWEST_CHANGES in found[1].choices
    later = day_alternatives(
        origin=resolve_station("Paris Gare de Lyon", parameter="from"),
        destination=resolve_station("Marseille Saint-Charles", parameter="to"),
        depart=dt.datetime(2025, 6, 11, 9, 0),
    )
    assert [item.answer.departure.strftime("%H:%M") for item in later] == ["21:00"]
