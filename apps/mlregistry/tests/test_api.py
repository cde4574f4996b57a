"""The registry's API on PostgreSQL: predict, promote and roll back; errors in the one schema."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.mlregistry.tests.factories import corrupt, in_production, trained

pytestmark = pytest.mark.django_db

PREDICT = "/api/models/modal-share/predict"


def test_promote_rollback_and_predict_through_the_api(staff_client, client):
    first = in_production()
    second = trained(seed=99)
    answer = client.get(PREDICT, {"rail_time_min": "150"})
    assert answer.status_code == 200
    assert answer.json()["version"] == first.number
    assert answer["X-Model-Version"] == "1"

    promoted = staff_client.post(
        "/api/models/modal-share/promote",
        {"version": second.number, "reason": "new bootstrap seed"},
        content_type="application/json",
    )
    assert promoted.status_code == 200, promoted.content
    assert promoted.json() == {"model": "modal-share", "version": 2, "previous": 1}
    after = client.get(PREDICT, {"rail_time_min": "150"}).json()
    assert after["version"] == 2

    back = staff_client.post(
        "/api/models/modal-share/rollback",
        {"reason": "band too wide"},
        content_type="application/json",
    )
    assert back.json() == {"model": "modal-share", "version": 1, "previous": 2}
    assert client.get(PREDICT, {"rail_time_min": "150"}).json()["version"] == 1

    detail = client.get("/api/models/modal-share").json()
    assert detail["version"] == 1
    assert [(e["action"], e["actor"], e["reason"]) for e in detail["events"][:2]] == [
        ("rollback", "editor", "band too wide"),
        ("promote", "editor", "new bootstrap seed"),
    ]
    assert [v["status"] for v in detail["all_versions"]] == ["retired", "production"]


def test_predict_answers_the_share_its_band_and_the_shift_potential(client):
    version = in_production()
    data = client.get(PREDICT, {"rail_time_min": "240", "air_passengers": "1000000"}).json()
    low, high = data["band_pct"]
    assert low < data["rail_share_pct"] < high
    assert 40 < data["rail_share_pct"] < 60
    assert abs(data["shift_potential"] - 10_000 * data["rail_share_pct"]) <= 500
    assert (
        data["shift_potential_band"][0] < data["shift_potential"] < data["shift_potential_band"][1]
    )
    assert data["is_extrapolated"] is False
    assert data["version"] == version.number
    assert client.get(PREDICT, {"rail_time_min": "600"}).json()["is_extrapolated"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "rail_time_min"),
        ({"rail_time_min": "abc"}, "rail_time_min"),
        ({"rail_time_min": "0"}, "rail_time_min"),
        ({"rail_time_min": "5000"}, "rail_time_min"),
        ({"rail_time_min": "120", "air_passengers": "-1"}, "air_passengers"),
        ({"rail_time_min": "-5"}, "rail_time_min"),
        ({"rail_time_min": "nan"}, "rail_time_min"),
        ({"rail_time_min": "1e400"}, "rail_time_min"),
        ({"rail_time_min": "1\x002"}, "rail_time_min"),
        ({"rail_time_min": "1_2_0"}, "rail_time_min"),
        ({"rail_time_min": "\uff11\uff12\uff10"}, "rail_time_min"),
        ({"rail_time_min": "120", "air_passengers": "1_000"}, "air_passengers"),
        ({"rail_time_min": "120", "air_passengers": "\u0661\u0662"}, "air_passengers"),
        ({"rail_time_min": "120", "air_passengers": "100000001"}, "air_passengers"),
        ({"rail_time_min": ["120", "130"]}, "rail_time_min"),
        ({"rail_time_min": "120", "air_passengers": ["1", "2"]}, "air_passengers"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, params, field):
    in_production()
    response = client.get(PREDICT, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("value", ["120", " 120 ", "120.5", "1.2e2", "+120"])
def test_plain_ascii_numbers_are_accepted(client, value):
    in_production()
    response = client.get(PREDICT, {"rail_time_min": value, "air_passengers": "1000"})
    assert response.status_code == 200, response.content


def test_an_unknown_model_is_a_404_and_a_model_without_production_a_503(client):
    assert client.get("/api/models/nope/predict", {"rail_time_min": "100"}).status_code == 404
    trained()
    response = client.get(PREDICT, {"rail_time_min": "100"})
    assert response.status_code == 503
    assert "aucune version en production" in response.json()["errors"]["detail"][0]


def test_an_unknown_model_is_a_404_in_the_error_schema_naming_it(client, staff_client):
    in_production()
    answers = [
        client.get("/api/models/nope/predict", {"rail_time_min": "100"}),
        client.get("/api/models/nope"),
        staff_client.post("/api/models/nope/promote", {"version": 1, "reason": "r"}),
        staff_client.post("/api/models/nope/rollback", {"reason": "r"}),
    ]
    for response in answers:
        assert response.status_code == 404
        assert response.json() == {"errors": {"detail": ["Modèle inconnu : nope."]}}


def test_a_corrupted_production_artefact_in_a_fresh_process_is_a_503_saying_why(client):
    corrupt(in_production())
    response = client.get(PREDICT, {"rail_time_min": "100"})
    assert response.status_code == 503
    assert "checksum mismatch" in response.json()["errors"]["detail"][0]


def test_promotion_needs_staff_and_a_reason_and_refuses_what_cannot_serve(client, staff_client):
    in_production()
    candidate = trained(seed=4)
    url = "/api/models/modal-share/promote"
    anonymous = client.post(url, {"version": 2, "reason": "x"}, content_type="application/json")
    assert anonymous.status_code in (401, 403)
    missing = staff_client.post(url, {"version": 2}, content_type="application/json")
    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["reason"]
    unknown = staff_client.post(url, {"version": 9, "reason": "x"}, content_type="application/json")
    assert unknown.status_code == 422
    corrupt(candidate)
    refused = staff_client.post(url, {"version": 2, "reason": "x"}, content_type="application/json")
    assert refused.status_code == 422
    assert "checksum mismatch" in refused.json()["errors"]["version"][0]


def test_a_non_staff_user_cannot_roll_back(client):
    in_production()
    user = get_user_model().objects.create_user("reader", password="pw-1234567")
    client.force_login(user)
    response = client.post(
        "/api/models/modal-share/rollback", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_the_list_names_each_model_and_its_production_version(client):
    in_production()
    trained(seed=5)
    assert client.get("/api/models").json() == [
        {
            "name": "modal-share",
            "title": "Part du train face à l'avion selon le temps de train",
            "family": "modal_share_logistic",
            "version": 1,
            "versions": 2,
        }
    ]


def test_predictions_are_counted_per_version_and_outcome_in_metrics(client):
    from prometheus_client import REGISTRY

    in_production()

    def count(outcome: str) -> float:
        value = REGISTRY.get_sample_value(
            "obrail_model_predictions_total",
            {"model": "modal-share", "version": "1", "outcome": outcome},
        )
        return value or 0.0

    ok, invalid = count("ok"), count("invalid")
    client.get(PREDICT, {"rail_time_min": "100"})
    client.get(PREDICT, {"rail_time_min": "x"})
    assert (count("ok"), count("invalid")) == (ok + 1, invalid + 1)
    latency = REGISTRY.get_sample_value(
        "obrail_model_predict_seconds_count", {"model": "modal-share", "version": "1"}
    )
    assert latency >= 1
