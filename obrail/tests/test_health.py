"""``/health`` reports liveness, database readiness, version and import freshness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apps.trajets.models import ImportRun
from apps.trajets.tests.factories import make_run, make_source
from obrail import health

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_is_ok_and_lists_last_successful_import_per_source(client):
    source = make_source("ontd")
    make_run(source)
    latest = make_run(source)
    make_run(source, status=ImportRun.Status.FAILED)

    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["version"]
    assert body["last_successful_imports"] == {"ontd": latest.finished_at.isoformat()}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_rejects_other_methods(client):
    assert client.post("/health").status_code == 405


def test_health_answers_503_naming_the_database_when_it_is_unreachable():
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "obrail.settings",
        # Nothing listens on port 1: the connection is refused, as with a stopped server.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/obrail",
        "SECRET_KEY": "test",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["failing"] == ["database"]
    assert answer["body"]["checks"]["database"]["status"] == "fail"
    assert answer["body"]["checks"]["database"]["error"] == "database unreachable"
    # Neither the host and port nor the driver's message reach the public report.
    text = json.dumps(answer["body"])
    assert "127.0.0.1" not in text
    assert "TCP/IP" not in text


@pytest.mark.django_db
def test_without_a_registered_freshness_source_health_lists_no_import(monkeypatch):
    make_run(make_source("ontd"))
    monkeypatch.setattr(health, "_import_freshness_source", [])
    assert health.collect_health()[1]["last_successful_imports"] == {}
