"""Database constraints and querysets of the harmonised schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from apps.trajets.models import CalendarException, Station, Stop, Trajet
from apps.trajets.tests.factories import make_station, make_trajet

pytestmark = pytest.mark.django_db


def _fails_integrity(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except IntegrityError:
        return True
    return False


def test_rejects_latitude_out_of_range():
    assert _fails_integrity(lambda: make_station(latitude=91.0, longitude=2.0))


def test_rejects_longitude_out_of_range():
    assert _fails_integrity(lambda: make_station(latitude=45.0, longitude=-181.0))


def test_rejects_a_station_with_only_one_coordinate():
    assert _fails_integrity(lambda: make_station(latitude=45.0, longitude=None))


def test_accepts_a_station_without_coordinates():
    station = make_station(latitude=None, longitude=None)
    assert Station.objects.get(pk=station.pk).latitude is None


def test_uic_code_is_unique_when_known_but_may_be_missing_many_times():
    make_station("Paris Gare de Lyon", uic_code="87686006")
    assert _fails_integrity(lambda: make_station("Autre", uic_code="87686006"))
    make_station("Sans code 1")
    make_station("Sans code 2")
    assert Station.objects.filter(uic_code__isnull=True).count() == 2


def test_rejects_an_empty_uic_code_instead_of_null():
    assert _fails_integrity(lambda: make_station(uic_code=""))


def test_rejects_non_positive_duration():
    trajet = make_trajet()
    assert _fails_integrity(lambda: Trajet.objects.filter(pk=trajet.pk).update(duration_min=0))


def test_rejects_non_positive_distance():
    trajet = make_trajet()
    assert _fails_integrity(lambda: Trajet.objects.filter(pk=trajet.pk).update(distance_km=-3))


def test_rejects_calendar_ending_before_it_starts():
    assert _fails_integrity(
        lambda: make_trajet(valid_from=dt.date(2025, 5, 1), valid_to=dt.date(2025, 4, 1))
    )


def test_rejects_two_stops_with_the_same_sequence():
    trajet = make_trajet()
    station = trajet.origin
    assert _fails_integrity(
        lambda: Stop.objects.create(
            trajet=trajet, sequence=0, station=station, departure_time=dt.time(8)
        )
    )


def test_rejects_a_stop_without_any_time():
    trajet = make_trajet()
    assert _fails_integrity(
        lambda: Stop.objects.create(trajet=trajet, sequence=9, station=trajet.origin)
    )


def test_rejects_two_trajets_for_the_same_source_record():
    trajet = make_trajet()
    assert _fails_integrity(
        lambda: make_trajet(run=trajet.import_run, source_record_id=trajet.source_record_id)
    )


def test_running_on_follows_weekdays_validity_and_exceptions():
    weekdays_only = make_trajet(weekdays="1111100")
    removed_monday = make_trajet(weekdays="1111111")
    added_sunday = make_trajet(weekdays="0000000")
    monday, sunday = dt.date(2025, 3, 3), dt.date(2025, 3, 9)
    CalendarException.objects.create(trajet=removed_monday, date=monday, is_added=False)
    CalendarException.objects.create(trajet=added_sunday, date=sunday, is_added=True)

    assert set(Trajet.objects.running_on(monday)) == {weekdays_only}
    assert set(Trajet.objects.running_on(sunday)) == {removed_monday, added_sunday}
    assert not Trajet.objects.running_on(dt.date(2026, 3, 2)).exists()
    assert weekdays_only.runs_on(monday)
    assert not removed_monday.runs_on(monday)


def test_serving_country_matches_any_stop_country():
    paris = make_station("Paris", country="FR")
    basel = make_station("Basel SBB", country="CH", time_zone="Europe/Zurich")
    milano = make_station("Milano Centrale", country="IT", time_zone="Europe/Rome")
    through_switzerland = make_trajet([paris, basel, milano])
    make_trajet([paris, milano])

    assert list(Trajet.objects.serving_country("CH")) == [through_switzerland]
    assert Trajet.objects.serving_country("IT").count() == 2


def test_any_of_matches_a_list_of_ids_on_keys_and_foreign_keys():
    first, second, third = make_trajet(), make_trajet(), make_trajet()
    wanted = [third.pk, first.pk]
    assert set(Trajet.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)) == {
        first.pk,
        third.pk,
    }
    stops = Stop.objects.filter(trajet_id__any_of=[second.pk])
    assert {stop.trajet_id for stop in stops} == {second.pk}
    assert not Trajet.objects.filter(pk__any_of=[]).exists()
    sql = str(Trajet.objects.filter(pk__any_of=wanted).query)
    assert "ANY(" in sql if connection.vendor == "postgresql" else " IN (" in sql
