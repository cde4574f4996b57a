"""Routing use cases: the only bridge between the ORM and the pathfinding package.

This package's ``__init__`` is the routing app's public surface for other apps (the atlas): the
names below, re-exported from the modules of the package and from the artefact's reader. Its
submodules are the app's own; the solver package :mod:`apps.routing.pathfinding` (no Django)
is public through its own ``__init__``.
"""

from __future__ import annotations

from apps.routing.pathfinding.artifact import current_version as artifact_version
from apps.routing.pathfinding.bundle import RoutingNetwork
from apps.routing.services.answers import RouteAnswer, RouteLeg, arc_weights
from apps.routing.services.journeys import DEFAULT_JOURNEY_METHOD, uncovered_date_message
from apps.routing.services.network import (
    DAY_CACHE_SIZE,
    DEFAULT_STATIC_METHOD,
    RoutingUnavailable,
    artifact_root,
    build_network,
    build_routing_artifact,
    load_network,
)
from apps.routing.services.routes import (
    CRITERIA,
    Endpoint,
    find_route,
    pareto_routes,
    resolve_station,
)
from apps.routing.services.tables import TRANSFER_TIME_S

__all__ = [
    "CRITERIA",
    "DAY_CACHE_SIZE",
    "DEFAULT_JOURNEY_METHOD",
    "DEFAULT_STATIC_METHOD",
    "TRANSFER_TIME_S",
    "Endpoint",
    "RouteAnswer",
    "RouteLeg",
    "RoutingNetwork",
    "RoutingUnavailable",
    "arc_weights",
    "artifact_root",
    "artifact_version",
    "build_network",
    "build_routing_artifact",
    "find_route",
    "load_network",
    "pareto_routes",
    "resolve_station",
    "uncovered_date_message",
]
