"""The label-correcting family: one engine, a pluggable rule for taking a node out of OPEN.

Implements the course's ``CorrectionDétiquette`` and ``CorrectionDétiquette2``: upper bound
``U`` pruning, optional lower bounds ``h_j`` and upper bounds ``m_j`` on the distance to the
target, ε-optimal acceptance, arcs of negative length, and negative-cycle detection.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike

from ._common import _adjacency, _negative_total, _no_path, _path_result, _recover_path
from .errors import NegativeCycleError, ParameterError
from .graph import CSRGraph
from .result import PathResult

__all__ = ["OPEN_RULES", "label_correcting"]

#: Rules for choosing the node removed from OPEN.
OPEN_RULES = ("fifo", "lifo", "pape", "slf", "slf_lll", "best")


def label_correcting(
    graph: CSRGraph,
    source: int,
    target: int,
    *,
    criterion: str,
    rule: str,
    lower_bounds: ArrayLike | None = None,
    upper_bounds: ArrayLike | None = None,
    epsilon: float = 0.0,
    method: str | None = None,
) -> PathResult:
    """Shortest path by label correction with the OPEN discipline ``rule``.

    Parameters
    ----------
    graph : CSRGraph
        The network.
    source, target : int
        Node indices.
    criterion : str
        Weight array used as arc lengths ``a_ij``.
    rule : {"fifo", "lifo", "pape", "slf", "slf_lll", "best"}
        ``fifo`` is Bellman-Ford (a queue), ``lifo`` depth-first (a stack), ``pape`` is
        D'Esposito-Pape (a node re-entering OPEN goes to the front), ``slf`` small-label-first,
        ``slf_lll`` adds large-label-last, ``best`` keeps OPEN sorted by ``d_j + h_j`` (A*).
    lower_bounds : array_like of float, optional
        ``h_j <= J_j``, the distance from ``j`` to the target. Default: 0 when no arc is
        negative; otherwise ``-inf`` (no pruning, as the course allows for unknown ``u_j``).
    upper_bounds : array_like of float, optional
        ``m_j >= J_j``; ``U`` is lowered to ``d_j + m_j`` whenever ``j`` enters OPEN.
    epsilon : float
        Accept a path of length at most ``D_t + epsilon``.
    method : str, optional
        Name recorded in the result (defaults to ``rule``).

    Returns
    -------
    PathResult
        Length, path and counters.

    Raises
    ------
    NoPathError
        If the target is not reachable.
    NegativeCycleError
        If a cycle of negative length is reachable from the source; it carries the cycle.

    Notes
    -----
    Pruning follows the course: an improved label ``d_j`` enters OPEN only if
    ``d_j + h_j < U - epsilon``, where ``U`` is the best target label so far. Bounds from
    ``m_j`` prune only labels strictly above them, so a tight ``m_j`` never hides the path
    it certifies. With negative arcs the target itself is also scanned, so that every
    reachable negative cycle is found: a label falling below the sum of all negative arcs
    cannot belong to a simple path, and the predecessor chain of that node then contains a
    negative cycle (course, "Correction d'étiquette avec des longueurs d'arcs négatives").

    References
    ----------
    F. Bastin, *Modèles déterministes et plus court chemin*, IFT-6521, sections "Algorithme de
    correction d'étiquette" and "Généralisation et autres variantes".
    """
    if rule not in OPEN_RULES:
        raise ParameterError(f"rule={rule!r} is not one of {', '.join(OPEN_RULES)}")
    if not epsilon >= 0.0 or math.isinf(epsilon):
        raise ParameterError(f"epsilon={epsilon!r} must be a finite number >= 0")
    node_count = graph.node_count
    indptr, indices, weights = _adjacency(graph, criterion)
    negative_total = _negative_total(graph, criterion)
    has_negative_arcs = negative_total < 0.0
    h = _bounds(lower_bounds, node_count, "lower_bounds")
    if h is None and rule == "best" and has_negative_arcs:
        raise ParameterError(
            f"rule='best' on criterion={criterion!r} with negative arcs needs lower_bounds"
        )
    if h is None:
        h = [-math.inf if has_negative_arcs else 0.0] * node_count
    m = _bounds(upper_bounds, node_count, "upper_bounds")
    cycle_threshold = negative_total - 1e-9 * (1.0 + abs(negative_total))

    distance = [math.inf] * node_count
    predecessor = [-1] * node_count
    in_open = [False] * node_count
    ever_open = [False] * node_count
    distance[source] = 0.0
    best_target = 0.0 if source == target else math.inf
    bound_from_m = math.inf if m is None else m[source] + 1e-9 * (1.0 + abs(m[source]))
    scanned = improved = 0

    open_queue: deque[int] = deque([source])
    open_heap: list[tuple[float, int]] = [(h[source], source)]
    in_open[source] = ever_open[source] = True
    open_sum = 0.0

    while open_queue if rule != "best" else open_heap:
        if rule == "best":
            key, node = heapq.heappop(open_heap)
            if not in_open[node] or key != distance[node] + h[node]:
                continue
            if key >= best_target - epsilon or key > bound_from_m:
                break
        elif rule == "lifo":
            node = open_queue.pop()
        elif rule == "slf_lll":
            mean = open_sum / len(open_queue)
            # Bounded so that rounding drift in open_sum can never loop forever.
            for _ in range(len(open_queue) - 1):
                if distance[open_queue[0]] <= mean:
                    break
                open_queue.rotate(-1)
            node = open_queue.popleft()
            open_sum -= distance[node]
        else:
            node = open_queue.popleft()
        in_open[node] = False
        scanned += 1
        label = distance[node]
        for arc in range(indptr[node], indptr[node + 1]):
            head = indices[arc]
            candidate = label + weights[arc]
            if candidate >= distance[head]:
                continue
            estimate = candidate + h[head]
            if estimate >= best_target - epsilon or estimate > bound_from_m:
                continue
            if rule == "slf_lll" and in_open[head]:
                open_sum += candidate - distance[head]
            distance[head] = candidate
            predecessor[head] = node
            improved += 1
            if candidate < cycle_threshold:
                _raise_if_cycle(predecessor, head, weights, indptr, indices)
            if head == target:
                best_target = candidate
                if not has_negative_arcs:
                    continue
            if m is not None:
                # The tolerance keeps a tight m_j from pruning its own path over rounding.
                bound = candidate + m[head]
                bound_from_m = min(bound_from_m, bound + 1e-9 * (1.0 + abs(bound)))
            if rule == "best":
                in_open[head] = ever_open[head] = True
                heapq.heappush(open_heap, (estimate, head))
            elif not in_open[head]:
                _insert(open_queue, head, rule, ever_open[head], distance)
                in_open[head] = ever_open[head] = True
                if rule == "slf_lll":
                    open_sum += candidate
    if math.isinf(distance[target]):
        raise _no_path(source, target)
    path = _recover_path(predecessor, source, target)
    length = distance[target]
    if epsilon > 0.0:
        # Pruned labels may stay stale: the recovered path can be shorter than d_t.
        length = sum(
            min(
                weights[arc]
                for arc in range(indptr[tail], indptr[tail + 1])
                if indices[arc] == head
            )
            for tail, head in pairwise(path)
        )
    return _path_result(
        method or rule, criterion, source, target, length, path, scanned, improved, epsilon=epsilon
    )


def _insert(
    open_queue: deque[int], node: int, rule: str, was_open: bool, distance: list[float]
) -> None:
    """Put ``node`` into OPEN according to ``rule``."""
    if rule == "pape":
        if was_open:
            open_queue.appendleft(node)
        else:
            open_queue.append(node)
    elif rule in ("slf", "slf_lll"):
        if open_queue and distance[node] < distance[open_queue[0]]:
            open_queue.appendleft(node)
        else:
            open_queue.append(node)
    else:
        open_queue.append(node)


def _bounds(values: ArrayLike | None, node_count: int, name: str) -> list[float] | None:
    """Validate a per-node bound array and return it as a list."""
    if values is None:
        return None
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.shape != (node_count,):
        raise ParameterError(f"{name} has {array.size} values for {node_count} nodes")
    if np.isnan(array).any():
        raise ParameterError(f"{name} contains NaN")
    return array.tolist()


def _raise_if_cycle(
    predecessor: list[int],
    start: int,
    weights: list[float],
    indptr: list[int],
    indices: list[int],
) -> None:
    """Follow predecessors from ``start``; raise NegativeCycleError if they loop."""
    position: dict[int, int] = {}
    chain: list[int] = []
    node = start
    while node >= 0 and node not in position:
        position[node] = len(chain)
        chain.append(node)
        node = predecessor[node]
    if node < 0:
        return
    # chain runs backwards along arcs; the loop is chain[position[node]:].
    cycle = chain[position[node] :][::-1]
    length = 0.0
    for tail, head in zip(cycle, cycle[1:] + cycle[:1], strict=True):
        arcs = range(indptr[tail], indptr[tail + 1])
        length += min(weights[arc] for arc in arcs if indices[arc] == head)
    raise NegativeCycleError(
        f"negative cycle of length {length:g} through nodes {cycle}",
        cycle=tuple(cycle),
        length=length,
    )
