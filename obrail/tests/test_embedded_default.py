"""The embedded default (SQLite, `make run`) serves the API and the pages, not only PostgreSQL.

The suite runs on PostgreSQL; this test runs the same commands as `make run` on a fresh SQLite
database in a child process (one small bundled source), then requests the API and the pages
there. Hand-written SQL that only PostgreSQL reads (a `::` cast…) fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

URLS = [
    "/health",
    "/api/trajets",
    "/api/trajets?kind=night&ordering=-duration&page_size=5",
    "/api/trajets?country=FR&date=2014-01-15&departure_after=07:00&q=Paris",
    "/api/trajets?page=2&page_size=10",
    "/api/trajets?format=csv",
    "/api/stations?q=Par",
    "/api/stations?page=2&page_size=5",
    "/api/operators",
    "/api/stats/volumes",
    "/api/stats/volumes?group_by=operator,country,kind",
    "/api/stats/volumes?group_by=kind&country=FR&kind=day",
    "/api/stats/volumes?group_by=country&min_duration=60",
    "/api/schema",
    "/",
    "/trajets/",
    "/trajets/?kind=night&ordering=-duration",
    "/trajets/carte",
    "/trajets/qualite",
    "/indicateurs/",
    "/itineraires/",
    "/ecologie/",
]

REQUESTS = """
import json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
from apps.trajets.models import Trajet

failures = []
with override_settings(ALLOWED_HOSTS=["testserver"]):
    client = Client()
    first = Trajet.objects.order_by("pk").first()
    for url in json.loads(sys.argv[1]) + [f"/api/trajets/{first.pk}", f"/trajets/{first.pk}"]:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200 or not body:
            failures.append(f"{url}: {response.status_code} {body[:300]!r}")
print("\\n".join(failures))
sys.exit(1 if failures else 0)
"""


def test_make_run_commands_serve_the_api_and_pages_on_sqlite(tmp_path: Path):
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "OBRAIL_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "obrail.settings",
    }
    env.pop("OBRAIL_REQUIRE_POSTGRES", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )

    for command in (
        ("manage.py", "migrate", "--no-input", "-v0"),
        ("manage.py", "etl", "--source", "sncf-intercites"),
    ):
        done = run(*command)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    done = run("-c", REQUESTS, json.dumps(URLS))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
