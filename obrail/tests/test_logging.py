"""Every request gets an id, returned as a header and carried by its log lines."""

from __future__ import annotations

import json
import logging

import pytest

from obrail.logging import JsonFormatter, RequestIdFilter, request_id_var


@pytest.mark.django_db
def test_response_carries_a_generated_request_id(client):
    response = client.get("/health")
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get("/health", HTTP_X_REQUEST_ID="abc-123-def-456")
    assert response["X-Request-ID"] == "abc-123-def-456"


@pytest.mark.django_db
def test_a_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/health", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_access_log_line_has_request_id_and_no_query_string(client, caplog):
    caplog.set_level(logging.INFO, logger="obrail.access")
    response = client.get("/health?email=someone@example.org")
    records = [r for r in caplog.records if r.name == "obrail.access"]
    assert records, "no access log line"
    record = records[-1]
    assert record.path == "/health"
    assert record.status == 200
    assert "example.org" not in record.getMessage()
    assert response["X-Request-ID"]


def test_json_formatter_writes_one_object_with_request_id_and_extras():
    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord(
            "obrail.test", logging.INFO, __file__, 1, "hello %s", ("x",), None
        )
        record.rows = 12
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    payload = json.loads(line)
    assert payload["message"] == "hello x"
    assert payload["request_id"] == "req-42"
    assert payload["rows"] == 12
    assert payload["level"] == "info"


def _filtered(name: str, level: int, msg: str, exc: BaseException | None = None, **extra):
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    record = logging.LogRecord(name, level, __file__, 1, msg, None, exc_info)
    record.__dict__.update(extra)
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_an_error_line_names_the_request_without_its_query_string(rf):
    request = rf.get("/api/trajets?origin=Mme+Dupont+domicile")
    payload = _filtered("django.request", logging.ERROR, "Internal Server Error", request=request)
    assert payload["request"] == "GET /api/trajets"
    assert "Dupont" not in json.dumps(payload)


def test_a_refused_host_is_a_one_line_warning():
    from django.core.exceptions import DisallowedHost

    try:
        raise DisallowedHost("Invalid HTTP_HOST header: 'scanner.example'")
    except DisallowedHost as error:
        payload = _filtered("django.security.DisallowedHost", logging.ERROR, str(error), error)
    assert payload["level"] == "warning"
    assert "exception" not in payload


def test_a_database_outage_is_one_line_per_request_not_a_traceback():
    from django.db import OperationalError

    try:
        raise OperationalError("connection to server at 127.0.0.1 failed")
    except OperationalError as error:
        payload = _filtered("django.request", logging.ERROR, "Internal Server Error", error)
    assert "exception" not in payload
    assert payload["message"] == (
        "Internal Server Error (OperationalError: connection to server at 127.0.0.1 failed)"
    )


def test_the_language_cookie_is_http_only_and_same_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
