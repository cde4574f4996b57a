"""Arcs of negative length, and negative cycles found with their nodes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.sparse.csgraph import NegativeCycleError as ScipyNegativeCycle
from scipy.sparse.csgraph import bellman_ford

from .. import NegativeCycleError, NoPathError, build_graph, shortest_path
from ..fast import scipy_matrix
from .strategies import random_graph

RULES = ["bellman_ford", "lifo", "pape", "slf", "slf_lll"]


def _cycle_length(graph, cycle):
    weight = graph.weight("signed")
    total = 0.0
    for tail, head in zip(cycle, cycle[1:] + cycle[:1], strict=True):
        arcs = range(graph.indptr[tail], graph.indptr[tail + 1])
        total += min(weight[arc] for arc in arcs if graph.indices[arc] == head)
    return total


@pytest.mark.parametrize("method", RULES)
@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    node_count=st.integers(2, 25),
    arc_count=st.integers(1, 80),
    data=st.data(),
)
def test_label_correcting_matches_bellman_ford_or_reports_a_negative_cycle(
    method, seed, node_count, arc_count, data
):
    graph = random_graph(seed, node_count, arc_count, low=-3.0)
    source = data.draw(st.integers(0, node_count - 1))
    target = data.draw(st.integers(0, node_count - 1))
    try:
        expected = bellman_ford(scipy_matrix(graph, "signed"), indices=source)[target]
    except ScipyNegativeCycle:
        expected = None
    cycle_error = result = None
    try:
        result = shortest_path(graph, source, target, method=method, criterion="signed")
    except NegativeCycleError as error:
        cycle_error = error
    except NoPathError:
        assert expected is None or math.isinf(expected)
        return
    if cycle_error is not None:
        cycle = list(cycle_error.cycle)
        assert len(cycle) == len(set(cycle)) >= 1
        assert _cycle_length(graph, cycle) < 0
        assert_allclose(cycle_error.length, _cycle_length(graph, cycle))
    elif expected is not None:
        # scipy raises for any negative cycle in the graph; ours only for reachable ones.
        assert_allclose(result.length, expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("method", RULES)
def test_negative_cycle_through_the_target_is_reported_with_its_nodes(method):
    graph = build_graph(4, [0, 1, 2, 3, 2], [1, 2, 3, 1, 0], {"signed": [1.0, 1.0, -4.0, 1.0, 5.0]})
    with pytest.raises(NegativeCycleError) as caught:
        shortest_path(graph, 0, 3, method=method, criterion="signed")
    cycle = caught.value.cycle
    start = cycle.index(1)
    assert cycle[start:] + cycle[:start] == (1, 2, 3)
    assert caught.value.length == -2.0


def test_negative_arcs_without_cycles_give_the_exact_path():
    graph = build_graph(4, [0, 0, 1, 2], [1, 2, 3, 1], {"signed": [4.0, 1.0, 1.0, -2.0]})
    result = shortest_path(graph, 0, 3, method="pape", criterion="signed")
    assert result.length == 0.0
    assert result.path == (0, 2, 1, 3)


def test_astar_refuses_negative_arcs_without_explicit_bounds():
    graph = random_graph(3, 10, 30, low=-1.0)
    signed = graph.weight("signed")
    assert (signed < 0).any()
    with pytest.raises(ValueError, match="negative"):
        shortest_path(graph, 0, 1, method="astar", criterion="signed")


def test_random_graphs_with_negative_arcs_do_produce_cycles_for_the_property_test():
    found = 0
    for seed in range(30):
        graph = random_graph(seed, 10, 40, low=-3.0)
        try:
            shortest_path(graph, 0, int(np.int64(9)), method="bellman_ford", criterion="signed")
        except NegativeCycleError:
            found += 1
        except NoPathError:
            pass
    assert found >= 5
