"""The routing management commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.routing.pathfinding.artifact import current_version
from apps.routing.tests.factories import make_line_network


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_build_command_publishes_a_version(db, artifact_dir):
    make_line_network()
    output = _run("build_routing_artifact", "--run-id", "7")
    version = current_version(artifact_dir)
    assert version in output
    manifest = (artifact_dir / "versions" / version / "manifest.json").read_text()
    assert '"run_id": "7"' in manifest
    assert '"test-feed": [' in manifest


def test_shortest_path_command_prints_the_route_and_the_co2(line_network):
    output = _run(
        "shortest_path", "Paris Gare de Lyon", "Marseille Saint-Charles", "--method", "dijkstra"
    )
    assert "Paris Gare de Lyon → Lyon Part-Dieu" in output
    assert "total: 220 min" in output
    assert "flight" in output


def test_shortest_path_command_with_depart_prints_trains(line_network):
    output = _run(
        "shortest_path",
        "Paris Gare de Lyon",
        "Marseille Saint-Charles",
        "--depart",
        "2025-06-11T07:30",
    )
    assert "2025-06-11 08:00 → 10:00" in output
    assert "1 transfer(s)" in output


def test_shortest_path_command_fails_clearly_on_an_unknown_station(line_network):
    with pytest.raises(CommandError, match="Gare ou ville inconnue"):
        _run("shortest_path", "Atlantis", "Lyon Part-Dieu")


def test_shortest_path_command_without_artifact_says_how_to_build_it(db, artifact_dir):
    make_line_network()
    with pytest.raises(CommandError, match="build_routing_artifact"):
        _run("shortest_path", "Lyon Part-Dieu", "Marseille Saint-Charles")


def test_pareto_option_lists_the_non_dominated_journeys_of_the_window(line_network):
    output = _run(
        "shortest_path",
        "Paris Gare de Lyon",
        "Marseille Saint-Charles",
        "--depart",
        "2025-06-11T07:00",
        "--pareto-until",
        "2025-06-11T22:00",
    )
    assert "2 Pareto-optimal journey(s)" in output
    assert "2025-06-11 08:00 → 2025-06-11 12:10  250 min, 1 transfer(s)" in output
    assert "2025-06-11 21:00 → 2025-06-12 07:00  600 min, 0 transfer(s)" in output


def test_bench_command_times_day_builds_journeys_and_both_kinds_of_api_request(line_network):
    from apps.routing.services import build_routing_artifact
    from apps.trajets.tests.factories import make_trajet

    back = [line_network.marseille, line_network.lyon, line_network.paris]
    make_trajet(back, times=[(None, "06:00"), ("07:40", "07:45"), ("09:45", None)])
    make_trajet(back[1:], times=[(None, "11:00"), ("13:00", None)])
    make_trajet(back[::-1], times=[(None, "09:00"), ("11:00", "11:05"), ("12:45", None)])
    build_routing_artifact(run_id="bench")
    output = _run("bench_routing", "--skip-synthetic", "--queries", "5")
    assert "covered: test-feed 2025-01-01..2025-12-31" in output
    assert "timetable of a date built on demand: n=5" in output
    assert "earliest_arrival   blocks" in output
    assert "GET /api/routes (network) end to end" in output
    assert "GET /api/routes (journey) end to end" in output
