"""Integration tests of /api/stats/volumes."""

from __future__ import annotations

import csv
import io

import pytest

from apps.trajets.tests.factories import make_operator, make_station, make_trajet

pytestmark = pytest.mark.django_db


@pytest.fixture
def trajets() -> None:
    paris, lyon = make_station("Paris"), make_station("Lyon")
    wien = make_station("Wien", country="AT", time_zone="Europe/Vienna")
    sncf, oebb = make_operator("sncf", "SNCF", "FR"), make_operator("oebb", "ÖBB", "AT")
    make_trajet([paris, lyon], operator=sncf, distance_km=400.0, weekdays="1111111")
    make_trajet([wien, paris], operator=oebb, kind="night", distance_km=1400.0, weekdays="1010100")


def test_volumes_default_to_grouping_by_operator(client, trajets):
    body = client.get("/api/stats/volumes").json()
    assert body["group_by"] == ["operator"]
    # ties on the number of services are broken by the group key
    assert [(r["operator"], r["services"], r["weekly_departures"]) for r in body["results"]] == [
        ("oebb", 1, 3),
        ("sncf", 1, 7),
    ]
    assert body["total"] == {"services": 2, "weekly_departures": 10, "km_served": 7000.0}


def test_volumes_take_the_trajet_filters(client, trajets):
    body = client.get("/api/stats/volumes?group_by=country,kind&country=AT").json()
    assert body["results"] == [
        {
            "country": "AT",
            "kind": "night",
            "services": 1,
            "weekly_departures": 3,
            "km_served": 4200.0,
        }
    ]
    assert client.get("/api/stats/volumes?date=2025-01-07&group_by=kind").json()["total"] == {
        "services": 1,
        "weekly_departures": 7,
        "km_served": 2800.0,
    }


def test_volumes_export_as_csv(client, trajets):
    response = client.get("/api/stats/volumes?group_by=kind&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        {"kind": "day", "services": "1", "weekly_departures": "7", "km_served": "2800.0"},
        {"kind": "night", "services": "1", "weekly_departures": "3", "km_served": "4200.0"},
    ]


def test_bad_group_by_and_bad_filters_are_400s_naming_each(client):
    response = client.get("/api/stats/volumes?group_by=line&kind=x&format=csv")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "group_by"}
    assert "operator, country, kind" in response.json()["errors"]["group_by"][0]
