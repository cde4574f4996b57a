"""Operational endpoints over plain HTTP, the var directory in /health, and an API that does
not need the var directory to be writable."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches

from obrail import cache_backends
from obrail.cache_backends import FallbackFileBasedCache


@pytest.fixture
def unwritable_dir(tmp_path: Path) -> Path:
    """A directory nobody can create files in: read-only, or, for root (whom permissions do
    not stop), a path under a regular file."""
    directory = tmp_path / "var"
    directory.mkdir()
    directory.chmod(0o555)
    probe = directory / "probe"
    try:
        probe.touch()
    except OSError:
        yield directory
    else:
        probe.unlink()
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        yield blocker / "var"
    directory.chmod(0o755)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health", "/metrics", "/monitoring/alertmanager"])
def test_operational_endpoints_are_not_redirected_to_https(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    response = client.post(path) if "alertmanager" in path else client.get(path)
    assert response.status_code in {200, 401, 403}
    assert client.get("/api/operators").status_code == 301


@pytest.mark.django_db
def test_health_is_200_with_the_https_redirect_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"]["var_dir"]["status"] == "ok"
    assert response.json()["checks"]["var_dir"]["free_mb"] > 0


@pytest.mark.django_db
def test_health_reports_an_unwritable_var_dir_as_degraded(client, settings, unwritable_dir):
    settings.VAR_DIR = unwritable_dir
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["var_dir"]
    assert "not writable" in body["checks"]["var_dir"]["error"]
    assert str(unwritable_dir) not in response.content.decode()


@pytest.mark.django_db
def test_health_reports_a_var_dir_low_on_space(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VAR_DIR_MIN_FREE_MB = 10**12
    body = client.get("/health").json()
    assert body["checks"]["var_dir"] == {
        "status": "fail",
        "free_mb": body["checks"]["var_dir"]["free_mb"],
        "error": "low on space",
    }


def test_file_cache_falls_back_to_memory_when_its_directory_is_unwritable(unwritable_dir):
    cache = FallbackFileBasedCache(str(unwritable_dir / "cache"), {})
    cache.set("key", "value", 60)
    assert cache.is_degraded
    assert cache.get("key") == "value"
    assert cache.add("other", 1) is True
    assert cache.incr("other") == 2


def test_file_cache_uses_its_directory_again_after_the_fallback_period(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    cache = FallbackFileBasedCache(str(directory), {})
    monkeypatch.setattr(cache_backends, "FALLBACK_SECONDS", 0.0)
    cache._degrade("set", OSError(28, "No space left on device"))
    cache.set("key", "value", 60)
    assert any(directory.iterdir())
    assert FallbackFileBasedCache(str(directory), {}).get("key") == "value"


@pytest.mark.django_db
def test_api_and_throttle_work_with_an_unwritable_file_cache(client, settings, unwritable_dir):
    settings.CACHES = {
        "default": {
            "BACKEND": "obrail.cache_backends.FallbackFileBasedCache",
            "LOCATION": str(unwritable_dir / f"cache-{uuid.uuid4().hex}"),
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    assert not os.access(unwritable_dir, os.W_OK) or not unwritable_dir.parent.is_dir()
    statuses = [client.get("/api/operators").status_code for _ in range(4)]
    # Served, and still throttled (from memory).
    assert statuses == [200, 200, 200, 429]
    assert caches["default"].is_degraded
    assert client.get("/api/stats/volumes").status_code in {200, 429}
