"""The client is the socket address unless a trusted proxy says otherwise."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from obrail.client_ip import client_address, client_key, parse_address
from obrail.env import env_networks


def _request(remote_addr: str, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/api/operators", **headers)


def _trust(settings, *networks: str) -> None:
    settings.TRUSTED_PROXIES = tuple(ipaddress.ip_network(n) for n in networks)


def test_ignores_forwarded_for_when_no_proxy_is_trusted(settings):
    _trust(settings)
    assert client_address(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_ignores_forwarded_for_sent_by_an_untrusted_peer(settings):
    _trust(settings, "10.0.0.0/8")
    assert client_address(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_reads_the_hop_appended_by_a_trusted_proxy(settings):
    _trust(settings, "10.0.0.0/8")
    # The client wrote "1.1.1.1" itself; the proxy appended the address it saw.
    request = _request("10.0.0.2", "1.1.1.1, 198.51.100.1")
    assert client_address(request) == "198.51.100.1"


def test_skips_a_chain_of_trusted_proxies(settings):
    _trust(settings, "10.0.0.0/8", "192.0.2.10")
    request = _request("10.0.0.2", "6.6.6.6, 198.51.100.1, 192.0.2.10, 10.1.2.3")
    assert client_address(request) == "198.51.100.1"


def test_stops_at_a_malformed_hop_on_the_last_vouched_address(settings):
    _trust(settings, "10.0.0.0/8")
    assert client_address(_request("10.0.0.2", "unknown")) == "10.0.0.2"
    assert client_address(_request("10.0.0.2", "")) == "10.0.0.2"


def test_reads_ports_brackets_and_ipv4_mapped_addresses():
    assert str(parse_address("198.51.100.1:4431")) == "198.51.100.1"
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("::ffff:198.51.100.1")) == "198.51.100.1"
    assert parse_address("not-an-address") is None


def test_counts_ipv6_clients_per_64(settings):
    _trust(settings)
    first = client_key(_request("2001:db8:1:2::1"))
    second = client_key(_request("2001:db8:1:2:ffff::9"))
    assert first == second == "2001:db8:1:2::/64"
    assert client_key(_request("198.51.100.1")) == "198.51.100.1"


def test_trusted_proxies_setting_refuses_what_is_not_a_network(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, proxy.example.org")
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.example\.org"):
        env_networks("TRUSTED_PROXIES")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1/8")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        env_networks("TRUSTED_PROXIES")
    monkeypatch.setenv("TRUSTED_PROXIES", " 10.0.0.0/8 , ::1 ")
    assert [str(n) for n in env_networks("TRUSTED_PROXIES")] == ["10.0.0.0/8", "::1/128"]


@pytest.mark.django_db
def test_rotating_forwarded_for_is_throttled_like_any_client(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    statuses = [
        client.get("/api/operators", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_clients_behind_a_trusted_proxy_have_their_own_budget(client, settings):
    _trust(settings, "127.0.0.1")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": "5/minute"},
    }

    def get(forwarded_for: str) -> int:
        return client.get(
            "/api/operators", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for
        ).status_code

    assert get("198.51.100.1") == 200
    assert get("198.51.100.2") == 200
    assert get("6.6.6.6, 198.51.100.1") == 429
