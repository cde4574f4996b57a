"""Helpers shared by the static methods: validation, adjacency lists and path recovery."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .errors import NoPathError, ParameterError
from .graph import CSRGraph
from .result import Counters, PathResult

__all__: list[str] = []


def _check_node(graph: CSRGraph, node: int, name: str) -> int:
    """Return ``node`` as an int, or raise ParameterError naming the parameter."""
    if isinstance(node, bool) or not isinstance(node, int | np.integer):
        raise ParameterError(f"{name}={node!r} must be an integer node index")
    if not 0 <= int(node) < graph.node_count:
        raise ParameterError(f"{name}={node} is outside 0..{graph.node_count - 1}")
    return int(node)


def _adjacency(graph: CSRGraph, criterion: str) -> tuple[list[int], list[int], list[float]]:
    """Python lists of the CSR arrays (pure-Python loops are ~3x faster on lists than arrays)."""
    key = ("lists", criterion)
    if key not in graph.cache:
        graph.cache[key] = (
            graph.indptr.tolist(),
            graph.indices.tolist(),
            graph.weight(criterion).tolist(),
        )
    return graph.cache[key]


def _negative_total(graph: CSRGraph, criterion: str) -> float:
    """Sum of the negative arc lengths: no simple path is shorter than this."""
    weight = graph.weight(criterion)
    return float(weight[weight < 0].sum())


def _recover_path(
    predecessor: list[int] | NDArray[np.int32], source: int, target: int
) -> tuple[int, ...]:
    """Walk predecessors back from ``target``; raise NoPathError if ``source`` is not reached."""
    path = [target]
    node = target
    limit = len(predecessor)
    while node != source:
        node = int(predecessor[node])
        if node < 0 or len(path) > limit:
            raise NoPathError(
                f"node {target} is not reachable from node {source}", source=source, target=target
            )
        path.append(node)
    path.reverse()
    return tuple(path)


def _no_path(source: int, target: int) -> NoPathError:
    return NoPathError(
        f"node {target} is not reachable from node {source}", source=source, target=target
    )


def _path_result(
    method: str,
    criterion: str,
    source: int,
    target: int,
    length: float,
    path: tuple[int, ...],
    scanned: int,
    improved: int,
    *,
    epsilon: float = 0.0,
) -> PathResult:
    """The result of a label-setting or label-correcting search with its two work counters."""
    return PathResult(
        method=method,
        criterion=criterion,
        source=source,
        target=target,
        length=length,
        path=path,
        counters=Counters(nodes_scanned=scanned, labels_improved=improved),
        epsilon=epsilon,
    )
