"""Requests in flight are known to the worker, so a timeout kill can name and count them."""

from __future__ import annotations

import logging

from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django_prometheus.middleware import Metrics

from obrail import inflight
from obrail.middleware import RequestIdMiddleware


def _killed_count(view: str) -> float:
    counter = Metrics.get_instance().responses_by_status_view_method
    return counter.labels(status="500", view=view, method="GET")._value.get()


def test_a_request_is_in_flight_while_its_view_runs_and_not_after():
    seen = []

    def view(request):
        seen.append([entry.request_id for entry in inflight._in_flight.values()])
        return HttpResponse("ok")

    request = RequestFactory().get("/x", HTTP_X_REQUEST_ID="inflight-test-0001")
    RequestIdMiddleware(view)(request)
    assert seen == [["inflight-test-0001"]]
    assert inflight._in_flight == {}


def test_a_streamed_response_stays_in_flight_until_its_last_chunk():
    def chunks():
        yield b"a"
        yield str(len(inflight._in_flight)).encode()

    request = RequestFactory().get("/x")
    response = RequestIdMiddleware(lambda r: StreamingHttpResponse(chunks()))(request)
    assert inflight._in_flight == {}
    assert b"".join(response.streaming_content) == b"a1"
    assert inflight._in_flight == {}


def test_killed_requests_are_logged_with_their_id_and_counted_as_500(caplog):
    request = RequestFactory().get("/api/operators")
    request.resolver_match = None
    before = _killed_count("<unnamed view>")
    inflight.start_request(request, "killed-request-0001")
    caplog.set_level(logging.ERROR, logger="obrail.access")

    assert inflight.report_killed_requests("gunicorn worker timeout (30 s)") == 1

    [record] = [r for r in caplog.records if getattr(r, "event", "") == "request_killed"]
    assert record.path == "/api/operators"
    assert record.status == 500
    assert record.reason == "gunicorn worker timeout (30 s)"
    assert _killed_count("<unnamed view>") == before + 1
    assert inflight._in_flight == {}
