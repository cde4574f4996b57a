"""A deterministic dynamic programme turned into a shortest path (course, first section).

The problem: allocate ``units`` identical trainsets to ``N`` lines served one after the other.
Stage ``k`` decides how many trainsets ``u_k`` line ``k`` receives, out of the ``x_k`` still
available; ``x_{k+1} = x_k - u_k``; the stage cost ``g_k(x_k, u_k) = costs[k, u_k]`` (for
instance passengers left on the platform) and the terminal cost ``g_N(x_N) = idle_cost * x_N``.
Nodes are the states ``(k, x_k)`` plus an artificial end node ``t``; numbering them stage by
stage gives an acyclic, topologically ordered network whose shortest path from ``(0, units)``
to ``t`` is the optimal allocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ParameterError
from .graph import CSRGraph, build_graph

__all__ = [
    "AllocationPlan",
    "AllocationProblem",
    "StageNetwork",
    "plan_from_path",
    "solve_by_recursion",
    "stage_network",
]


@dataclass(frozen=True, eq=False)
class AllocationProblem:
    """``costs[k, u]`` is the cost of giving ``u`` trainsets to line ``k`` (shape N x units+1)."""

    costs: NDArray[np.float64]
    idle_cost: float

    @classmethod
    def from_table(cls, costs: ArrayLike, idle_cost: float) -> AllocationProblem:
        """Validate a cost table and build the problem."""
        table = np.asarray(costs, dtype=np.float64)
        if table.ndim != 2 or table.shape[0] < 1 or table.shape[1] < 1:
            raise ParameterError(f"costs must be a non-empty 2-D table, got shape {table.shape}")
        if not np.isfinite(table).all():
            raise ParameterError("costs must be finite")
        return cls(costs=table, idle_cost=float(idle_cost))

    @property
    def stage_count(self) -> int:
        """Number of lines ``N``."""
        return int(self.costs.shape[0])

    @property
    def units(self) -> int:
        """Number of trainsets to allocate."""
        return int(self.costs.shape[1] - 1)


@dataclass(frozen=True)
class AllocationPlan:
    """An allocation: ``decisions[k]`` trainsets for line ``k``, and its total cost."""

    cost: float
    decisions: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class StageNetwork:
    """The state network of a problem; ``states[node]`` is ``(k, x_k)``, ``None`` for ``t``."""

    graph: CSRGraph
    source: int
    target: int
    states: tuple[tuple[int, int] | None, ...]


def stage_network(problem: AllocationProblem) -> StageNetwork:
    """Build the topologically ordered state network of ``problem``."""
    width = problem.units + 1
    stages = problem.stage_count

    def node(stage: int, remaining: int) -> int:
        return stage * width + remaining

    tails: list[int] = []
    heads: list[int] = []
    lengths: list[float] = []
    for stage in range(stages):
        for remaining in range(width):
            for given in range(remaining + 1):
                tails.append(node(stage, remaining))
                heads.append(node(stage + 1, remaining - given))
                lengths.append(float(problem.costs[stage, given]))
    end = (stages + 1) * width
    for remaining in range(width):
        tails.append(node(stages, remaining))
        heads.append(end)
        lengths.append(problem.idle_cost * remaining)
    states: list[tuple[int, int] | None] = [
        (stage, remaining) for stage in range(stages + 1) for remaining in range(width)
    ]
    states.append(None)
    graph = build_graph(end + 1, tails, heads, {"cost": lengths})
    return StageNetwork(
        graph=graph, source=node(0, problem.units), target=end, states=tuple(states)
    )


def plan_from_path(network: StageNetwork, path: tuple[int, ...], cost: float) -> AllocationPlan:
    """Read the decisions ``u_k = x_k - x_{k+1}`` off a source-to-end path."""
    remaining = [network.states[node][1] for node in path[:-1]]
    decisions = tuple(before - after for before, after in pairwise(remaining))
    return AllocationPlan(cost=cost, decisions=decisions)


def solve_by_recursion(problem: AllocationProblem) -> AllocationPlan:
    """Solve by the DP recursion ``J_k(x) = min_u g_k(x, u) + J_{k+1}(x - u)`` (the oracle)."""
    width = problem.units + 1
    cost_to_go = problem.idle_cost * np.arange(width, dtype=np.float64)
    best_decision = np.zeros((problem.stage_count, width), dtype=np.int64)
    for stage in range(problem.stage_count - 1, -1, -1):
        updated = np.empty(width)
        for remaining in range(width):
            options = problem.costs[stage, : remaining + 1] + cost_to_go[remaining::-1]
            best_decision[stage, remaining] = int(np.argmin(options))
            updated[remaining] = options[best_decision[stage, remaining]]
        cost_to_go = updated
    decisions = []
    remaining = problem.units
    for stage in range(problem.stage_count):
        given = int(best_decision[stage, remaining])
        decisions.append(given)
        remaining -= given
    return AllocationPlan(cost=float(cost_to_go[problem.units]), decisions=tuple(decisions))
