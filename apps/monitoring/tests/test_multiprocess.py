"""/metrics under two real gunicorn workers: request counts from both add up.

Gunicorn runs with deploy/gunicorn.conf.py, as in the container, on a Unix socket (no TCP port
to collide with parallel runs) and on the test database.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(settings.BASE_DIR)
COUNTER = "django_http_requests_total_by_method_total"
# A Unix socket has no client address for the loopback rule of /metrics: the token it is.
METRICS_TOKEN = "multiprocess-test-metrics-token"


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket."""

    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=10)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def get(sock: Path, path: str) -> tuple[int, str]:
    connection = UnixHTTPConnection(sock)
    headers = {"Host": "localhost", "Authorization": f"Bearer {METRICS_TOKEN}"}
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def database_url() -> str:
    db = settings.DATABASES["default"]
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def get_counts_per_worker(directory: Path, scratch: Path) -> dict[str, float]:
    """Read each worker's own file alone: GET requests counted by that process."""
    counts = {}
    for path in sorted(directory.glob("counter_*.db")):
        alone = scratch / path.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(alone))
        counts[path.stem] = registry.get_sample_value(COUNTER, {"method": "GET"}) or 0.0
    return counts


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("gunicorn workers need a database shared between processes: PostgreSQL")
    sock = tmp_path / "gunicorn.sock"
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "multiprocess-test",
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "warning",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "GUNICORN_BIND": f"unix:{sock}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "1",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "deploy/gunicorn.conf.py",
            "obrail.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # Readiness probes the server may have counted: answered ones (a 503 while the database
    # check is slow included), and ones that timed out after connecting (served or not).
    probes = {"answered": 0, "timed_out": 0}
    while True:
        try:
            status = get(sock, "/health")[0]
            probes["answered"] += 1
            if status == 200:
                break
        except (FileNotFoundError, ConnectionRefusedError):
            pass
        except OSError:
            probes["timed_out"] += 1
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield sock, multiproc, probes
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def test_request_counts_from_two_gunicorn_workers_add_up_in_metrics(gunicorn, tmp_path):
    sock, multiproc, probes = gunicorn
    sent = probes["answered"]  # the readiness probes, the one that found the server ready last
    counts: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(20):
            statuses = list(pool.map(lambda _: get(sock, "/health")[0], range(16)))
            assert statuses == [200] * 16
            sent += 16
            counts = get_counts_per_worker(multiproc, tmp_path)
            if len([n for n in counts.values() if n > 0]) >= 2:
                break

    status, body = get(sock, "/metrics")

    assert status == 200
    assert len(counts) == 2, f"expected two worker files, got {sorted(counts)}"
    assert all(n > 0 for n in counts.values()), f"one worker served nothing: {counts}"
    families = {f.name: f for f in text_string_to_metric_families(body)}
    merged = {
        s.labels["method"]: s.value
        for s in families["django_http_requests_total_by_method"].samples
        if s.name == COUNTER
    }
    # The scrape itself is counted before the view runs; a probe that timed out on a loaded
    # machine may or may not have reached a worker.
    assert sent + 1 <= merged["GET"] <= sent + 1 + probes["timed_out"]
    assert sum(get_counts_per_worker(multiproc, tmp_path).values()) == merged["GET"]
    assert families["obrail_business_metrics_up"].samples[0].value == 1
