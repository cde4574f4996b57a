"""/metrics answers Prometheus (token or allowed network) and nobody else."""

from __future__ import annotations

import ipaddress

import pytest

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-token"


def _networks(*networks: str) -> tuple:
    return tuple(ipaddress.ip_network(n) for n in networks)


def test_answers_loopback_by_default(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert b"django_http_requests" in response.content


def test_refuses_other_networks_without_a_token(client):
    response = client.get("/metrics", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 403
    assert "authorization" in response.json()["errors"]
    assert b"django_http" not in response.content


def test_answers_the_bearer_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get(
        "/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    assert response.status_code == 200
    wrong = client.get("/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403


def test_an_empty_token_setting_accepts_no_token(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


def test_answers_configured_networks(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = _networks("172.16.0.0/12")
    assert client.get("/metrics", REMOTE_ADDR="172.18.0.5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_refuses_a_request_relayed_by_an_untrusted_proxy_on_loopback(client, settings):
    settings.TRUSTED_PROXIES = ()
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 403


def test_judges_the_client_behind_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = _networks("10.0.0.0/8")
    settings.METRICS_ALLOWED_NETWORKS = _networks("192.0.2.0/24")
    inside = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.9")
    outside = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert (inside.status_code, outside.status_code) == (200, 403)
