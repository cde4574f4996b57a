"""Acceptance: the planner agrees with a brute force over the raw feed (real extract)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.routing.services.acceptance import AcceptanceError, check_journeys

FEED = Path(settings.BASE_DIR) / "data" / "samples" / "gtfs" / "db_fernverkehr_gtfsde_2025-11"


@pytest.fixture
def db_feed(db, artifact_dir):
    """The bundled DB long-distance extract, loaded by the ETL (which publishes the artefact)."""
    call_command("etl", "--source", "db-fernverkehr", "--path", str(FEED), stdout=StringIO())
    return FEED


def test_the_planner_agrees_with_the_brute_force_on_400_queries_of_the_real_extract(db_feed):
    report = check_journeys(source="db-fernverkehr", path=db_feed, queries=400, seed=1)
    assert len(report.queries) == 400
    # Every query is connected on its date: "none" against "none" cannot inflate the rate.
    assert report.expected_journeys == 400
    assert report.both_none == 0
    assert report.rate >= 0.99, [
        (q.origin.name, q.destination.name, q.depart, q.expected, q.planner_error)
        for q in report.disagreements
    ]
    assert report.planner_legs >= 400
    assert report.forbidden_legs == 0
    # Queries cross midnight both ways and use more than one date.
    assert len({query.depart.date() for query in report.queries}) > 5
    assert any(query.depart.hour < 3 for query in report.queries)
    assert any(
        query.expected.arrival.date() > query.depart.date()
        for query in report.queries
        if query.expected is not None
    )


def test_the_command_prints_the_rate_and_fails_below_the_minimum(db_feed):
    out = StringIO()
    call_command(
        "check_journeys",
        "--source",
        "db-fernverkehr",
        "--path",
        str(db_feed),
        "--queries",
        "20",
        "--min-rate",
        "0.9",
        stdout=out,
    )
    text = out.getvalue()
    assert "queries: 20; with a journey: brute force 20" in text
    assert "change rule (both sides): Station.min_transfer_min when published, else 300 s" in text
    with pytest.raises(CommandError, match="is below --min-rate"):
        call_command(
            "check_journeys",
            "--source",
            "db-fernverkehr",
            "--path",
            str(db_feed),
            "--queries",
            "5",
            "--min-rate",
            "1.01",
            stdout=StringIO(),
        )


def test_the_check_detects_a_planner_that_ignores_boarding_rules(db_feed, monkeypatch):
    from apps.routing.services import build_routing_artifact, network

    class IgnoredRules:
        NONE = -1  # no stop forbids anything

    monkeypatch.setattr(network, "BoardingRule", IgnoredRules)
    build_routing_artifact(run_id="rules ignored")
    report = check_journeys(source="db-fernverkehr", path=db_feed, queries=400, seed=1)
    assert report.disagreements
    assert report.forbidden_legs > 0
    assert all(
        query.answer is not None and query.answer.arrival < query.expected.arrival
        for query in report.disagreements
    )


def test_an_unknown_source_is_a_clear_error(db):
    with pytest.raises(AcceptanceError, match="'nope' is not loaded"):
        check_journeys(source="nope", path=FEED, queries=5)
