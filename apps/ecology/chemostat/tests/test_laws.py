"""Growth laws of the course and batch growth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from apps.ecology.chemostat import GrowthLaw, ParameterError, logistic_closed_form, simulate_batch


def test_monod_law_matches_its_formula() -> None:
    law = GrowthLaw("monod", mu_max=2.0, K=0.5)
    s = np.array([0.0, 0.5, 1.0, 10.0])
    assert_allclose(law.rate(s), 2.0 * s / (0.5 + s), rtol=1e-15)


def test_haldane_law_matches_its_formula_and_peaks_at_sqrt_k_ki() -> None:
    law = GrowthLaw("haldane", mu_max=1.0, K=1.0, Ki=2.0)
    s = np.linspace(0.0, 10.0, 101)
    assert_allclose(law.rate(s), s / (1.0 + s + s**2 / 2.0), rtol=1e-15)
    assert law.argmax() == pytest.approx(math.sqrt(2.0))
    assert law.max_rate() == pytest.approx(1.0 / (1.0 + math.sqrt(2.0)), rel=1e-12)
    assert law.max_rate(1.0) == pytest.approx(1.0 / 2.5, rel=1e-12)


def test_haldane_with_infinite_ki_is_monod() -> None:
    s = np.linspace(0.0, 20.0, 51)
    haldane = GrowthLaw("haldane", mu_max=1.3, K=0.7, Ki=math.inf)
    assert_allclose(haldane.rate(s), GrowthLaw("monod", 1.3, 0.7).rate(s), rtol=1e-15)
    assert haldane.is_monotone


def test_contois_law_depends_on_biomass() -> None:
    law = GrowthLaw("contois", mu_max=1.0, K=0.5)
    assert float(law.rate(2.0, 4.0)) == pytest.approx(2.0 / (0.5 * 4.0 + 2.0))
    assert float(law.rate(2.0, 0.0)) == pytest.approx(1.0)
    assert float(law.rate(0.0, 0.0)) == 0.0


def test_linear_law_is_r_times_s() -> None:
    assert_allclose(GrowthLaw("linear", mu_max=0.3).rate([0.0, 2.0]), [0.0, 0.6])


@pytest.mark.parametrize(
    "law",
    [
        GrowthLaw("monod", 1.0, 1.0),
        GrowthLaw("haldane", 1.0, 1.0, 2.0),
        GrowthLaw("contois", 1.0, 0.5),
        GrowthLaw("linear", 0.3),
    ],
)
def test_rate_derivatives_match_finite_differences(law: GrowthLaw) -> None:
    s, x, h = 1.7, 0.9, 1e-6
    d_s, d_x = law.rate_derivatives(s, x)
    assert float(d_s) == pytest.approx(
        float(law.rate(s + h, x) - law.rate(s - h, x)) / (2 * h), rel=1e-6
    )
    expected_dx = float(law.rate(s, x + h) - law.rate(s, x - h)) / (2 * h)
    assert float(d_x) == pytest.approx(expected_dx, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"kind": "tessier", "mu_max": 1.0}, "law"),
        ({"kind": "monod", "mu_max": -1.0}, "mu_max"),
        ({"kind": "monod", "mu_max": 1.0, "K": 0.0}, "K"),
        ({"kind": "haldane", "mu_max": 1.0, "K": 1.0, "Ki": -2.0}, "Ki"),
        ({"kind": "monod", "mu_max": math.nan}, "mu_max"),
    ],
)
def test_rejects_bad_law_parameters_naming_them(kwargs: dict, name: str) -> None:
    with pytest.raises(ParameterError) as caught:
        GrowthLaw(**kwargs)
    assert caught.value.name == name
    assert name in str(caught.value)


def test_logistic_ode_reproduces_the_closed_form() -> None:
    ode = simulate_batch("logistic-ode", 20.0, x0=0.05, r=0.8, x_max=3.0)
    closed = simulate_batch("logistic", 20.0, x0=0.05, r=0.8, x_max=3.0)
    assert_allclose(ode.x, closed.x, rtol=1e-6)
    assert closed.x[0] == pytest.approx(0.05)
    assert closed.x[-1] == pytest.approx(3.0 / (1 + math.exp(-16.0) * (3.0 / 0.05 - 1)))


def test_monod_batch_keeps_x_plus_y_s_constant_and_exhausts_substrate() -> None:
    run = simulate_batch(
        "monod", 40.0, x0=0.1, s0=5.0, law=GrowthLaw("monod", 1.0, 1.0), yield_=0.5
    )
    assert_allclose(run.x + 0.5 * run.s, 0.1 + 0.5 * 5.0, rtol=1e-8)
    assert run.x[-1] == pytest.approx(2.6, rel=1e-6)


def test_linear_batch_is_logistic_with_r_equal_mu_m_over_y() -> None:
    mu, y, x0, s0 = 0.4, 1.0, 0.1, 2.0
    m = x0 + y * s0
    run = simulate_batch("monod", 10.0, x0=x0, s0=s0, law=GrowthLaw("linear", mu), yield_=y)
    assert_allclose(run.x, logistic_closed_form(run.t, x0, mu * m / y, m), rtol=1e-6)


def test_monod_batch_needs_a_law() -> None:
    with pytest.raises(ParameterError, match="law"):
        simulate_batch("monod", 10.0, x0=0.1, s0=1.0)


def test_stiff_monod_batch_growth_integrates_instead_of_failing() -> None:
    # A case the explicit RK45 gave up on ("step size less than spacing"): tiny yield and K.
    law = GrowthLaw("monod", mu_max=1.9298866928760034e-09, K=1e-12)
    run = simulate_batch("monod", 5000.0, x0=30605.8, s0=1e6, law=law, yield_=1e-12)
    conserved = run.x + 1e-12 * run.s
    assert_allclose(conserved, conserved[0], rtol=1e-6)
    assert np.all(np.diff(run.x) >= -1e-6 * run.x[0])
