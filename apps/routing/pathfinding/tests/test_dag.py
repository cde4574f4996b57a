"""The topological methods agree with Dijkstra on DAGs; the DP example as a shortest path."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from .. import NoPathError, ParameterError, build_graph, shortest_path
from ..dynamic_programming import (
    AllocationProblem,
    plan_from_path,
    solve_by_recursion,
    stage_network,
)
from .strategies import random_graph

DAG_METHODS = ["backward_chaining", "forward_chaining", "reaching"]


@pytest.mark.parametrize("method", DAG_METHODS)
@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    node_count=st.integers(2, 40),
    arc_count=st.integers(1, 160),
    data=st.data(),
)
def test_topological_methods_agree_with_dijkstra_on_dags(method, seed, node_count, arc_count, data):
    graph = random_graph(seed, node_count, arc_count, acyclic=True)
    source = data.draw(st.integers(0, node_count - 1))
    target = data.draw(st.integers(0, node_count - 1))
    try:
        expected = shortest_path(graph, source, target, method="dijkstra").length
    except NoPathError:
        expected = math.inf
    if math.isinf(expected):
        with pytest.raises(NoPathError):
            shortest_path(graph, source, target, method=method)
        return
    result = shortest_path(graph, source, target, method=method)
    assert_allclose(result.length, expected, rtol=1e-9)
    assert (result.path[0], result.path[-1]) == (source, target)


@pytest.mark.parametrize("method", DAG_METHODS)
def test_topological_methods_accept_negative_arcs(method):
    graph = build_graph(4, [0, 0, 1, 2], [1, 2, 3, 3], {"time": [1.0, 2.0, 1.0, -3.0]})
    result = shortest_path(graph, 0, 3, method=method)
    assert result.length == -1.0
    assert result.path == (0, 2, 3)


@pytest.mark.parametrize("method", DAG_METHODS)
def test_topological_methods_refuse_a_graph_with_a_cycle(method):
    graph = build_graph(3, [0, 1, 2], [1, 2, 1], {"time": [1.0, 1.0, 1.0]})
    with pytest.raises(ParameterError, match="cycle"):
        shortest_path(graph, 0, 2, method=method)


def test_reaching_skips_nodes_whose_label_exceeds_the_target_label():
    # 0 -> 3 costs 1; nodes 1 and 2 sit between them in topological order at cost 5.
    graph = build_graph(4, [0, 0, 1, 2], [3, 1, 2, 3], {"time": [1.0, 5.0, 1.0, 1.0]})
    result = shortest_path(graph, 0, 3, method="reaching")
    assert result.length == 1.0
    assert result.counters.nodes_scanned == 1


WORKED_EXAMPLE = AllocationProblem.from_table(
    [
        [12.0, 7.0, 4.0, 2.5, 2.0],
        [9.0, 5.0, 2.0, 1.0, 0.5],
        [6.0, 4.0, 3.0, 2.5, 2.2],
    ],
    idle_cost=1.5,
)


@pytest.mark.parametrize("method", [*DAG_METHODS, "dijkstra", "pape"])
def test_worked_allocation_example_gives_the_documented_plan(method):
    network = stage_network(WORKED_EXAMPLE)
    result = shortest_path(
        network.graph, network.source, network.target, method=method, criterion="cost"
    )
    plan = plan_from_path(network, result.path, result.length)
    assert plan.cost == 12.0
    assert plan.decisions == (2, 2, 0)
    assert plan == solve_by_recursion(WORKED_EXAMPLE)


@settings(max_examples=60, deadline=None)
@given(
    table=st.integers(1, 4).flatmap(
        lambda stages: st.integers(0, 5).flatmap(
            lambda units: st.lists(
                st.lists(st.floats(0, 100), min_size=units + 1, max_size=units + 1),
                min_size=stages,
                max_size=stages,
            )
        )
    ),
    idle_cost=st.floats(0, 10),
)
def test_shortest_path_on_the_stage_network_equals_the_dp_recursion(table, idle_cost):
    problem = AllocationProblem.from_table(table, idle_cost)
    network = stage_network(problem)
    result = shortest_path(
        network.graph, network.source, network.target, method="backward_chaining", criterion="cost"
    )
    plan = plan_from_path(network, result.path, result.length)
    reference = solve_by_recursion(problem)
    assert_allclose(plan.cost, reference.cost, rtol=1e-9, atol=1e-9)
    assert sum(plan.decisions) <= problem.units
    recomputed = sum(problem.costs[k, u] for k, u in enumerate(plan.decisions))
    recomputed += idle_cost * (problem.units - sum(plan.decisions))
    assert_allclose(recomputed, reference.cost, rtol=1e-9, atol=1e-9)
