"""Dijkstra's algorithm with a binary heap and early exit at the target."""

from __future__ import annotations

import heapq
import math

from ._common import _adjacency, _no_path, _path_result, _recover_path
from .graph import CSRGraph
from .result import PathResult

__all__ = ["dijkstra"]


def dijkstra(graph: CSRGraph, source: int, target: int, *, criterion: str) -> PathResult:
    """Label-setting shortest path: OPEN sorted by ``d_j``, stopping when the target is settled.

    Arc lengths must be non-negative (checked by :func:`shortest_path`). The heap holds
    ``(d_j, j)`` pairs; a stale pair (its node already settled) is skipped when popped.
    """
    indptr, indices, weights = _adjacency(graph, criterion)
    distance = [math.inf] * graph.node_count
    predecessor = [-1] * graph.node_count
    settled = [False] * graph.node_count
    distance[source] = 0.0
    heap: list[tuple[float, int]] = [(0.0, source)]
    scanned = improved = 0
    while heap:
        label, node = heapq.heappop(heap)
        if settled[node]:
            continue
        settled[node] = True
        scanned += 1
        if node == target:
            break
        for arc in range(indptr[node], indptr[node + 1]):
            head = indices[arc]
            candidate = label + weights[arc]
            if candidate < distance[head]:
                distance[head] = candidate
                predecessor[head] = node
                improved += 1
                heapq.heappush(heap, (candidate, head))
    if math.isinf(distance[target]):
        raise _no_path(source, target)
    path = _recover_path(predecessor, source, target)
    return _path_result(
        "dijkstra", criterion, source, target, distance[target], path, scanned, improved
    )
