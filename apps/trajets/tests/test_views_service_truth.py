"""Pages and API state the period: running dates of each train, the list's period, and each
source's validity on the data-quality page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.trajets.models import CalendarException
from apps.trajets.tests.factories import make_run, make_source, make_trajet

pytestmark = pytest.mark.django_db


@pytest.fixture
def train():
    trajet = make_trajet(
        valid_from=dt.date(2025, 11, 9),
        valid_to=dt.date(2025, 12, 9),
        weekdays="1111100",
        runs_from=dt.date(2025, 11, 10),
        runs_until=dt.date(2025, 12, 9),
        running_days=22,
        category="ICE",
    )
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 11, 11), is_added=False)
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 11, 16), is_added=True)
    return trajet


def test_list_page_shows_each_trains_running_dates_and_the_period(client, train):
    html = client.get(reverse("trajets:trajet-list"), {"month": "2025-11"}).content.decode()
    assert "du 10 novembre au 9 décembre 2025, 22 jours" in html
    assert "lun.–ven. ; 1 date ajoutée, 1 date supprimée" in html
    assert "trains circulant au moins un jour de la période — novembre 2025." in html
    assert "Voir toutes les dates" in html


def test_list_page_defaults_to_the_typical_week_and_links_every_date(client, train):
    response = client.get(reverse("trajets:trajet-list"))
    html = response.content.decode()
    assert "semaine type de chaque source : test-feed du 10 au 16 novembre 2025" in html
    assert "period=all" in html
    assert (
        "Voir toutes les dates"
        not in client.get(reverse("trajets:trajet-list"), {"period": "all"}).content.decode()
    )


def test_list_page_reports_a_bad_period_on_its_field(client, train):
    response = client.get(reverse("trajets:trajet-list"), {"start": "2025-12-01"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "indiquez aussi la fin de la période (« Fin de la période »)." in html


def test_detail_page_shows_running_dates_pattern_and_exceptions(client, train):
    html = client.get(reverse("trajets:trajet-detail", args=[train.pk])).content.decode()
    assert "Circule du 10 novembre au 9 décembre 2025, 22 jours." in html
    assert "Calendrier hebdomadaire du 9 novembre au 9 décembre 2025" in html
    assert "avec 2 exceptions datées." in html


def test_api_list_and_detail_give_running_dates_and_the_period(client, train):
    body = client.get("/api/trajets", {"week": "2025-11-20"}).json()
    assert body["period"]["kind"] == "week"
    assert (body["period"]["start"], body["period"]["end"]) == ("2025-11-17", "2025-11-23")
    row = body["results"][0]
    assert (row["runs_from"], row["runs_until"], row["running_days"]) == (
        "2025-11-10",
        "2025-12-09",
        22,
    )
    assert (row["valid_from"], row["valid_to"]) == ("2025-11-09", "2025-12-09")
    detail = client.get(f"/api/trajets/{train.pk}").json()
    assert detail["running_days"] == 22
    assert detail["source"]["validity"] == "unknown"
    default = client.get("/api/trajets").json()["period"]
    assert default["sources"] == [
        {"source": "test-feed", "start": "2025-11-10", "end": "2025-11-16"}
    ]


def test_quality_page_shows_each_sources_validity(client):
    make_run(
        make_source(
            "old-feed",
            runs_from=dt.date(2013, 12, 15),
            runs_until=dt.date(2014, 12, 13),
            reference_week=dt.date(2013, 12, 16),
        )
    )
    html = client.get(reverse("trajets:quality")).content.decode()
    section = html[html.index('id="validity-heading"') :]
    row = section[section.index('<th scope="row">old-feed</th>') :][:500]
    assert "du 15 décembre 2013 au 13 décembre 2014" in row
    assert "à partir du lundi 16 décembre 2013" in row
    assert "expirée" in row
