"""Routing use cases: the only bridge between the ORM and the pathfinding package."""

from __future__ import annotations

from apps.routing.services.drawing import DrawnStation, RouteDrawing, draw_route
from apps.routing.services.network import (
    DEFAULT_STATIC_METHOD,
    SERVICE_DAYS,
    TRANSFER_TIME_S,
    RoutingUnavailable,
    artifact_root,
    build_network,
    build_routing_artifact,
    load_network,
)
from apps.routing.services.routes import (
    CRITERIA,
    DEFAULT_JOURNEY_METHOD,
    Endpoint,
    RouteAnswer,
    RouteLeg,
    find_route,
    pareto_routes,
    resolve_station,
)

__all__ = [
    "CRITERIA",
    "DEFAULT_JOURNEY_METHOD",
    "DEFAULT_STATIC_METHOD",
    "SERVICE_DAYS",
    "TRANSFER_TIME_S",
    "DrawnStation",
    "Endpoint",
    "RouteAnswer",
    "RouteDrawing",
    "RouteLeg",
    "RoutingUnavailable",
    "artifact_root",
    "build_network",
    "build_routing_artifact",
    "draw_route",
    "find_route",
    "load_network",
    "pareto_routes",
    "resolve_station",
]
