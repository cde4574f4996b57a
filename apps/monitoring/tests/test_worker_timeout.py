"""A request killed by gunicorn's worker timeout is logged with its request id and counted
as a 5xx, under a real gunicorn with deploy/gunicorn.conf.py."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from apps.monitoring.tests.test_multiprocess import (
    METRICS_TOKEN,
    ROOT,
    UnixHTTPConnection,
    database_url,
    get,
)

REQUEST_ID = "timeout-test-request-0001"


def _wait_until_healthy(sock, process) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(sock, "/health")[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("gunicorn did not start")
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_request_killed_by_the_worker_timeout_is_logged_and_counted_as_5xx(tmp_path):
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("gunicorn workers need a database shared between processes: PostgreSQL")
    sock = tmp_path / "gunicorn.sock"
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "timeout-test",
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "info",
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "GUNICORN_BIND": f"unix:{sock}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "1",
        "GUNICORN_TIMEOUT": "2",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "deploy/gunicorn.conf.py",
                "apps.monitoring.tests.slow_wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        _wait_until_healthy(sock, process)
        connection = UnixHTTPConnection(sock)
        connection.timeout = 30
        connection.request(
            "GET",
            "/test-slow?seconds=60",
            headers={"Host": "localhost", "X-Request-ID": REQUEST_ID},
        )
        # gunicorn answers its own bare 500 when the response had not started.
        try:
            answer = connection.getresponse()
            client_status = answer.status
            assert "X-Request-ID" not in answer.headers
        except (http.client.RemoteDisconnected, ConnectionError):
            client_status = None
        connection.close()
        _wait_until_healthy(sock, process)
        status, body = get(sock, "/metrics")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    assert client_status in {500, None}
    assert status == 200
    families = {f.name: f for f in text_string_to_metric_families(body)}
    killed = [
        s.value
        for s in families["django_http_responses_total_by_status_view_method"].samples
        if s.labels.get("view") == "test-slow" and s.labels.get("status") == "500"
    ]
    assert killed == [1.0]
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line.get("event") == "request_killed"]
    assert line["request_id"] == REQUEST_ID
    assert line["path"] == "/test-slow"
    assert line["status"] == 500
    assert line["duration_ms"] >= 1000
