"""Route solvers run in the compute pool (:mod:`obrail.compute`): no route query holds a web
worker beyond the compute budget, whatever the method (the course's depth-first methods can
run for minutes on a large network).

Only the solver crosses: node numbers, times and options in, the solver's result out. The
child loads the same artefact (its directory and version are arguments, so that node numbers
mean the same on both sides) and keeps it, as the web process does; the database is read by
the caller alone, which turns nodes into stations and trains. Results of identical queries
are cached by ``run_bounded`` for the current imports.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from apps.routing.pathfinding import (
    Journey,
    PathResult,
    Timetable,
    earliest_arrival,
    pareto_journeys,
)
from apps.routing.pathfinding import shortest_path as _shortest_path
from apps.routing.pathfinding.bundle import RoutingNetwork
from apps.routing.services.network import RoutingUnavailable, artifact_root, load_network
from obrail.compute import run_bounded

__all__ = ["bounded_earliest_arrival", "bounded_pareto", "bounded_shortest_path"]


def bounded_shortest_path(
    network: RoutingNetwork, source: int, target: int, *, method: str, criterion: str
) -> PathResult:
    """``shortest_path`` on ``network``'s graph (the settings' artefact, as the caller loaded
    it), in the compute pool."""
    return run_bounded(
        "routing.path",
        _shortest_path_in_child,
        str(artifact_root()),
        network.version,
        source,
        target,
        method,
        criterion,
    )


def bounded_earliest_arrival(
    network: RoutingNetwork,
    day: dt.date,
    source: int,
    target: int,
    depart_s: int,
    *,
    method: str,
    trains: str,
    max_transfers: int | None,
) -> Journey:
    """``earliest_arrival`` on the timetable of ``day``, in the compute pool."""
    return run_bounded(
        "routing.journey",
        _earliest_arrival_in_child,
        str(artifact_root()),
        network.version,
        day,
        source,
        target,
        depart_s,
        method,
        trains,
        max_transfers,
    )


def bounded_pareto(
    network: RoutingNetwork,
    day: dt.date,
    source: int,
    target: int,
    depart_s: int,
    until_s: int,
    *,
    trains: str,
    max_transfers: int,
) -> list[Journey]:
    """``pareto_journeys`` on the timetable of ``day``, in the compute pool."""
    return run_bounded(
        "routing.pareto",
        _pareto_in_child,
        str(artifact_root()),
        network.version,
        day,
        source,
        target,
        depart_s,
        until_s,
        trains,
        max_transfers,
    )


def _network(root: str, version: str) -> RoutingNetwork:
    network = load_network(Path(root))
    if network.version != version:
        # An import replaced the artefact between the caller's load and this one.
        raise RoutingUnavailable(f"artefact {version} replaced by {network.version}: retry")
    return network


def _timetable(root: str, version: str, day: dt.date) -> Timetable:
    """The child's timetable of ``day`` (built once per child, like the caller's)."""
    return _network(root, version).schedule.service_day(day).timetable


def _shortest_path_in_child(
    root: str, version: str, source: int, target: int, method: str, criterion: str
) -> PathResult:
    graph = _network(root, version).graph
    return _shortest_path(graph, source, target, method=method, criterion=criterion)


def _earliest_arrival_in_child(
    root: str,
    version: str,
    day: dt.date,
    source: int,
    target: int,
    depart_s: int,
    method: str,
    trains: str,
    max_transfers: int | None,
) -> Journey:
    timetable = _timetable(root, version, day)
    return earliest_arrival(
        timetable,
        source,
        target,
        depart_s,
        method=method,
        trains=trains,
        max_transfers=max_transfers,
    )


def _pareto_in_child(
    root: str,
    version: str,
    day: dt.date,
    source: int,
    target: int,
    depart_s: int,
    until_s: int,
    trains: str,
    max_transfers: int,
) -> list[Journey]:
    timetable = _timetable(root, version, day)
    return pareto_journeys(
        timetable, source, target, depart_s, until_s, trains=trains, max_transfers=max_transfers
    )
