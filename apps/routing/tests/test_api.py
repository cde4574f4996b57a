"""GET /api/routes: answers, the shared error schema, and the OpenAPI description."""

from __future__ import annotations

import pytest
from django.urls import reverse

URL = "/api/routes"


def test_network_route_returns_legs_totals_and_co2(client, line_network):
    response = client.get(URL, {"from": line_network.paris.pk, "to": "Marseille Saint-Charles"})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "network"
    assert [s["name"] for s in body["stations"]] == [
        "Paris Gare de Lyon",
        "Lyon Part-Dieu",
        "Marseille Saint-Charles",
    ]
    assert body["duration_min"] == 220.0
    assert body["co2_rail_kg"] > 0
    assert body["co2_flight_kg"] is None  # stations without a town: no flight by the rule
    assert body["co2_method"] == "ademe"
    assert body["co2_method_label"].startswith("ADEME Base Carbone")
    assert len(body["legs"]) == 2


def test_journey_with_depart_returns_trains_and_times(client, line_network):
    response = client.get(
        URL, {"from": "8768600", "to": line_network.marseille.pk, "depart": "2025-06-11T07:30"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "journey"
    assert body["transfers"] == 1
    assert body["legs"][0]["departure"].startswith("2025-06-11T08:00")
    assert body["legs"][1]["arrival"].startswith("2025-06-11T12:10")


def test_day_only_journey_in_the_evening_leaves_the_next_morning(client, line_network):
    response = client.get(
        URL,
        {
            "from": line_network.paris.pk,
            "to": line_network.marseille.pk,
            "depart": "2025-06-11T20:00",
            "trains": "day",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["legs"][0]["departure"].startswith("2025-06-12T08:00")
    assert body["arrival"].startswith("2025-06-12T12:10")


def test_a_journey_no_train_makes_is_a_422_on_to(client, line_network):
    response = client.get(
        URL,
        {"from": line_network.lyon.pk, "to": line_network.paris.pk, "depart": "2025-06-11T08:00"},
    )
    assert response.status_code == 422
    assert "to" in response.json()["errors"]


def test_a_date_no_source_covers_is_a_422_on_depart_listing_the_covered_periods(
    client, line_network
):
    response = client.get(
        URL,
        {"from": line_network.paris.pk, "to": line_network.lyon.pk, "depart": "2030-01-01T08:00"},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["depart"] == [
        "Aucune source ne couvre le 1 janvier 2030. Horaires disponibles : "
        "test-feed du 1 janvier 2025 au 31 décembre 2025."
    ]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        (
            {"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", "criterion": "price"},
            "criterion",
        ),
        (
            {"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", "method": "teleport"},
            "method",
        ),
        (
            {"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", "depart": "tomorrow"},
            "depart",
        ),
        ({"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", "depart": ""}, "depart"),
        ({"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", "trains": ""}, "trains"),
        (
            {"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", "max_transfers": ""},
            "max_transfers",
        ),
        ({"to": "Marseille Saint-Charles"}, "from"),
    ],
)
def test_parameters_outside_their_documented_form_get_a_400_naming_them(
    client, line_network, params, parameter
):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"from": "Atlantis", "to": "Lyon Part-Dieu"}, "from"),
        ({"from": "Lyon Part-Dieu", "to": "999999"}, "to"),
        # A journey method is well formed, but takes a departure time.
        ({"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", "method": "blocks"}, "method"),
    ],
)
def test_well_formed_parameters_the_network_cannot_answer_get_a_422_naming_them(
    client, line_network, params, parameter
):
    response = client.get(URL, params)
    assert response.status_code == 422
    assert parameter in response.json()["errors"]


@pytest.mark.parametrize(
    ("url", "window"),
    [
        (URL, {}),
        ("/api/routes/pareto", {"depart": "2025-06-11T07:00", "until": "2025-06-11T22:00"}),
    ],
)
def test_without_artifact_the_endpoints_answer_503(client, db, artifact_dir, url, window):
    from apps.routing.tests.factories import make_line_network

    make_line_network()
    query = {"from": "Lyon Part-Dieu", "to": "Marseille Saint-Charles", **window}
    response = client.get(url, query)
    assert response.status_code == 503
    assert response.json() == {"errors": {"detail": ["Le calcul d'itinéraires est indisponible."]}}
    english = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 503
    assert english.json() == {"errors": {"detail": ["Route planning is unavailable."]}}


def test_routes_endpoint_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema", {"format": "json"}).json()
    operation = schema["paths"]["/api/routes"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"from", "to", "depart", "criterion", "method"} <= names
    assert {"200", "400"} <= set(operation["responses"])


def test_reverse_name_is_api_route():
    assert reverse("api:route") == URL


def test_pareto_endpoint_lists_the_day_journey_and_the_direct_night_train(client, line_network):
    response = client.get(
        "/api/routes/pareto",
        {
            "from": "Paris Gare de Lyon",
            "to": "Marseille Saint-Charles",
            "depart": "2025-06-11T07:00",
            "until": "2025-06-11T22:00",
        },
    )
    assert response.status_code == 200
    summary = [
        (j["departure"][11:16], j["arrival"][11:16], j["transfers"]) for j in response.json()
    ]
    assert summary == [("08:00", "12:10", 1), ("21:00", "07:00", 0)]


def test_pareto_endpoint_rejects_a_window_ending_before_it_starts(client, line_network):
    response = client.get(
        "/api/routes/pareto",
        {
            "from": "Paris Gare de Lyon",
            "to": "Marseille Saint-Charles",
            "depart": "2025-06-11T10:00",
            "until": "2025-06-11T08:00",
        },
    )
    assert response.status_code == 422
    assert "until" in response.json()["errors"]


def test_a_blank_station_is_the_resolver_s_422_not_a_400(client, line_network):
    # Schemathesis found "from=%0A" answered 400 while the schema allows any text.
    response = client.get(URL, {"from": "\n", "to": "Lyon Part-Dieu"})
    assert response.status_code == 422
    assert response.json() == {"errors": {"from": ["Indiquez une gare ou une ville."]}}
