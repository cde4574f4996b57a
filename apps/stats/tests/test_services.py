"""compute_volumes: services, departures and train-km per group over a stated period."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.stats.services import compute_volumes
from apps.trajets.calendars import Period
from apps.trajets.models import CalendarException, Trajet
from apps.trajets.periods import PeriodChoice, PeriodKind
from apps.trajets.tests.factories import (
    make_operator,
    make_run,
    make_source,
    make_station,
    make_trajet,
)
from obrail.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def trajets() -> None:
    paris, lyon = make_station("Paris"), make_station("Lyon")
    wien = make_station("Wien", country="AT", time_zone="Europe/Vienna")
    sncf, oebb = make_operator("sncf", "SNCF", "FR"), make_operator("oebb", "ÖBB", "AT")
    make_trajet([paris, lyon], operator=sncf, distance_km=400.0, weekdays="1111111")
    make_trajet([paris, lyon], operator=sncf, distance_km=400.0, weekdays="1111100")
    make_trajet([lyon, paris], operator=sncf, kind="night", distance_km=450.0, weekdays="0000011")
    make_trajet([wien, paris], operator=oebb, kind="night", distance_km=1400.0, weekdays="1010100")
    make_trajet([wien, lyon], operator=oebb, kind="day", distance_km=None, weekdays="1000000")


def test_groups_by_operator_largest_first(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by="operator")
    assert table.group_by == ("operator",)
    assert table.rows == (
        {
            "operator": "sncf",
            "operator_name": "SNCF",
            "services": 3,
            "departures": 14,
            "km_served": 7 * 400.0 + 5 * 400.0 + 2 * 450.0,
        },
        {
            "operator": "oebb",
            "operator_name": "ÖBB",
            "services": 2,
            "departures": 4,
            "km_served": 3 * 1400.0,
        },
    )
    assert table.total == {"services": 5, "departures": 18, "km_served": 9900.0}


def test_groups_by_country_and_kind_combined(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by=["country", "kind"])
    assert [(r["country"], r["kind"], r["services"], r["departures"]) for r in table.rows] == [
        ("FR", "day", 2, 12),
        ("AT", "day", 1, 1),
        ("AT", "night", 1, 3),
        ("FR", "night", 1, 2),
    ]


def test_groups_by_all_three(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by="kind,operator,country")
    assert len(table.rows) == 4
    assert set(table.rows[0]) == {
        "kind",
        "operator",
        "operator_name",
        "country",
        "services",
        "departures",
        "km_served",
    }


def test_follows_the_filtered_queryset_and_ignores_its_ordering(trajets):
    table = compute_volumes(Trajet.objects.night().order_by("-departure_time"), group_by="kind")
    assert table.rows == ({"kind": "night", "services": 2, "departures": 5, "km_served": 5100.0},)


def test_empty_group_by_gives_the_total_only(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by="")
    assert table.rows == ()
    assert table.total["services"] == 5


def test_empty_queryset_gives_zero_totals():
    table = compute_volumes(Trajet.objects.all(), group_by="operator")
    assert table.rows == ()
    assert table.total == {"services": 0, "departures": 0, "km_served": 0.0}


@pytest.mark.parametrize(
    ("group_by", "fragment"),
    [("line", "line"), ("operator,kind,operator", "qu'une fois"), ("kind;country", "kind;country")],
)
def test_rejects_unknown_or_repeated_groupings(group_by, fragment):
    with pytest.raises(InvalidInput) as caught:
        compute_volumes(Trajet.objects.all(), group_by=group_by)
    assert list(caught.value.errors) == ["group_by"]
    assert fragment in caught.value.errors["group_by"][0]


def test_results_are_cached_until_the_next_successful_import(settings):
    settings.API_COUNT_CACHE_SECONDS = 600
    first = make_trajet(distance_km=100.0)
    assert compute_volumes(Trajet.objects.all(), group_by="kind").total["services"] == 1
    make_trajet(run=first.import_run, distance_km=100.0)
    assert compute_volumes(Trajet.objects.all(), group_by="kind").total["services"] == 1
    make_run(status="failed")
    assert compute_volumes(Trajet.objects.all(), group_by="kind").total["services"] == 1
    make_run()
    assert compute_volumes(Trajet.objects.all(), group_by="kind").total["services"] == 2


def test_cache_can_be_disabled(settings):
    settings.API_COUNT_CACHE_SECONDS = 0
    first = make_trajet()
    assert compute_volumes(Trajet.objects.all(), group_by="").total["services"] == 1
    make_trajet(run=first.import_run)
    assert compute_volumes(Trajet.objects.all(), group_by="").total["services"] == 2


# --- Real dates over a stated period ---------------------------------------------------------

D = dt.date


def _month(year: int, month: int) -> PeriodChoice:
    return PeriodChoice(PeriodKind.MONTH, Period.month(year, month))


def test_default_period_is_the_typical_week_of_the_source_and_is_stated(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by="")
    # Every calendar covers 2025: the first full week with the most departures, the earliest
    assert table.choice == PeriodChoice()
    assert [(week.source, week.start, week.end) for week in table.weeks] == [
        ("test-feed", D(2025, 1, 6), D(2025, 1, 12))
    ]


def test_a_month_counts_every_real_date(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by="", choice=_month(2025, 2))
    # February 2025 has four of each weekday
    assert table.total == {"services": 5, "departures": 4 * 18, "km_served": 4 * 9900.0}
    assert table.weeks == ()


def test_trains_not_running_in_the_period_are_not_services():
    make_trajet(valid_from=D(2025, 7, 1), valid_to=D(2025, 7, 31), distance_km=10.0)
    make_trajet(valid_from=D(2025, 1, 1), valid_to=D(2025, 1, 31), distance_km=10.0)
    table = compute_volumes(Trajet.objects.all(), group_by="", choice=_month(2025, 7))
    assert table.total == {"services": 1, "departures": 31, "km_served": 310.0}


def test_added_and_removed_dates_are_counted_exactly():
    removed = make_trajet(weekdays="1111111", distance_km=100.0)
    CalendarException.objects.create(trajet=removed, date=D(2025, 3, 5), is_added=False)
    CalendarException.objects.create(trajet=removed, date=D(2025, 3, 6), is_added=False)
    only_dates = make_trajet(
        weekdays="0000000",
        valid_from=D(2025, 3, 3),
        valid_to=D(2025, 3, 3),
        running_days=2,
        distance_km=50.0,
    )
    CalendarException.objects.bulk_create(
        CalendarException(trajet=only_dates, date=day, is_added=True)
        for day in (D(2025, 3, 4), D(2026, 1, 2))
    )
    week = PeriodChoice(PeriodKind.WEEK, Period.week_of(D(2025, 3, 5)))
    table = compute_volumes(Trajet.objects.all(), group_by="", choice=week)
    assert table.total == {"services": 2, "departures": 5 + 1, "km_served": 500.0 + 50.0}


def test_a_train_whose_every_pattern_day_is_removed_is_not_a_service():
    trajet = make_trajet(
        weekdays="0000011", valid_from=D(2025, 3, 1), valid_to=D(2025, 3, 31), distance_km=5.0
    )
    CalendarException.objects.bulk_create(
        CalendarException(trajet=trajet, date=day, is_added=False)
        for day in (D(2025, 3, 8), D(2025, 3, 9))
    )
    week = PeriodChoice(PeriodKind.WEEK, Period.week_of(D(2025, 3, 8)))
    table = compute_volumes(Trajet.objects.all(), group_by="kind", choice=week)
    assert table.total == {"services": 0, "departures": 0, "km_served": 0.0}
    assert table.rows == ()


def test_every_date_counts_the_running_days_of_each_train(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by="", choice=PeriodChoice(PeriodKind.ALL))
    assert table.total["services"] == 5
    assert table.total["departures"] == sum(Trajet.objects.values_list("running_days", flat=True))


def test_sources_sharing_no_week_are_each_counted_in_their_own_typical_week():
    old = make_run(make_source("sncf-2013"))
    new = make_run(make_source("db-2025"))
    make_trajet(run=old, valid_from=D(2013, 12, 15), valid_to=D(2014, 1, 31), distance_km=10.0)
    make_trajet(run=new, valid_from=D(2025, 11, 1), valid_to=D(2025, 11, 30), distance_km=20.0)
    CalendarException.objects.create(
        trajet=Trajet.objects.get(source__name="db-2025"), date=D(2025, 11, 3), is_added=False
    )
    table = compute_volumes(Trajet.objects.all(), group_by="")
    assert [(week.source, week.start) for week in table.weeks] == [
        ("db-2025", D(2025, 11, 10)),  # the week of the 3rd lost a departure
        ("sncf-2013", D(2013, 12, 16)),
    ]
    assert table.total == {"services": 2, "departures": 14, "km_served": 7 * 10.0 + 7 * 20.0}


def test_a_train_another_source_describes_is_counted_once(trajets):
    train = Trajet.objects.order_by("pk").first()
    duplicate = make_trajet(distance_km=400.0, same_train_as=train)
    counted = compute_volumes(Trajet.objects.counted(), group_by="", choice=_month(2025, 2))
    assert counted.total["services"] == 5
    assert duplicate.pk not in Trajet.objects.counted().values_list("pk", flat=True)


def test_overnight_trains_are_reported_apart(trajets):
    make_trajet(kind="overnight", weekdays="1000000", distance_km=700.0)
    table = compute_volumes(Trajet.objects.all(), group_by="kind", choice=_month(2025, 2))
    assert [(row["kind"], row["services"], row["departures"]) for row in table.rows] == [
        ("day", 3, 4 * 13),
        ("night", 2, 4 * 5),
        ("overnight", 1, 4),
    ]
