"""Downloads of remote sources: cache, conditional requests, retries (local server only)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from apps.trajets.etl.download import fetch
from apps.trajets.etl.errors import DownloadError

PORT = 8131
BODY = b"stop_id,stop_name\n1,Paris Nord\n"


class _Handler(BaseHTTPRequestHandler):
    calls: list[tuple[str, str]] = []
    failures_left = 0
    files: dict[str, bytes] = {}

    def do_GET(self) -> None:
        type(self).calls.append((self.path, self.headers.get("If-None-Match", "")))
        if self.path in type(self).files:
            body = type(self).files[self.path]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/missing.csv":
            self.send_error(404)
            return
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            self.send_error(503)
            return
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Last-Modified", "Sat, 01 Nov 2025 10:00:00 GMT")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[type[_Handler]]:
    _Handler.calls = []
    _Handler.failures_left = 0
    _Handler.files = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", PORT), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield _Handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_second_download_sends_the_etag_and_reuses_the_cache_on_304(
    server: type[_Handler], tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{PORT}/stations.csv"
    first = fetch(url, tmp_path, timeout_s=5)
    assert first.read_bytes() == BODY
    second = fetch(url, tmp_path, timeout_s=5)
    assert second == first
    assert server.calls == [("/stations.csv", ""), ("/stations.csv", '"v1"')]


def test_server_errors_are_retried_then_succeed(server: type[_Handler], tmp_path: Path) -> None:
    server.failures_left = 2
    path = fetch(f"http://127.0.0.1:{PORT}/s.csv", tmp_path, retries=3, backoff_s=0.01)
    assert path.read_bytes() == BODY
    assert len(server.calls) == 3


def test_client_errors_fail_at_once_with_the_status(server: type[_Handler], tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(f"http://127.0.0.1:{PORT}/missing.csv", tmp_path, backoff_s=0.01)
    assert len(server.calls) == 1


def test_oversized_downloads_and_other_schemes_are_refused(
    server: type[_Handler], tmp_path: Path
) -> None:
    with pytest.raises(DownloadError, match="larger than"):
        fetch(f"http://127.0.0.1:{PORT}/s.csv", tmp_path, max_bytes=10, retries=1)
    with pytest.raises(DownloadError, match="only http"):
        fetch("file:///etc/passwd", tmp_path)


@pytest.mark.django_db
def test_etl_command_downloads_a_feed_given_by_url(
    server: type[_Handler], tmp_path: Path, settings
) -> None:
    import io
    import zipfile

    from django.core.management import call_command

    from apps.trajets.models import Trajet
    from apps.trajets.tests.test_etl_extractors import GTFS_FILES

    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in GTFS_FILES.items():
            archive.writestr(name, text)
    server.files["/feed.zip"] = buffer.getvalue()
    out = io.StringIO()
    call_command(
        "etl", "--format", "gtfs", "--name", "remote", "--cache-dir", str(tmp_path / "cache"),
        "--url", f"http://127.0.0.1:{PORT}/feed.zip", stdout=out,
    )  # fmt: skip
    assert "remote: succeeded" in out.getvalue()
    assert Trajet.objects.filter(source__name="remote").count() == 2
    assert list((tmp_path / "cache").glob("*.zip"))
