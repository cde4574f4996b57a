"""Routing use cases: the only bridge between the ORM and the pathfinding package."""

from __future__ import annotations

from apps.routing.services.answers import RouteAnswer, RouteLeg
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
    "RoutingUnavailable",
    "artifact_root",
    "build_network",
    "build_routing_artifact",
    "find_route",
    "load_network",
    "pareto_routes",
    "resolve_station",
    "uncovered_date_message",
]
