"""Property test over the allowed input box: every valid input gets a result or a clean 4xx
(cut by the budget, or the integrator failing), never a 500, on the API and on the pages."""

from __future__ import annotations

import math

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.ecology import services

pytestmark = pytest.mark.django_db

PROFILE = hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _within(low: float, high: float) -> st.SearchStrategy[float]:
    """Log-uniform-ish values with the box's corners drawn often (where solvers break)."""
    inner = st.floats(math.log10(low), math.log10(high)).map(lambda e: 10.0**e)
    return st.one_of(st.sampled_from([low, high]), inner)


RATE = _within(services.MIN_RATE, services.MAX_RATE)
CONSTANT = _within(services.MIN_CONSTANT, services.MAX_CONSTANT)
CONCENTRATION = st.one_of(st.just(0.0), _within(1e-3, services.MAX_CONCENTRATION))


@st.composite
def chemostats(draw: st.DrawFn) -> dict[str, object]:
    s_in = draw(CONCENTRATION)
    s0 = draw(CONCENTRATION)
    species = []
    for _ in range(draw(st.integers(1, services.MAX_SPECIES))):
        law = draw(st.sampled_from(["monod", "haldane", "contois", "linear"]))
        mu_max = draw(RATE)
        if law == "linear" and mu_max * max(s_in, s0) > services.MAX_RATE:
            mu_max = services.MAX_RATE / max(s_in, s0)
        species.append(
            {
                "law": law,
                "mu_max": mu_max,
                "K": draw(CONSTANT),
                "Ki": draw(_within(services.MIN_CONSTANT, services.MAX_INHIBITION)),
                "yield": draw(CONSTANT),
                "x0": draw(CONCENTRATION),
            }
        )
    return {"species": species, "D": draw(RATE), "s_in": s_in, "s0": s0}


@pytest.fixture
def unthrottled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "compute": None},
    }


def _finite(values: object) -> bool:
    if isinstance(values, list):
        return all(_finite(value) for value in values)
    if isinstance(values, dict):
        return all(_finite(value) for value in values.values())
    return not isinstance(values, float) or math.isfinite(values)


@PROFILE
@given(case=chemostats(), t_end=_within(1e-3, services.MAX_HORIZON_H))
def test_simulating_any_chemostat_of_the_box_answers_a_result_or_a_clean_422(
    client, unthrottled, case, t_end
):
    response = client.post(
        reverse("api:chemostat-simulate"),
        {**case, "t_end": t_end, "n_points": 51},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code in {200, 422}, response.content
    if response.status_code == 200:
        assert _finite(body)
    elif "species" in body["errors"]:
        assert body["errors"]["species"][0].startswith("Raideur")
    else:
        assert body["errors"]["detail"]


@PROFILE
@given(case=chemostats(), horizon=_within(1e-3, services.MAX_HORIZON_H))
def test_the_scenario_page_of_any_chemostat_of_the_box_renders_or_explains(
    client, unthrottled, case, horizon
):
    sp = case["species"][0]
    query = {
        "dilution_rate": repr(case["D"]),
        "substrate_in": repr(case["s_in"]),
        "initial_substrate": repr(case["s0"]),
        "horizon": repr(horizon),
        "sp1-mu_max": repr(sp["mu_max"]),
        "sp1-half_saturation": repr(sp["K"]),
        "sp1-inhibition": repr(sp["Ki"]),
        "sp1-yield_coefficient": repr(sp["yield"]),
        "sp1-initial_biomass": repr(sp["x0"]),
    }
    if sp["mu_max"] * max(case["s_in"], case["s0"]) > services.MAX_RATE:
        query["sp1-mu_max"] = repr(services.MAX_RATE / max(case["s_in"], case["s0"]))
    response = client.get(reverse("ecology:scenario-detail", args=["haldane-bistabilite"]), query)
    assert response.status_code in {200, 422}
    if response.status_code == 422:
        assert 'class="error-message"' in response.content.decode()
    else:
        assert "Diagramme opératoire" in response.content.decode()


@PROFILE
@given(
    t_end=_within(1e-3, services.MAX_HORIZON_H),
    x0=_within(1e-3, services.MAX_CONCENTRATION),
    r=RATE,
    x_max=_within(1e-3, services.MAX_CONCENTRATION),
    s0=CONCENTRATION,
    mu_max=RATE,
    K=CONSTANT,
    yield_=CONSTANT,
)
def test_the_batch_page_of_any_case_of_the_box_renders(client, unthrottled, **values):
    query = {name: repr(value) for name, value in values.items()}
    response = client.get(reverse("ecology:batch-growth"), query)
    assert response.status_code == 200
    assert "Croissance de Monod en batch" in response.content.decode()
