"""Shortest paths over the rail network: the course's algorithms and timetable journeys.

Pure numpy/scipy: nothing here imports Django or project code. Entry points:
:func:`shortest_path` (static networks), :func:`earliest_arrival` (one target),
:func:`earliest_arrivals` (several targets, one scan) and :func:`pareto_journeys` (timetables).
"""

from __future__ import annotations

from .errors import NegativeCycleError, NoPathError, ParameterError, PathfindingError
from .graph import CRITERIA, CSRGraph, build_graph
from .journeys import JOURNEY_METHODS, earliest_arrival, earliest_arrivals, pareto_journeys
from .result import Counters, PathResult
from .static import METHODS, shortest_path
from .timetable import TRAIN_FILTERS, Arrivals, Journey, Leg, Timetable, build_timetable

__all__ = [
    "CRITERIA",
    "JOURNEY_METHODS",
    "METHODS",
    "TRAIN_FILTERS",
    "Arrivals",
    "CSRGraph",
    "Counters",
    "Journey",
    "Leg",
    "NegativeCycleError",
    "NoPathError",
    "ParameterError",
    "PathResult",
    "PathfindingError",
    "Timetable",
    "build_graph",
    "build_timetable",
    "earliest_arrival",
    "earliest_arrivals",
    "pareto_journeys",
    "shortest_path",
]
