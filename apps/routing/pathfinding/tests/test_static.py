"""Every static method agrees with scipy on random graphs; bounds and errors behave."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

from .. import METHODS, NoPathError, ParameterError, build_graph, shortest_path
from ..fast import scipy_matrix
from ..geo import lower_bounds_to
from .strategies import graphs, random_graph

GENERAL_METHODS = [
    name for name in METHODS if name not in {"backward_chaining", "forward_chaining", "reaching"}
]
TOLERANCE = 1e-9


def _reference(graph, source, criterion="time"):
    return scipy_dijkstra(scipy_matrix(graph, criterion), indices=source)


def _path_cost(graph, path, criterion="time"):
    weight = graph.weight(criterion)
    total = 0.0
    for tail, head in itertools.pairwise(path):
        arcs = range(graph.indptr[tail], graph.indptr[tail + 1])
        total += min(weight[arc] for arc in arcs if graph.indices[arc] == head)
    return total


@pytest.mark.parametrize("method", GENERAL_METHODS)
@settings(max_examples=40, deadline=None)
@given(graph=graphs, data=st.data())
def test_every_method_finds_the_scipy_length_and_a_path_of_that_cost(method, graph, data):
    source = data.draw(st.integers(0, graph.node_count - 1))
    target = data.draw(st.integers(0, graph.node_count - 1))
    expected = _reference(graph, source)[target]
    if math.isinf(expected):
        with pytest.raises(NoPathError):
            shortest_path(graph, source, target, method=method)
        return
    result = shortest_path(graph, source, target, method=method)
    assert_allclose(result.length, expected, rtol=TOLERANCE, atol=TOLERANCE)
    assert result.path[0] == source
    assert result.path[-1] == target
    assert_allclose(_path_cost(graph, result.path), result.length, rtol=TOLERANCE)
    assert result.counters.nodes_scanned >= 1 or source == target


@settings(max_examples=60, deadline=None)
@given(graph=graphs, data=st.data())
def test_astar_with_an_admissible_bound_equals_dijkstra_and_scans_no_more(graph, data):
    source = data.draw(st.integers(0, graph.node_count - 1))
    target = data.draw(st.integers(0, graph.node_count - 1))
    try:
        exact = shortest_path(graph, source, target, method="dijkstra")
    except NoPathError:
        return
    bounds = lower_bounds_to(graph, target, "time")
    assert (bounds <= _reference(graph.reverse(), target) + TOLERANCE).all()
    guided = shortest_path(graph, source, target, method="astar")
    assert_allclose(guided.length, exact.length, rtol=TOLERANCE)
    assert guided.counters.nodes_scanned <= exact.counters.nodes_scanned


@pytest.mark.parametrize("method", ["bellman_ford", "lifo", "pape", "slf", "slf_lll", "astar"])
@settings(max_examples=40, deadline=None)
@given(graph=graphs, data=st.data(), epsilon=st.floats(0.0, 50.0))
def test_epsilon_optimal_answers_are_within_epsilon(method, graph, data, epsilon):
    source = data.draw(st.integers(0, graph.node_count - 1))
    target = data.draw(st.integers(0, graph.node_count - 1))
    expected = _reference(graph, source)[target]
    if math.isinf(expected):
        return
    result = shortest_path(graph, source, target, method=method, epsilon=epsilon)
    assert expected - TOLERANCE <= result.length <= expected + epsilon + TOLERANCE
    assert_allclose(_path_cost(graph, result.path), result.length, rtol=TOLERANCE)


@settings(max_examples=40, deadline=None)
@given(graph=graphs, data=st.data(), slack=st.floats(0.0, 20.0))
def test_branch_and_bound_with_valid_upper_bounds_stays_exact(graph, data, slack):
    source = data.draw(st.integers(0, graph.node_count - 1))
    target = data.draw(st.integers(0, graph.node_count - 1))
    expected = _reference(graph, source)[target]
    if math.isinf(expected):
        return
    to_target = _reference(graph.reverse(), target)
    upper = np.where(np.isfinite(to_target), to_target + slack, np.inf)
    result = shortest_path(graph, source, target, method="branch_and_bound", upper_bounds=upper)
    assert_allclose(result.length, expected, rtol=TOLERANCE, atol=TOLERANCE)


def test_epsilon_lets_a_bounded_search_stop_on_a_near_optimal_path():
    # 0 -> 1 -> 3 costs 10; 0 -> 2 -> 3 costs 10.5 and is found first by LIFO order.
    graph = build_graph(4, [0, 0, 1, 2], [1, 2, 3, 3], {"time": [5.0, 0.5, 5.0, 10.0]})
    exact = shortest_path(graph, 0, 3, method="lifo")
    relaxed = shortest_path(graph, 0, 3, method="lifo", epsilon=1.0)
    assert exact.length == 10.0
    assert relaxed.length == 10.5
    assert relaxed.path == (0, 2, 3)


def test_scipy_limited_doubles_its_limit_until_the_target_is_reached():
    # A 50 km line of stations 1 km apart; the target sits 0.5 km from the first station but
    # is only reachable from the far end, so its length is ~200 times its great-circle bound.
    line = 50
    latitude = np.r_[np.full(line, 45.0), 45.0]
    longitude = np.r_[np.arange(line) / 78.7, 0.5 / 78.7]
    tails = [*range(line - 1), *range(1, line), line - 1]
    heads = [*range(1, line), *range(line - 1), line]
    graph = build_graph(
        line + 1,
        tails,
        heads,
        {"time": [1.0] * (2 * line - 2) + [50.0]},
        latitude=latitude,
        longitude=longitude,
    )
    result = shortest_path(graph, 0, line, method="scipy_limited")
    assert_allclose(result.length, line - 1 + 50.0)
    assert result.path == (*range(line), line)
    assert result.counters.rounds >= 2


def test_dijkstra_counts_scanned_nodes_and_improved_labels_on_a_known_graph():
    graph = build_graph(4, [0, 0, 1, 2], [1, 2, 3, 3], {"time": [1.0, 4.0, 1.0, 1.0]})
    result = shortest_path(graph, 0, 3)
    assert result.path == (0, 1, 3)
    assert result.length == 2.0
    assert result.counters.nodes_scanned == 3
    assert result.counters.labels_improved == 3


def test_unknown_method_is_rejected_with_its_name():
    graph = random_graph(1, 5, 10)
    with pytest.raises(ParameterError, match="method='quantum'"):
        shortest_path(graph, 0, 1, method="quantum")


def test_out_of_range_target_is_rejected_with_its_value():
    graph = random_graph(1, 5, 10)
    with pytest.raises(ParameterError, match="target=9"):
        shortest_path(graph, 0, 9)


def test_unknown_criterion_is_rejected():
    graph = random_graph(1, 5, 10)
    with pytest.raises(ParameterError, match="criterion='price'"):
        shortest_path(graph, 0, 1, criterion="price")


def test_dijkstra_refuses_negative_arcs():
    graph = build_graph(2, [0], [1], {"time": [-1.0]})
    with pytest.raises(ParameterError, match="non-negative"):
        shortest_path(graph, 0, 1, method="dijkstra")


def test_bounds_are_rejected_for_methods_that_ignore_them():
    graph = random_graph(1, 5, 10)
    with pytest.raises(ParameterError, match="epsilon"):
        shortest_path(graph, 0, 1, method="dijkstra", epsilon=1.0)


def test_unreachable_target_raises_no_path_error():
    graph = build_graph(3, [0], [1], {"time": [1.0]})
    with pytest.raises(NoPathError) as caught:
        shortest_path(graph, 0, 2, method="slf_lll")
    assert (caught.value.source, caught.value.target) == (0, 2)


def test_parallel_arcs_keep_the_minimum_of_each_criterion_independently():
    graph = build_graph(2, [0, 0], [1, 1], {"time": [5.0, 3.0], "distance": [10.0, 20.0]})
    assert graph.arc_count == 1
    assert graph.weight("time").tolist() == [3.0]
    assert graph.weight("distance").tolist() == [10.0]
