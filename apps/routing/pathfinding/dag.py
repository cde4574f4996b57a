"""Methods for acyclic networks processed in topological order.

The course numbers the nodes so that an arc ``(i, j)`` exists only if ``i < j``; here the
order is computed once per graph (Kahn's algorithm) and the loops follow it, visiting only
the nodes between the source and the target in that order.
"""

from __future__ import annotations

import math
from collections import deque

from ._common import _adjacency, _negative_total, _no_path, _path_result, _recover_path
from .errors import ParameterError
from .graph import CSRGraph
from .result import PathResult

__all__ = ["backward_chaining", "forward_chaining", "reaching", "topological_order"]


def topological_order(graph: CSRGraph) -> list[int]:
    """Return the nodes in a topological order; raise ParameterError if there is a cycle."""
    if "topological_order" not in graph.cache:
        indptr, indices = graph.indptr.tolist(), graph.indices.tolist()
        indegree = [0] * graph.node_count
        for head in indices:
            indegree[head] += 1
        ready = deque(node for node in range(graph.node_count) if indegree[node] == 0)
        order: list[int] = []
        while ready:
            node = ready.popleft()
            order.append(node)
            for arc in range(indptr[node], indptr[node + 1]):
                head = indices[arc]
                indegree[head] -= 1
                if indegree[head] == 0:
                    ready.append(head)
        graph.cache["topological_order"] = order if len(order) == graph.node_count else None
    order = graph.cache["topological_order"]
    if order is None:
        raise ParameterError("the graph has a cycle: topological methods need an acyclic network")
    return order


def _window(graph: CSRGraph, source: int, target: int) -> list[int]:
    """Nodes from the source to the target in topological order (empty if t precedes s)."""
    order = topological_order(graph)
    position = graph.cache.setdefault(
        "topological_position", {node: rank for rank, node in enumerate(order)}
    )
    return order[position[source] : position[target] + 1]


def backward_chaining(graph: CSRGraph, source: int, target: int, *, criterion: str) -> PathResult:
    """``ChaînageArrière``: ``J_i = min_j (a_ij + J_j)`` from the target back to the source.

    References
    ----------
    Course, section A.1 "Détermination itérative, chaînage arrière".
    """
    indptr, indices, weights = _adjacency(graph, criterion)
    window = _window(graph, source, target)
    cost_to_go = [math.inf] * graph.node_count
    successor = [-1] * graph.node_count
    cost_to_go[target] = 0.0
    scanned = improved = 0
    for node in reversed(window[:-1]):
        scanned += 1
        for arc in range(indptr[node], indptr[node + 1]):
            candidate = weights[arc] + cost_to_go[indices[arc]]
            if candidate < cost_to_go[node]:
                cost_to_go[node] = candidate
                successor[node] = indices[arc]
                improved += 1
    if not window or math.isinf(cost_to_go[source]):
        raise _no_path(source, target)
    path = tuple(reversed(_recover_path(successor, target, source)))
    return _path_result(
        "backward_chaining", criterion, source, target, cost_to_go[source], path, scanned, improved
    )


def forward_chaining(graph: CSRGraph, source: int, target: int, *, criterion: str) -> PathResult:
    """``ChaînageAvant``: ``D_j = min_i (D_i + a_ij)`` over the predecessors ``i`` of ``j``.

    References
    ----------
    Course, section A.2 "Détermination itérative, chaînage avant".
    """
    reverse_indptr, reverse_indices, reverse_weights = _adjacency(graph.reverse(), criterion)
    window = _window(graph, source, target)
    distance = [math.inf] * graph.node_count
    predecessor = [-1] * graph.node_count
    distance[source] = 0.0
    scanned = improved = 0
    for node in window[1:]:
        scanned += 1
        for arc in range(reverse_indptr[node], reverse_indptr[node + 1]):
            candidate = distance[reverse_indices[arc]] + reverse_weights[arc]
            if candidate < distance[node]:
                distance[node] = candidate
                predecessor[node] = reverse_indices[arc]
                improved += 1
    if not window or math.isinf(distance[target]):
        raise _no_path(source, target)
    path = _recover_path(predecessor, source, target)
    return _path_result(
        "forward_chaining", criterion, source, target, distance[target], path, scanned, improved
    )


def reaching(graph: CSRGraph, source: int, target: int, *, criterion: str) -> PathResult:
    """``Accession``: fix ``D_i`` in topological order and relax the arcs leaving ``i``.

    With non-negative arcs a node whose permanent label already reaches the temporary
    ``D_t`` is skipped, the elimination the course suggests.

    References
    ----------
    Course, section A.3 "Méthode d'accession (reaching)".
    """
    indptr, indices, weights = _adjacency(graph, criterion)
    can_eliminate = _negative_total(graph, criterion) == 0.0
    window = _window(graph, source, target)
    distance = [math.inf] * graph.node_count
    predecessor = [-1] * graph.node_count
    distance[source] = 0.0
    scanned = improved = 0
    for node in window[:-1]:
        label = distance[node]
        if math.isinf(label) or (can_eliminate and label >= distance[target]):
            continue
        scanned += 1
        for arc in range(indptr[node], indptr[node + 1]):
            head = indices[arc]
            candidate = label + weights[arc]
            if candidate < distance[head]:
                distance[head] = candidate
                predecessor[head] = node
                improved += 1
    if not window or math.isinf(distance[target]):
        raise _no_path(source, target)
    path = _recover_path(predecessor, source, target)
    return _path_result(
        "reaching", criterion, source, target, distance[target], path, scanned, improved
    )
