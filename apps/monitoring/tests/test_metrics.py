"""Business metrics read from the database, and the /metrics view in one process."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import DatabaseError
from prometheus_client.parser import text_string_to_metric_families

from apps.monitoring import metrics
from apps.monitoring.metrics import BusinessMetricsCollector
from apps.monitoring.services import source_statuses
from apps.trajets.models import ImportRun
from apps.trajets.tests.factories import make_operator, make_run, make_source, make_trajet


def samples(collector: BusinessMetricsCollector) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in collector.collect()
        for sample in family.samples
    }


@pytest.mark.django_db
def test_services_are_counted_by_kind_and_operator():
    sncf, obb = make_operator("sncf", "SNCF"), make_operator("obb", "ÖBB", "AT")
    make_trajet(operator=sncf)
    make_trajet(operator=sncf)
    make_trajet(operator=obb, kind="night")
    make_trajet(operator=obb)

    values = samples(BusinessMetricsCollector(cache_seconds=0))

    assert values[("obrail_services", (("kind", "day"), ("operator", "sncf")))] == 2
    assert values[("obrail_services", (("kind", "night"), ("operator", "obb")))] == 1
    assert values[("obrail_services", (("kind", "day"), ("operator", "obb")))] == 1
    assert values[("obrail_data_rows", (("table", "trajet"),))] == 4
    assert values[("obrail_data_rows", (("table", "stop"),))] == 8
    assert values[("obrail_data_rows", (("table", "operator"),))] == 2
    assert values[("obrail_business_metrics_up", ())] == 1


@pytest.mark.django_db
def test_operators_beyond_the_label_limit_are_summed_as_other(monkeypatch):
    monkeypatch.setattr(metrics, "MAX_OPERATOR_LABELS", 1)
    big, small, tiny = make_operator("big"), make_operator("small"), make_operator("tiny")
    for operator in (big, big, small, tiny):
        make_trajet(operator=operator)

    values = samples(BusinessMetricsCollector(cache_seconds=0))
    services = {k: v for k, v in values.items() if k[0] == "obrail_services"}

    assert services == {
        ("obrail_services", (("kind", "day"), ("operator", "big"))): 2,
        ("obrail_services", (("kind", "day"), ("operator", "other"))): 2,
    }


@pytest.mark.django_db
def test_import_state_reports_last_success_and_a_failed_latest_run_per_source():
    finished = dt.datetime(2026, 11, 20, 2, 45, tzinfo=dt.UTC)
    gtfs, stations = make_source("gtfs-de"), make_source("stations")
    make_run(gtfs, started_at=finished - dt.timedelta(minutes=5), finished_at=finished)
    make_run(
        gtfs,
        status=ImportRun.Status.FAILED,
        started_at=finished + dt.timedelta(days=1),
        finished_at=finished + dt.timedelta(days=1, minutes=1),
        rows_read=120,
        rows_rejected=7,
    )
    make_run(
        gtfs,
        status=ImportRun.Status.SKIPPED,
        started_at=finished + dt.timedelta(days=2),
        finished_at=finished + dt.timedelta(days=2),
    )
    make_run(stations, started_at=finished, finished_at=finished, rows_read=50, rows_rejected=2)

    values = samples(BusinessMetricsCollector(cache_seconds=0))

    success = "obrail_etl_last_success_timestamp_seconds"
    assert values[(success, (("source", "gtfs-de"),))] == finished.timestamp()
    assert values[(success, (("source", "stations"),))] == finished.timestamp()
    assert values[("obrail_etl_last_run_failed", (("source", "gtfs-de"),))] == 1
    assert values[("obrail_etl_last_run_failed", (("source", "stations"),))] == 0
    assert values[("obrail_etl_last_run_rejected_records", (("source", "gtfs-de"),))] == 7
    assert values[("obrail_etl_last_run_read_records", (("source", "stations"),))] == 50


@pytest.mark.django_db
def test_internal_sources_of_admin_edits_and_repairs_are_not_watched_as_feeds():
    from apps.trajets.edits import record_edits

    record_edits(Counter({"trajets.Operator": 1}))
    make_run(make_source("gtfs-de"))

    values = samples(BusinessMetricsCollector(cache_seconds=0))

    sources = {dict(labels)["source"] for name, labels in values if name.startswith("obrail_etl")}
    assert sources == {"gtfs-de"}
    assert [s.name for s in source_statuses({})] == ["gtfs-de"]


@pytest.mark.django_db
def test_a_source_never_imported_successfully_has_no_timestamp():
    make_run(make_source("new-feed"), status=ImportRun.Status.FAILED)

    values = samples(BusinessMetricsCollector(cache_seconds=0))

    assert not any(name.endswith("timestamp_seconds") for name, _ in values)
    assert values[("obrail_etl_last_run_failed", (("source", "new-feed"),))] == 1


def test_a_database_failure_reports_the_metrics_as_down(monkeypatch):
    def fail() -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(metrics, "read_business_snapshot", fail)

    values = samples(BusinessMetricsCollector(cache_seconds=0))

    assert values[("obrail_business_metrics_up", ())] == 0
    assert not any(name == "obrail_services" for name, _ in values)


def test_describing_the_collector_does_not_touch_the_database(monkeypatch):
    monkeypatch.setattr(metrics, "read_business_snapshot", pytest.fail)

    names = {family.name for family in BusinessMetricsCollector().describe()}

    assert {"obrail_services", "obrail_etl_last_success_timestamp_seconds"} <= names


@pytest.mark.django_db
def test_snapshots_are_cached_between_scrapes(django_assert_num_queries):
    collector = BusinessMetricsCollector(cache_seconds=3600)
    list(collector.collect())

    with django_assert_num_queries(0):
        list(collector.collect())


@pytest.mark.django_db
def test_the_metrics_view_exports_http_and_business_metrics(client):
    metrics.BUSINESS_COLLECTOR._snapshot = None
    make_trajet(operator=make_operator("sncf"), kind="night")
    client.get("/health")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(response.content.decode())}
    night = [s for s in families["obrail_services"].samples if s.labels["kind"] == "night"]
    assert [(s.labels["operator"], s.value) for s in night] == [("sncf", 1.0)]
    health = [
        s
        for s in families["django_http_requests_latency_seconds_by_view_method"].samples
        if s.labels.get("view") == "health"
        and s.labels.get("method") == "GET"
        and s.name.endswith("_count")
    ]
    assert len(health) == 1
    assert health[0].value >= 1
