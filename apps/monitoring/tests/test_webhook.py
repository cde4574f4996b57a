"""The Alertmanager webhook: authentication, real payloads, validation, idempotence."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from apps.monitoring.models import Incident

DATA = Path(__file__).parent / "data"
URL = "/monitoring/alertmanager"
TOKEN = "s3cret-webhook-token"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _token(settings):
    settings.ALERTMANAGER_WEBHOOK_TOKEN = TOKEN


def post(client, payload, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_real_firing_payload_records_an_open_incident(client):
    response = post(client, (DATA / "alertmanager_firing.json").read_bytes())

    assert response.status_code == 200
    assert response.json() == {"recorded": 1, "firing": 1}
    incident = Incident.objects.get()
    assert incident.fingerprint == "43a27f66c4aa8965"
    assert incident.alertname == "ObrailEtlStale"
    assert incident.severity == Incident.Severity.WARNING
    assert incident.status == Incident.Status.FIRING
    assert incident.starts_at == dt.datetime(2026, 11, 21, 10, 9, 12, tzinfo=dt.UTC)
    assert incident.ends_at is None
    assert incident.summary == "Données non mises à jour depuis plus de 26 heures"
    assert incident.labels["source"] == "night-trains"
    assert incident.generator_url == "http://prometheus:9090/graph?g0.expr=x"


@pytest.mark.django_db
def test_real_resolved_payload_closes_the_same_incident(client):
    post(client, load("alertmanager_firing.json"))
    response = post(client, load("alertmanager_resolved.json"))

    assert response.json() == {"recorded": 1, "firing": 0}
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.RESOLVED
    assert incident.ends_at == dt.datetime(2026, 11, 21, 10, 9, 12, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_late_firing_retry_does_not_reopen_a_resolved_incident(client):
    post(client, load("alertmanager_resolved.json"))
    post(client, load("alertmanager_firing.json"))

    assert Incident.objects.get().status == Incident.Status.RESOLVED


@pytest.mark.django_db
def test_a_new_episode_of_the_same_alert_is_a_new_incident(client):
    post(client, load("alertmanager_resolved.json"))
    later = load("alertmanager_firing.json")
    later["alerts"][0]["startsAt"] = "2026-11-22T08:00:00.123456789Z"
    post(client, later)

    statuses = list(Incident.objects.order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["resolved", "firing"]
    newest = Incident.objects.order_by("starts_at").last()
    assert newest.starts_at == dt.datetime(2026, 11, 22, 8, 0, 0, 123456, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_wrong_token_gets_403_and_stores_nothing(client):
    response = post(client, load("alertmanager_firing.json"), token="not-the-token")

    assert response.status_code == 403
    assert response.json() == {"errors": {"authorization": ["invalid token"]}}
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_token_gets_401_with_a_bearer_challenge(client):
    response = post(client, load("alertmanager_firing.json"), token=None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_the_webhook_refuses_everything_when_no_token_is_configured(client, settings):
    settings.ALERTMANAGER_WEBHOOK_TOKEN = ""

    response = post(client, load("alertmanager_firing.json"), token="")

    assert response.status_code == 403
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_one_bad_alert_rejects_the_whole_notification_naming_the_field(client):
    payload = load("alertmanager_firing.json")
    second = copy.deepcopy(payload["alerts"][0])
    second["fingerprint"] = "0123456789abcdef"
    second["startsAt"] = "yesterday"
    payload["alerts"].append(second)

    response = post(client, payload)

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"alerts[1].startsAt": ["'yesterday' is not an RFC 3339 date-time"]}
    }
    assert Incident.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.update(version="3"), "version"),
        (lambda p: p.update(alerts=[]), "alerts"),
        (lambda p: p["alerts"][0].update(status="pending"), "alerts[0].status"),
        (lambda p: p["alerts"][0]["labels"].pop("alertname"), "alerts[0].labels.alertname"),
        (lambda p: p["alerts"][0].update(fingerprint="../etc"), "alerts[0].fingerprint"),
        (lambda p: p["alerts"][0].update(annotations=["x"]), "alerts[0].annotations"),
    ],
)
def test_invalid_payloads_get_400_naming_the_bad_field(client, mutate, field):
    payload = load("alertmanager_firing.json")
    mutate(payload)

    response = post(client, payload)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_a_body_that_is_not_json_gets_400(client):
    response = post(client, b"{not json")

    assert response.status_code == 400
    assert "body" in response.json()["errors"]


@pytest.mark.django_db
def test_the_webhook_only_accepts_post(client):
    response = client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 405


@pytest.mark.django_db
def test_json_nested_deeper_than_python_can_read_is_a_400(client):
    response = post(client, b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400
    assert response.json() == {"errors": {"body": ["invalid JSON: nested too deeply"]}}
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_a_nul_character_in_a_label_is_a_400_naming_the_field(client):
    payload = load("alertmanager_firing.json")
    payload["alerts"][0]["labels"]["instance"] = "app\x00:8000"
    response = post(client, payload)
    assert response.status_code == 400
    assert response.json()["errors"] == {"alerts[0].labels": ["must not contain the NUL character"]}
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_more_alerts_than_one_call_may_carry_is_a_400_naming_the_bound(client):
    from apps.monitoring.services import MAX_ALERTS_PER_NOTIFICATION

    payload = load("alertmanager_firing.json")
    payload["alerts"] = payload["alerts"] * (MAX_ALERTS_PER_NOTIFICATION + 1)
    response = post(client, payload)
    assert response.status_code == 400
    assert f"at most {MAX_ALERTS_PER_NOTIFICATION} alerts" in response.json()["errors"]["alerts"][0]
    assert not Incident.objects.exists()
