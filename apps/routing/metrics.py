"""Business metrics of the routing app (declared once, labelled by method and query type)."""

from __future__ import annotations

from prometheus_client import Histogram

#: Solver time per request, without database or rendering. Labels: ``method`` (a fixed set
#: of algorithm names) and ``query_type`` (``network`` or ``journey``).
SOLVER_SECONDS = Histogram(
    "obrail_routing_solver_seconds",
    "Time spent in the routing solver per request.",
    labelnames=("method", "query_type"),
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)


def observe_solver(*, method: str, query_type: str, seconds: float) -> None:
    """Record one solver run."""
    SOLVER_SECONDS.labels(method=method, query_type=query_type).observe(seconds)


#: Time to build the timetable of a date not yet in the worker's cache (trip runs of the
#: date and its neighbours, sorted, with their scan blocks).
DAY_BUILD_SECONDS = Histogram(
    "obrail_routing_day_build_seconds",
    "Time spent building the timetable of a date on demand.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def observe_day_build(*, seconds: float) -> None:
    """Record one timetable built for a date."""
    DAY_BUILD_SECONDS.observe(seconds)
