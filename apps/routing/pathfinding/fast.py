"""The fast static path: scipy's compiled Dijkstra, stopped early by a distance limit.

The limit starts just above a great-circle lower bound of the source-target length and is
doubled whenever the target is missed. scipy's Dijkstra is exact for every node closer than
the limit, so the answer is exact; the limit only stops the search from covering the continent.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

from ._common import _no_path, _recover_path
from .geo import crow_fly_per_unit, great_circle_km
from .graph import CSRGraph
from .result import Counters, PathResult

__all__ = ["CALIBRATION_QUANTILE", "limited_dijkstra", "scipy_matrix"]

#: The first limit is the lower bound times this quantile of "true length / lower bound",
#: measured once per graph: a miss costs a second search over four times the area, an
#: overshoot only the square of the excess, so a high quantile is cheapest on average.
CALIBRATION_QUANTILE = 90.0
_CALIBRATION_SOURCES = 8


def scipy_matrix(graph: CSRGraph, criterion: str) -> sp.csr_matrix:
    """Return the graph as a scipy CSR matrix for ``criterion`` (cached on the graph).

    Built directly from the arrays, so explicit zero-length arcs stay arcs.
    """
    key = ("scipy", criterion)
    if key not in graph.cache:
        graph.cache[key] = sp.csr_matrix(
            (graph.weight(criterion), graph.indices, graph.indptr),
            shape=(graph.node_count, graph.node_count),
        )
    return graph.cache[key]


def limited_dijkstra(graph: CSRGraph, source: int, target: int, *, criterion: str) -> PathResult:
    """Exact one-to-one shortest path by scipy Dijkstra with a doubling ``limit``.

    Counters: ``nodes_scanned`` sums the nodes settled over all rounds; scipy does not report
    label updates, so ``labels_improved`` counts the nodes reached (each was improved at least
    once) and ``rounds`` the limits tried.
    """
    matrix = scipy_matrix(graph, criterion)
    component = _weak_components(graph)
    if component[source] != component[target]:
        raise _no_path(source, target)
    total = graph.weight_summary(criterion)[1]
    limit = _first_limit(graph, source, target, criterion)
    scanned = rounds = 0
    while True:
        rounds += 1
        bounded = limit < total
        distance, predecessor = scipy_dijkstra(
            matrix,
            directed=True,
            indices=source,
            return_predecessors=True,
            limit=limit if bounded else np.inf,
        )
        reached = int(np.count_nonzero(np.isfinite(distance)))
        scanned += reached
        if math.isfinite(distance[target]):
            break
        if not bounded:
            raise _no_path(source, target)
        limit *= 2.0
    return PathResult(
        method="scipy_limited",
        criterion=criterion,
        source=source,
        target=target,
        length=float(distance[target]),
        path=_recover_path(predecessor, source, target),
        counters=Counters(nodes_scanned=scanned, labels_improved=reached, rounds=rounds),
    )


def _weak_components(graph: CSRGraph) -> np.ndarray:
    """Weakly connected component of every node (cached): different ones never connect."""
    if "weak_components" not in graph.cache:
        matrix = sp.csr_matrix(
            (np.ones(graph.arc_count), graph.indices, graph.indptr),
            shape=(graph.node_count, graph.node_count),
        )
        graph.cache["weak_components"] = connected_components(matrix, connection="weak")[1]
    return graph.cache["weak_components"]


def _first_limit(graph: CSRGraph, source: int, target: int, criterion: str) -> float:
    """The great-circle lower bound times INITIAL_LIMIT_FACTOR, or infinity without geometry."""
    if not graph.has_coordinates:
        return math.inf
    ratio = crow_fly_per_unit(graph, criterion)
    if ratio == 0.0:
        return math.inf
    crow = float(
        great_circle_km(
            graph.latitude[source],
            graph.longitude[source],
            graph.latitude[target],
            graph.longitude[target],
        )
    )
    floor = graph.weight_summary(criterion)[2]
    bound = crow / ratio
    return max(bound * _limit_factor(graph, criterion, ratio, bound), floor, 1e-9)


def _limit_factor(graph: CSRGraph, criterion: str, ratio: float, bound: float) -> float:
    """Quantile of "true length / great-circle bound" for pairs of about this bound.

    Measured once per graph from a few full searches, in eight bands of the bound (short
    pairs detour relatively more than long ones), and cached.
    """
    key = ("limit_factor", criterion)
    if key not in graph.cache:
        rng = np.random.default_rng(0)
        sources = rng.choice(graph.node_count, size=min(_CALIBRATION_SOURCES, graph.node_count))
        distance = scipy_dijkstra(scipy_matrix(graph, criterion), indices=sources)
        crow = great_circle_km(
            graph.latitude[sources][:, None],
            graph.longitude[sources][:, None],
            graph.latitude[None, :],
            graph.longitude[None, :],
        )
        bounds = crow / ratio
        usable = np.isfinite(distance) & (bounds > 0)
        bounds, factors = bounds[usable], distance[usable] / bounds[usable]
        if factors.size < 16:
            graph.cache[key] = (np.zeros(0), np.array([2.0]))
        else:
            edges = np.quantile(bounds, np.linspace(0.0, 1.0, 9)[1:-1])
            band = np.searchsorted(edges, bounds)
            graph.cache[key] = (
                edges,
                np.array(
                    [
                        max(float(np.percentile(factors[band == b], CALIBRATION_QUANTILE)), 1.0)
                        if (band == b).any()
                        else 2.0
                        for b in range(edges.size + 1)
                    ]
                ),
            )
    edges, factors = graph.cache[key]
    return float(factors[int(np.searchsorted(edges, bound))])
