"""The public entry point for one-to-one shortest paths on a static network."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from ._common import _check_node
from .dag import backward_chaining, forward_chaining, reaching
from .dijkstra import dijkstra
from .errors import ParameterError
from .fast import limited_dijkstra
from .geo import lower_bounds_to
from .graph import CSRGraph
from .label_correcting import label_correcting
from .result import PathResult

__all__ = ["METHODS", "shortest_path"]

_Solver = Callable[..., PathResult]

#: Method name -> solver. Label-correcting names are the OPEN rule they use.
METHODS: dict[str, _Solver] = {
    "dijkstra": dijkstra,
    "bellman_ford": partial(label_correcting, rule="fifo", method="bellman_ford"),
    "lifo": partial(label_correcting, rule="lifo", method="lifo"),
    "pape": partial(label_correcting, rule="pape", method="pape"),
    "slf": partial(label_correcting, rule="slf", method="slf"),
    "slf_lll": partial(label_correcting, rule="slf_lll", method="slf_lll"),
    "astar": partial(label_correcting, rule="best", method="astar"),
    "branch_and_bound": partial(label_correcting, rule="lifo", method="branch_and_bound"),
    "backward_chaining": backward_chaining,
    "forward_chaining": forward_chaining,
    "reaching": reaching,
    "scipy_limited": limited_dijkstra,
}

_LABEL_CORRECTING = {"bellman_ford", "lifo", "pape", "slf", "slf_lll", "astar", "branch_and_bound"}
_BOUNDED = {"astar", "branch_and_bound"}
_NEEDS_NON_NEGATIVE = {"dijkstra", "scipy_limited"}


def shortest_path(
    graph: CSRGraph,
    source: int,
    target: int,
    *,
    method: str = "dijkstra",
    criterion: str = "time",
    lower_bounds: ArrayLike | None = None,
    upper_bounds: ArrayLike | None = None,
    epsilon: float = 0.0,
) -> PathResult:
    """Find a shortest path from ``source`` to ``target``.

    Parameters
    ----------
    graph : CSRGraph
        The network, with a weight array per criterion.
    source, target : int
        Node indices.
    method : str
        One of :data:`METHODS`: ``dijkstra`` (binary heap, early exit); the label-correcting
        rules ``bellman_ford`` (FIFO), ``lifo``, ``pape`` (D'Esposito-Pape), ``slf``,
        ``slf_lll``; ``astar`` (OPEN sorted by ``d_j + h_j``) and ``branch_and_bound``
        (depth-first with ``h_j`` and ``m_j``); the topological methods
        ``backward_chaining``, ``forward_chaining``, ``reaching`` (acyclic networks only); and
        ``scipy_limited``, the fast path used to serve requests.
    criterion : str
        Arc length to minimise, e.g. ``time`` (min), ``distance`` (km), ``co2`` (kg).
    lower_bounds : array_like of float, optional
        ``h_j`` for the label-correcting methods. ``astar`` and ``branch_and_bound`` default
        to the great-circle distance over the largest crow-fly-km-per-unit ratio of any arc
        (for time: the fastest train speed), which is admissible.
    upper_bounds : array_like of float, optional
        ``m_j`` for the label-correcting methods.
    epsilon : float
        Label-correcting methods accept a path of length at most ``D_t + epsilon``.

    Returns
    -------
    PathResult
        The length (unit of the criterion), the node path and the work counters.

    Raises
    ------
    ParameterError
        Unknown method or criterion, node out of range, bounds for a method that does not use
        them, or negative arcs for a method that needs non-negative ones.
    NoPathError
        If the target cannot be reached.
    NegativeCycleError
        If a label-correcting method meets a negative cycle; ``error.cycle`` lists its nodes.

    References
    ----------
    F. Bastin, *Modèles déterministes et plus court chemin*, IFT-6521 (Université de
    Montréal), sections A (topologically ordered networks), B (labelling algorithms) and
    "Généralisation et autres variantes".
    """
    solver = METHODS.get(method)
    if solver is None:
        raise ParameterError(f"method={method!r} is not one of {', '.join(METHODS)}")
    source = _check_node(graph, source, "source")
    target = _check_node(graph, target, "target")
    has_negative_arcs = graph.weight_summary(criterion)[0] < 0.0
    if method in _NEEDS_NON_NEGATIVE and has_negative_arcs:
        raise ParameterError(
            f"method={method!r} needs non-negative arcs but criterion={criterion!r} has "
            f"negative ones; use a label-correcting method"
        )
    uses_bounds = lower_bounds is not None or upper_bounds is not None or epsilon != 0.0
    if method not in _LABEL_CORRECTING:
        if uses_bounds:
            raise ParameterError(
                f"method={method!r} takes no lower_bounds, upper_bounds or epsilon"
            )
        return solver(graph, source, target, criterion=criterion)
    if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon >= 0):
        raise ParameterError(f"epsilon={epsilon!r} must be a finite number >= 0")
    if lower_bounds is None and method in _BOUNDED and graph.has_coordinates:
        if has_negative_arcs:
            raise ParameterError(
                f"method={method!r} with negative arcs needs explicit lower_bounds"
            )
        lower_bounds = lower_bounds_to(graph, target, criterion)
    if lower_bounds is not None and not isinstance(lower_bounds, np.ndarray):
        lower_bounds = np.asarray(lower_bounds, dtype=np.float64)
    return solver(
        graph,
        source,
        target,
        criterion=criterion,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
        epsilon=float(epsilon),
    )
