"""compute_volumes: services, weekly departures and weekly train-km per group."""

from __future__ import annotations

import pytest

from apps.stats.services import compute_volumes
from apps.trajets.models import Trajet
from apps.trajets.tests.factories import make_operator, make_run, make_station, make_trajet
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
            "weekly_departures": 14,
            "km_served": 7 * 400.0 + 5 * 400.0 + 2 * 450.0,
        },
        {
            "operator": "oebb",
            "operator_name": "ÖBB",
            "services": 2,
            "weekly_departures": 4,
            "km_served": 3 * 1400.0,
        },
    )
    assert table.total == {"services": 5, "weekly_departures": 18, "km_served": 9900.0}


def test_groups_by_country_and_kind_combined(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by=["country", "kind"])
    assert [
        (r["country"], r["kind"], r["services"], r["weekly_departures"]) for r in table.rows
    ] == [
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
        "weekly_departures",
        "km_served",
    }


def test_follows_the_filtered_queryset_and_ignores_its_ordering(trajets):
    table = compute_volumes(Trajet.objects.night().order_by("-departure_time"), group_by="kind")
    assert table.rows == (
        {"kind": "night", "services": 2, "weekly_departures": 5, "km_served": 5100.0},
    )


def test_empty_group_by_gives_the_total_only(trajets):
    table = compute_volumes(Trajet.objects.all(), group_by="")
    assert table.rows == ()
    assert table.total["services"] == 5


def test_empty_queryset_gives_zero_totals():
    table = compute_volumes(Trajet.objects.all(), group_by="operator")
    assert table.rows == ()
    assert table.total == {"services": 0, "weekly_departures": 0, "km_served": 0.0}


@pytest.mark.parametrize(
    ("group_by", "fragment"),
    [("line", "line"), ("operator,kind,operator", "only once"), ("kind;country", "kind;country")],
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
