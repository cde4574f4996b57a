"""Ecology computations are bounded: CPU budget cut (422), busy pool or loaded machine (503),
compute throttle (429),
identical requests answered from the cache, on the API and on the pages."""

from __future__ import annotations

import threading
import time

import pytest
from django.urls import reverse, reverse_lazy

from obrail import compute
from obrail.budget import BudgetExceeded

pytestmark = pytest.mark.django_db

MONOD = {"law": "monod", "mu_max": 1.0, "K": 1.0, "yield": 1.0, "x0": 0.1}
BODY = {"species": [MONOD], "D": 0.5, "s_in": 5.0, "t_end": 100, "n_points": 11}
EDITED = {
    "dilution_rate": "0,4",
    "substrate_in": "5",
    "initial_substrate": "5",
    "horizon": "100",
    "sp1-mu_max": "1",
    "sp1-half_saturation": "1",
    "sp1-inhibition": "",
    "sp1-yield_coefficient": "1",
    "sp1-initial_biomass": "0,1",
}
BATCH = {
    "t_end": "7",
    "x0": "0,05",
    "r": "0,8",
    "x_max": "3",
    "s0": "5",
    "mu_max": "1",
    "K": "1",
    "yield_": "0,5",
}


@pytest.fixture
def budget(settings):
    """Settings of the compute pool, applied by a fresh pool."""
    compute.reset_pool()
    yield settings
    compute.reset_pool()


def _simulate(client, body=BODY):
    return client.post(reverse("api:chemostat-simulate"), body, content_type="application/json")


def test_a_computation_out_of_wall_time_is_a_503_to_retry(client, budget):
    budget.COMPUTE_WALL_MS = 1
    response = _simulate(client)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    [message] = response.json()["errors"]["detail"]
    assert "Calcul interrompu après 0.001 s : le serveur est très chargé" in message


class _CpuOverrun:
    """A pool whose every call ran out of its CPU budget."""

    def run(self, function, *args, **kwargs):
        raise BudgetExceeded("cpu", 2, 2.01)


def test_a_computation_over_its_cpu_budget_is_a_422_naming_the_budget(client, budget, monkeypatch):
    monkeypatch.setattr(compute, "get_pool", _CpuOverrun)
    response = _simulate(client)
    assert response.status_code == 422
    assert "Retry-After" not in response
    [message] = response.json()["errors"]["detail"]
    assert "dépasse le budget de 2 s de temps processeur" in message
    page = client.get(reverse("ecology:scenario-detail", args=["monod"]), EDITED)
    assert page.status_code == 422
    assert "Calcul interrompu : il dépasse le budget" in page.content.decode()


def test_a_page_out_of_wall_time_asks_to_retry_next_to_the_form(client, budget):
    budget.COMPUTE_WALL_MS = 1
    response = client.get(reverse("ecology:scenario-detail", args=["monod"]), EDITED)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "le serveur est très chargé" in response.content.decode()


def test_a_request_finding_every_compute_process_busy_is_a_503_with_retry_after(client, budget):
    budget.COMPUTE_WORKERS = 1
    budget.COMPUTE_QUEUE_MS = 0
    pool = compute.get_pool()
    pool.run(time.sleep, 0)
    holder = threading.Thread(target=pool.run, args=(time.sleep, 1.5))
    holder.start()
    time.sleep(0.3)
    try:
        api = _simulate(client)
        page = client.get(reverse("ecology:batch-growth"), BATCH)
    finally:
        holder.join()
    assert api.status_code == 503
    assert api["Retry-After"] == "5"
    assert "occupés" in api.json()["errors"]["detail"][0]
    assert page.status_code == 503
    assert page["Retry-After"] == "5"


def test_identical_requests_are_computed_once(client, budget, monkeypatch):
    first = _simulate(client)
    assert first.status_code == 200

    def no_pool() -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(compute, "get_pool", no_pool)
    again = _simulate(client)
    assert again.json() == first.json()
    with pytest.raises(AssertionError, match="computed again"):
        _simulate(client, {**BODY, "D": 0.4})


def test_the_compute_throttle_limits_solver_endpoints_but_not_the_rest(client, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "compute": "2/minute"},
    }
    statuses = [_simulate(client).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    equilibria = client.get(reverse("api:scenario-equilibria", kwargs={"slug": "monod"}))
    assert equilibria.status_code == 429
    assert "Retry-After" in equilibria
    assert client.get(reverse("api:scenario-list")).status_code == 200


def test_pages_that_compute_share_the_compute_throttle_with_a_french_429(client, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "compute": "1/minute"},
    }
    url = reverse("ecology:scenario-detail", args=["monod"])
    assert client.get(url, EDITED).status_code == 200
    throttled = client.get(url, {**EDITED, "horizon": "90"})
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "Trop de calculs demandés" in throttled.content.decode()
    assert client.get(reverse("ecology:batch-growth"), BATCH).status_code == 429
    assert _simulate(client).status_code == 429
    # The stored case without parameters is cached and never throttled.
    assert client.get(url).status_code == 200


STALL = {
    "species": [{"law": "monod", "mu_max": 1e-12, "K": 1e-12, "yield": 1e-12, "x0": 1e6}],
    "D": 1e-5,
    "s_in": 1e5,
    "t_end": 5000,
}


def test_the_stall_input_of_issue_21_is_refused_at_once_naming_each_bound(client):
    started = time.perf_counter()
    response = _simulate(client, STALL)
    assert time.perf_counter() - started < 2.0
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["D"] == ["Assurez-vous que cette valeur est supérieure ou égale à\xa00.01."]
    assert errors["s_in"][0].startswith("Assurez-vous que cette valeur est inférieure")
    assert errors["s_in"][0].endswith("100.0.")
    assert {message.split(": ")[1] for message in errors["species"]} == {
        "mu_max",
        "K",
        "yield",
        "x0",
    }


def test_a_linear_law_whose_largest_rate_exceeds_the_bound_is_refused(client):
    body = {
        "species": [{"law": "linear", "mu_max": 0.5, "x0": 0.1}],
        "D": 0.5,
        "s_in": 30.0,
    }
    response = _simulate(client, body)
    assert response.status_code == 422  # each value is within its bounds: their product is not
    assert response.json()["errors"]["mu_max"] == [
        "espèce 1 : loi linéaire : r × max(s_in, s0) = 15 dépasse 10 1/h."
    ]
    assert _simulate(client, {**body, "s_in": 20.0}).status_code == 200


def test_the_page_names_the_bound_of_a_parameter_out_of_the_box(client):
    response = client.get(
        reverse("ecology:scenario-detail", args=["monod"]),
        {**EDITED, "sp1-yield_coefficient": "0,001"},
    )
    assert response.status_code == 422
    assert "supérieure ou égale à 0.01" in response.content.decode()


def test_a_case_stiffer_than_the_bound_is_refused_naming_the_bound(client):
    body = {
        "species": [{"law": "monod", "mu_max": 10.0, "K": 0.01, "yield": 0.01, "x0": 100.0}],
        "D": 0.01,
        "s_in": 0.0,
        "s0": 0.001,
    }
    response = _simulate(client, body)
    assert response.status_code == 422
    assert response.json()["errors"]["species"] == [
        "Raideur max(s_in, s0 + Σ x0/y) × Σ μmax/K = 1e+07 dépasse 10000 1/h : baissez μmax, x0 "
        "ou s_in, ou augmentez K ou le rendement."
    ]
    relaxed = {**body, "species": [{**body["species"][0], "x0": 0.09}]}
    assert _simulate(client, relaxed).status_code == 200


def test_a_computation_finding_every_host_slot_taken_is_a_503_at_once(client, budget):
    # Ten heavy requests held both sync workers and /health took 6 s: computations take one
    # of the host's slots (one fewer than the workers) or answer 503 at once.
    budget.COMPUTE_HOST_SLOTS = 1
    with compute.host_slot():
        started = time.monotonic()
        response = _simulate(client, {**BODY, "D": 0.45})
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert waited < 1.0
    assert _simulate(client, {**BODY, "D": 0.45}).status_code == 200


def test_without_host_slots_only_the_process_pool_limits(client, budget):
    budget.COMPUTE_HOST_SLOTS = 0
    with compute.host_slot():
        assert _simulate(client, {**BODY, "D": 0.46}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [reverse_lazy("ecology:batch-growth"), reverse_lazy("ecology:scenario-detail", args=["monod"])],
    ids=["batch", "scenario"],
)
def test_a_first_visit_out_of_wall_time_asks_to_retry_instead_of_failing(client, budget, url):
    budget.COMPUTE_WALL_MS = 1
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "le serveur est très chargé" in response.content.decode()
