"""Route searches run their solver in the compute pool, under its budget (issue #21): the
course's depth-first methods can run for minutes on a large network."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from apps.routing.services import load_network
from apps.routing.services.solve import bounded_shortest_path
from obrail import compute
from obrail.budget import BudgetExceeded, ComputeBusy

ROUTE = {"from": "Paris Gare de Lyon", "to": "Marseille Saint-Charles"}
JOURNEY = {**ROUTE, "depart": "2025-06-11T07:00"}
PARETO = {**JOURNEY, "until": "2025-06-11T12:00"}


class _Overrun:
    """A pool whose every call runs out of its CPU budget."""

    def run(self, function, *args, **kwargs):
        raise BudgetExceeded("cpu", 2, 2.01)


class _Busy:
    def run(self, function, *args, **kwargs):
        raise ComputeBusy(1.0)


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("path", "query"),
    [("/api/routes", ROUTE), ("/api/routes", JOURNEY), ("/api/routes/pareto", PARETO)],
)
def test_every_route_search_is_cut_by_the_cpu_budget_with_a_422(
    client, line_network, fresh_cache, monkeypatch, path, query
):
    monkeypatch.setattr(compute, "get_pool", _Overrun)
    response = client.get(path, query)
    assert response.status_code == 422
    [message] = response.json()["errors"]["detail"]
    assert "dépasse le budget de 2 s de temps processeur" in message


def test_a_busy_pool_is_a_503_with_retry_after_on_the_api_and_the_page(
    client, line_network, fresh_cache, monkeypatch
):
    monkeypatch.setattr(compute, "get_pool", _Busy)
    api = client.get("/api/routes", ROUTE)
    page = client.get("/itineraires/", {"origin": ROUTE["from"], "destination": ROUTE["to"]})
    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "occupés" in page.content.decode()


def test_the_page_shows_a_cpu_budget_cut_beside_the_form(
    client, line_network, fresh_cache, monkeypatch
):
    monkeypatch.setattr(compute, "get_pool", _Overrun)
    page = client.get("/itineraires/", {"origin": ROUTE["from"], "destination": ROUTE["to"]})
    assert page.status_code == 422
    assert "Calcul interrompu : il dépasse le budget" in page.content.decode()


def test_the_pool_answers_what_the_solver_answers_in_process(line_network, fresh_cache):
    from apps.routing.pathfinding import shortest_path

    network = load_network()
    source, target = 0, network.graph.node_count - 1
    pooled = bounded_shortest_path(network, source, target, method="dijkstra", criterion="time")
    direct = shortest_path(network.graph, source, target, method="dijkstra", criterion="time")
    assert (pooled.path, pooled.length) == (direct.path, direct.length)
