"""The lists the trajets page offers: names in the page's language, counted trains only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from apps.trajets.filter_choices import country_choices, kind_choices, operator_choices
from apps.trajets.models import ServiceKind
from apps.trajets.tests.factories import make_operator, make_run, make_station, make_trajet

pytestmark = pytest.mark.django_db


def test_countries_and_operators_count_each_train_once_even_when_two_sources_give_it():
    obb = make_operator("obb", "ÖBB", "AT")
    wien = make_station("Wien Hbf", country="AT", time_zone="Europe/Vienna")
    paris = make_station("Paris Est")
    first = make_trajet([paris, wien], operator=obb)
    twin = make_trajet([paris, wien], operator=obb)
    twin.same_train_as = first
    twin.save(update_fields=["same_train_as"])
    make_trajet([paris, make_station("Lyon Part-Dieu")], operator=make_operator("sncf", "SNCF"))
    assert [(c.value, c.label) for c in country_choices()] == [
        ("AT", "Autriche (1 train)"),
        ("FR", "France (2 trains)"),
    ]
    assert [(c.value, c.label) for c in operator_choices()] == [
        ("obb", "ÖBB (1 train)"),
        ("sncf", "SNCF (1 train)"),
    ]


def test_country_names_follow_the_page_language():
    make_trajet([make_station("Berlin Hbf", country="DE", time_zone="Europe/Berlin")] * 2)
    with translation.override("en"):
        assert [c.label for c in country_choices()] == ["Germany (1 train)"]


def test_every_service_kind_has_words():
    assert [value for value, _label in kind_choices()] == list(ServiceKind.values)


def test_counts_are_the_trains_the_list_shows_by_default(client):
    # The review found "Espagne (193 trains)" over a list of 33: the counts read every date,
    # the list each source's typical week.
    run = make_run()
    make_trajet([make_station("Paris Est"), make_station("Lyon Part-Dieu")], run=run)
    dsb = make_operator("dsb", "DSB", "DK")
    copenhagen = make_station("København H", country="DK", time_zone="Europe/Copenhagen")
    odense = make_station("Odense", country="DK", time_zone="Europe/Copenhagen")
    make_trajet(
        [copenhagen, odense],
        run=run,
        operator=dsb,
        valid_from=dt.date(2024, 3, 4),
        valid_to=dt.date(2024, 3, 6),
    )
    countries = {choice.value: choice.count for choice in country_choices()}
    assert countries == {"FR": 1, "DK": 0}
    for code, count in countries.items():
        assert client.get("/api/trajets", {"country": code}).json()["count"] == count
    assert {choice.value: choice.count for choice in operator_choices()}["dsb"] == 0
    assert client.get("/api/trajets", {"operator": "dsb", "period": "all"}).json()["count"] == 1
