"""HTTP figures computed from the app's own metrics, and the status report."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram

from apps.monitoring import services
from apps.monitoring.models import Incident
from apps.monitoring.services import compute_service_status, histogram_quantile, read_http_samples
from apps.monitoring.tests.factories import make_incident
from apps.trajets.tests.factories import make_run, make_source


def test_histogram_quantile_interpolates_like_promql():
    # Same buckets as the ObrailHighLatencyP95 promtool test, where Prometheus says 987.5 ms.
    buckets = {0.5: 0.0, 0.75: 0.0, 1.0: 60.0, math.inf: 60.0}

    assert histogram_quantile(0.95, buckets) == pytest.approx(0.9875)
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.875)


def test_histogram_quantile_in_the_infinite_bucket_is_the_largest_finite_bound():
    assert histogram_quantile(0.99, {0.1: 1.0, 0.5: 2.0, math.inf: 10.0}) == 0.5


def test_histogram_quantile_of_an_empty_histogram_is_none():
    assert histogram_quantile(0.5, {0.1: 0.0, math.inf: 0.0}) is None
    assert histogram_quantile(0.5, {}) is None


def test_http_samples_are_grouped_into_api_and_pages_without_monitoring_views():
    registry = CollectorRegistry()
    latency = Histogram(
        "django_http_requests_latency_seconds_by_view_method",
        "latency",
        ["view", "method"],
        buckets=(0.1, 0.5),
        registry=registry,
    )
    responses = Counter(
        "django_http_responses_total_by_status_view_method",
        "responses",
        ["status", "view", "method"],
        registry=registry,
    )
    for seconds, status in [(0.05, "200"), (0.3, "200"), (0.3, "400"), (2.0, "500")]:
        latency.labels("api:trajet-list", "GET").observe(seconds)
        responses.labels(status, "api:trajet-list", "GET").inc()
    latency.labels("home", "GET").observe(0.05)
    responses.labels("200", "home", "GET").inc()
    latency.labels("monitoring:metrics", "GET").observe(0.01)
    responses.labels("200", "monitoring:metrics", "GET").inc(50)

    buckets, statuses = read_http_samples(registry.collect())

    assert buckets["api"] == {0.1: 1.0, 0.5: 3.0, math.inf: 4.0}
    assert statuses["api"] == {"200": 2.0, "400": 1.0, "500": 1.0}
    assert statuses["pages"] == {"200": 1.0}
    assert set(buckets) == {"api", "pages"}


def test_http_figures_turn_counts_into_percentages_and_milliseconds(monkeypatch):
    monkeypatch.setattr(
        services,
        "read_http_samples",
        lambda _: (
            {"api": {0.1: 1.0, 0.5: 3.0, math.inf: 4.0}},
            {"api": {"200": 2.0, "400": 1.0, "500": 1.0}},
        ),
    )

    api, pages = services.compute_http_figures()

    assert api.requests == 4
    assert api.availability_percent == 75.0
    assert api.server_error_percent == 25.0
    assert api.client_error_percent == 25.0
    assert api.p50_ms == pytest.approx(300.0)
    assert api.p95_ms == pytest.approx(500.0)
    assert pages.requests == 0
    assert pages.availability_percent is None


@pytest.mark.django_db
def test_service_status_lists_open_and_recent_incidents_and_stale_sources():
    now = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
    open_incident = make_incident(starts_at=now - dt.timedelta(minutes=30))
    recent = make_incident(status=Incident.Status.RESOLVED, starts_at=now - dt.timedelta(days=2))
    make_incident(status=Incident.Status.RESOLVED, starts_at=now - dt.timedelta(days=45))
    for name, age in (("fresh", dt.timedelta(hours=3)), ("stale", dt.timedelta(hours=27))):
        finished = now - age
        make_run(make_source(name), started_at=finished, finished_at=finished)

    status = compute_service_status(now=now)

    assert status.is_healthy
    assert status.database["status"] == "ok"
    assert status.open_incidents == [open_incident]
    assert status.recent_incidents == [recent]
    assert {(s.name, s.is_stale) for s in status.sources} == {("fresh", False), ("stale", True)}
    assert {s.validity for s in status.sources} == {"unknown"}  # no running dates known
