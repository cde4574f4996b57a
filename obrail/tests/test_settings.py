"""Settings come from the environment and refuse unsafe or malformed values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from obrail.env import env_bool, env_int, parse_cache_url, parse_database_url

BASE_DIR = Path(__file__).resolve().parents[2]


def _start_django(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "obrail.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _start_django(DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set and DEBUG is off" in result.stderr


def test_starts_without_secret_key_in_debug():
    result = _start_django(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_reads_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "x" * 40)
    result = _start_django(DEBUG="false", SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr


def test_refuses_a_malformed_boolean(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG")


def test_refuses_an_integer_below_its_minimum(monkeypatch):
    monkeypatch.setenv("PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="PORT=0 must be at least 1"):
        env_int("PORT", 8000, minimum=1)


def test_parses_postgres_urls():
    parsed = parse_database_url("postgres://obrail:s%40cret@db:5433/obrail", base_dir=BASE_DIR)
    assert (parsed.name, parsed.user, parsed.password, parsed.host, parsed.port) == (
        "obrail",
        "obrail",
        "s@cret",
        "db",
        "5433",
    )
    assert parsed.engine.endswith("postgresql")


def test_parses_relative_and_absolute_sqlite_urls():
    assert parse_database_url("sqlite:///db.sqlite3", base_dir=Path("/p")).name == "/p/db.sqlite3"
    assert parse_database_url("sqlite:////tmp/x.db", base_dir=Path("/p")).name == "/tmp/x.db"


def test_refuses_an_unknown_database_scheme():
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql' is not supported"):
        parse_database_url("mysql://x/y", base_dir=BASE_DIR)


def test_parses_cache_urls():
    assert parse_cache_url("locmem://")["BACKEND"].endswith("LocMemCache")
    file_cache = parse_cache_url("file:///var/lib/obrail/cache")
    assert file_cache["BACKEND"].endswith("FileBasedCache")
    assert file_cache["LOCATION"] == "/var/lib/obrail/cache"


def test_refuses_a_relative_or_unknown_cache_url():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL 'file://cache'"):
        parse_cache_url("file://cache")
    with pytest.raises(ImproperlyConfigured, match="is not supported"):
        parse_cache_url("memcached://x")
