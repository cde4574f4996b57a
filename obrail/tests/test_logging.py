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
