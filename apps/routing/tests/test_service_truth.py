"""Journeys honour the published service: running dates, boarding rules, one train once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from apps.routing.services import build_routing_artifact, find_route, load_network
from apps.routing.tests.factories import SERVICE_DAY, make_line_network
from apps.trajets.models import BoardingRule, CalendarException, DataSource, Stop
from apps.trajets.tests.factories import make_trajet
from obrail.errors import InvalidInput

PARIS_TZ = zoneinfo.ZoneInfo("Europe/Paris")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS_TZ)


def _legs(answer) -> list[tuple[str, str, str]]:
    return [
        (leg.train, f"{leg.departure:%Y-%m-%d %H:%M}", f"{leg.arrival:%Y-%m-%d %H:%M}")
        for leg in answer.legs
    ]


def _forbid(trajet, sequence: int, **rules: int) -> None:
    Stop.objects.filter(trajet=trajet, sequence=sequence).update(**rules)


@pytest.fixture
def direct_line(db, artifact_dir):
    """The line network plus a TGV Paris 07:00 -> Lyon 09:00/09:05 -> Marseille 10:40."""
    line = make_line_network()
    direct = make_trajet(
        [line.paris, line.lyon, line.marseille],
        times=[(None, "07:00"), ("09:00", "09:05"), ("10:40", None)],
        category="TGV",
    )
    return line, direct


def test_a_train_that_sets_down_nobody_at_a_stop_is_not_left_there(direct_line):
    line, direct = direct_line
    _forbid(direct, 1, drop_off_type=BoardingRule.NONE)
    build_routing_artifact(run_id="rules")
    answer = find_route(origin=line.paris, destination=line.lyon, depart=_at(SERVICE_DAY, 6, 30))
    # Not the direct TGV at 09:00: nobody alights at Lyon; the 08:00 arrives at 10:00.
    assert _legs(answer) == [
        (f"TGV {line.day_first.train_number}", "2025-06-11 08:00", "2025-06-11 10:00")
    ]
    # Riding through Lyon to Marseille is untouched.
    answer = find_route(
        origin=line.paris, destination=line.marseille, depart=_at(SERVICE_DAY, 6, 30)
    )
    assert _legs(answer) == [(f"TGV {direct.train_number}", "2025-06-11 07:00", "2025-06-11 10:40")]


def test_a_train_that_takes_up_nobody_at_a_stop_is_not_boarded_there(direct_line):
    line, direct = direct_line
    _forbid(direct, 1, pickup_type=BoardingRule.NONE)
    build_routing_artifact(run_id="rules")
    answer = find_route(
        origin=line.lyon, destination=line.marseille, depart=_at(SERVICE_DAY, 8, 30)
    )
    assert _legs(answer) == [
        (f"TER {line.day_second.train_number}", "2025-06-11 10:30", "2025-06-11 12:10")
    ]
    # A stop where the crew must be told (code 3) still takes travellers up.
    _forbid(direct, 1, pickup_type=BoardingRule.DRIVER)
    build_routing_artifact(run_id="driver")
    answer = find_route(
        origin=line.lyon, destination=line.marseille, depart=_at(SERVICE_DAY, 8, 30)
    )
    assert answer.legs[0].train == f"TGV {direct.train_number}"


def test_a_train_removed_on_a_date_is_not_used_that_date_only(direct_line):
    line, direct = direct_line
    CalendarException.objects.create(trajet=direct, date=SERVICE_DAY, is_added=False)
    build_routing_artifact(run_id="calendar")
    today = find_route(
        origin=line.paris, destination=line.marseille, depart=_at(SERVICE_DAY, 6, 30)
    )
    assert today.arrival == _at(SERVICE_DAY, 12, 10)
    tomorrow = SERVICE_DAY + dt.timedelta(days=1)
    answer = find_route(origin=line.paris, destination=line.marseille, depart=_at(tomorrow, 6, 30))
    assert answer.arrival == _at(tomorrow, 10, 40)


def test_a_train_added_on_a_date_runs_that_date(direct_line):
    line, _direct = direct_line
    sunday_only = make_trajet(
        [line.paris, line.marseille],
        times=[(None, "06:00"), ("09:15", None)],
        category="TGV",
        weekdays="0000000",
    )
    CalendarException.objects.create(trajet=sunday_only, date=SERVICE_DAY, is_added=True)
    build_routing_artifact(run_id="added")
    answer = find_route(
        origin=line.paris, destination=line.marseille, depart=_at(SERVICE_DAY, 5, 0)
    )
    assert answer.legs[0].train == f"TGV {sunday_only.train_number}"


def test_a_train_another_source_already_describes_is_used_once(direct_line):
    line, direct = direct_line
    faster = make_trajet(
        [line.paris, line.marseille],
        times=[(None, "07:00"), ("09:50", None)],
        category="TGV",
        same_train_as=direct,
    )
    build_routing_artifact(run_id="counted")
    network = load_network()
    assert faster.pk not in network.trip_ids.tolist()
    answer = find_route(
        origin=line.paris, destination=line.marseille, depart=_at(SERVICE_DAY, 6, 30)
    )
    assert answer.arrival == _at(SERVICE_DAY, 10, 40)


def test_any_date_a_source_covers_is_answered_without_rebuilding(line_network):
    version = load_network().version
    winter = dt.date(2025, 1, 15)  # UTC+1, months away from any other date asked
    answer = find_route(
        origin=line_network.paris, destination=line_network.marseille, depart=_at(winter, 7, 30)
    )
    assert _legs(answer)[0][1:] == ("2025-01-15 08:00", "2025-01-15 10:00")
    assert answer.artifact_version == version
    assert winter in load_network().schedule.cached_days


def test_a_date_s_timetable_is_built_from_the_artefact_alone(
    line_network, django_assert_num_queries
):
    schedule = load_network().schedule
    with django_assert_num_queries(0):
        service = schedule.service_day(dt.date(2025, 3, 4))
    assert service.timetable.connection_count == 8


def test_a_date_no_source_covers_names_the_covered_periods(line_network):
    with pytest.raises(InvalidInput) as caught:
        find_route(
            origin=line_network.paris,
            destination=line_network.lyon,
            depart=_at(dt.date(2026, 2, 1), 8),
        )
    assert caught.value.errors == {
        "depart": [
            "Aucune source ne couvre le 1 février 2026. Horaires disponibles : "
            "test-feed du 1 janvier 2025 au 31 décembre 2025."
        ]
    }


def test_a_source_s_own_running_dates_decide_its_coverage(line_network):
    DataSource.objects.filter(name="test-feed").update(
        runs_from=dt.date(2025, 6, 1), runs_until=dt.date(2025, 6, 30)
    )
    build_routing_artifact(run_id="coverage")
    with pytest.raises(InvalidInput) as caught:
        find_route(
            origin=line_network.paris,
            destination=line_network.lyon,
            depart=_at(dt.date(2025, 7, 1), 8),
        )
    assert "test-feed du 1 juin 2025 au 30 juin 2025" in caught.value.errors["depart"][0]
    inside = find_route(
        origin=line_network.paris, destination=line_network.lyon, depart=_at(SERVICE_DAY, 7)
    )
    assert inside.arrival == _at(SERVICE_DAY, 10)


def test_a_late_departure_continues_with_the_next_morning_s_trains(line_network):
    answer = find_route(
        origin=line_network.lyon, destination=line_network.geneva, depart=_at(SERVICE_DAY, 23)
    )
    assert _legs(answer)[0][1:] == ("2025-06-12 11:00", "2025-06-12 12:50")


def test_a_night_train_of_the_evening_before_is_boarded_after_midnight(line_network):
    night = make_trajet(
        [line_network.paris, line_network.lyon, line_network.marseille],
        times=[(None, "22:00"), ("01:30", "01:35"), ("06:00", None)],
        kind="night",
        category="Intercités de nuit",
    )
    build_routing_artifact(run_id="night")
    answer = find_route(
        origin=line_network.lyon,
        destination=line_network.marseille,
        depart=_at(SERVICE_DAY, 0, 30),
    )
    assert _legs(answer) == [
        (f"Intercités de nuit {night.train_number}", "2025-06-11 01:35", "2025-06-11 06:00")
    ]
    assert answer.uses_night_trains


def test_a_date_s_first_query_records_its_build_time_and_the_next_reuses_it(line_network):
    from prometheus_client import REGISTRY

    def builds() -> float:
        return REGISTRY.get_sample_value("obrail_routing_day_build_seconds_count") or 0.0

    before = builds()
    day = dt.date(2025, 9, 3)
    for _query in range(2):
        find_route(origin=line_network.paris, destination=line_network.lyon, depart=_at(day, 7))
    assert builds() == before + 1


def test_without_any_timetable_the_answer_says_nothing_is_loaded():
    from apps.routing.services import uncovered_date_message

    assert uncovered_date_message(dt.date(2025, 1, 1), []) == (
        "Aucun horaire n'est chargé : aucune date ne peut être calculée."
    )


def test_an_uncovered_date_lists_the_sources_with_each_language_s_punctuation():
    from apps.routing.pathfinding.schedule import Coverage
    from apps.routing.services import uncovered_date_message

    coverage = [
        Coverage("db-fernverkehr", dt.date(2025, 11, 9), dt.date(2025, 12, 9)),
        Coverage("sncf-intercites", dt.date(2013, 12, 4), dt.date(2014, 3, 4)),
    ]
    with translation.override("fr"):
        assert "2014 ; db-fernverkehr du 9 novembre" in uncovered_date_message(
            dt.date(2040, 1, 1), coverage
        )
    with translation.override("en"):
        # Was "2014 ; db-fernverkehr" in English too.
        assert "2014; db-fernverkehr from 9 November" in uncovered_date_message(
            dt.date(2040, 1, 1), coverage
        )
