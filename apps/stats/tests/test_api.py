"""Integration tests of /api/stats/volumes."""

from __future__ import annotations

import csv

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
    assert [(r["operator"], r["services"], r["departures"]) for r in body["results"]] == [
        ("oebb", 1, 3),
        ("sncf", 1, 7),
    ]
    assert body["total"] == {"services": 2, "departures": 10, "km_served": 7000.0}


def test_volumes_take_the_trajet_filters(client, trajets):
    body = client.get("/api/stats/volumes?group_by=country,kind&country=AT").json()
    assert body["results"] == [
        {
            "country": "AT",
            "kind": "night",
            "services": 1,
            "departures": 3,
            "km_served": 4200.0,
        }
    ]
    # date: the departures of that day (a Tuesday: the Monday-to-Sunday train only)
    assert client.get("/api/stats/volumes?date=2025-01-07&group_by=kind").json()["total"] == {
        "services": 1,
        "departures": 1,
        "km_served": 400.0,
    }


def test_volumes_export_as_csv(client, trajets):
    response = client.get("/api/stats/volumes?group_by=kind&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    *lines, end = b"".join(response.streaming_content).decode().splitlines()
    assert end == "# complete: 2 rows"
    rows = list(csv.DictReader(lines))
    period = "semaine type de chaque source : test-feed du 6 au 12 janvier 2025"
    assert rows == [
        {
            "kind": "day",
            "services": "1",
            "departures": "7",
            "km_served": "2800.0",
            "period": period,
        },
        {
            "kind": "night",
            "services": "1",
            "departures": "3",
            "km_served": "4200.0",
            "period": period,
        },
    ]


def test_bad_group_by_and_bad_filters_are_400s_naming_each(client):
    response = client.get("/api/stats/volumes?group_by=line&kind=x&format=csv")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "group_by"}
    assert "operator, country, kind" in response.json()["errors"]["group_by"][0]


def test_volumes_state_their_period(client, trajets):
    body = client.get("/api/stats/volumes?group_by=").json()
    assert body["period"] == {
        "kind": "reference",
        "start": None,
        "end": None,
        "label": "semaine type de chaque source : test-feed du 6 au 12 janvier 2025",
        "sources": [{"source": "test-feed", "start": "2025-01-06", "end": "2025-01-12"}],
    }
    month = client.get("/api/stats/volumes?month=2025-02&group_by=").json()
    assert month["period"] == {
        "kind": "month",
        "start": "2025-02-01",
        "end": "2025-02-28",
        "label": "février 2025",
        "sources": [],
    }
    assert month["total"] == {"services": 2, "departures": 4 * 10, "km_served": 4 * 7000.0}
    week = client.get("/api/stats/volumes?week=2025-03-13&group_by=").json()
    assert (week["period"]["start"], week["period"]["end"]) == ("2025-03-10", "2025-03-16")
    assert week["total"]["departures"] == 10
    span = client.get("/api/stats/volumes?start=2025-03-10&end=2025-03-11&group_by=").json()
    assert span["period"]["label"] == "du 10 au 11 mars 2025"
    assert span["total"] == {"services": 2, "departures": 3, "km_served": 2200.0}


@pytest.mark.parametrize(
    ("query", "parameter", "message", "status"),
    [
        ("month=2025-13", "month", "mois AAAA-MM attendu", 400),
        ("week=2025-02-30", "week", "date AAAA-MM-JJ attendue", 400),
        ("period=typical", "period", "reference ou all", 400),
        # Well formed, but refused by a rule across parameters: 422.
        ("start=2025-03-10", "end", "indiquez aussi la fin", 422),
        ("end=2025-03-10", "start", "indiquez aussi le début", 422),
        ("start=2025-03-10&end=2025-03-01", "end", "postérieure ou égale à start", 422),
        ("start=2024-01-01&end=2025-01-01", "end", "367 jours : 366 jours au plus", 422),
        ("week=2025-03-10&month=2025-03", "month", "une seule période à la fois", 422),
    ],
)
def test_bad_periods_are_refused_naming_the_parameter(client, query, parameter, message, status):
    response = client.get(f"/api/stats/volumes?{query}")
    assert response.status_code == status
    errors = response.json()["errors"]
    assert list(errors) == [parameter]
    assert message in errors[parameter][0]


def test_group_by_follows_its_pattern_and_names_each_grouping_once(client):
    assert client.get("/api/stats/volumes?group_by=kind, operator").status_code == 200
    for malformed in ("operator,", "5", " kind\t"):
        response = client.get("/api/stats/volumes", {"group_by": malformed})
        assert (response.status_code, list(response.json()["errors"])) == (400, ["group_by"])
    twice = client.get("/api/stats/volumes?group_by=kind,kind")
    assert twice.status_code == 422
    assert twice.json() == {
        "errors": {"group_by": ["chaque regroupement ne peut figurer qu'une fois."]}
    }
