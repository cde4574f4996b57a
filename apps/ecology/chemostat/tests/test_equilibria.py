"""Equilibria, analytic Jacobian, eigenvalues and stability against the course."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from apps.ecology.chemostat import (
    Chemostat,
    GrowthLaw,
    ParameterError,
    Species,
    break_even,
    find_equilibria,
    jacobian,
    make_rhs,
    vector_field,
)

from .conftest import HALDANE, MONOD


def _sorted(values: object) -> np.ndarray:
    return np.sort(np.real_if_close(np.asarray(values, dtype=complex)))


def test_washout_eigenvalues_are_minus_d_and_mu_s_in_minus_d(monod_chemostat: Chemostat) -> None:
    washout = find_equilibria(monod_chemostat)[0]
    assert washout.is_washout
    assert (washout.s, washout.x) == (5.0, (0.0,))
    mu_s_in = 5.0 / 6.0
    assert_allclose(_sorted(washout.eigenvalues), np.sort([-0.5, mu_s_in - 0.5]), rtol=1e-12)
    assert washout.stability == "unstable"


def test_monod_positive_equilibrium_and_its_eigenvalues(monod_chemostat: Chemostat) -> None:
    positive = find_equilibria(monod_chemostat)[1]
    assert positive.s == pytest.approx(1.0, rel=1e-12)
    assert positive.x == pytest.approx((4.0,), rel=1e-12)
    d_mu = float(MONOD.rate_derivatives(1.0)[0])
    assert_allclose(_sorted(positive.eigenvalues), np.sort([-0.5, -d_mu * 4.0]), rtol=1e-12)
    assert positive.is_stable


def test_positive_equilibrium_eigenvalues_include_the_yield() -> None:
    chemostat = Chemostat((Species(MONOD, yield_=0.4),), D=0.5, s_in=5.0)
    positive = find_equilibria(chemostat)[1]
    assert positive.x == pytest.approx((0.4 * 4.0,), rel=1e-12)
    d_mu = float(MONOD.rate_derivatives(1.0)[0])
    # −μ'(s*)·x*/y = −μ'(s*)·(s_in − s*), whatever the yield.
    assert_allclose(_sorted(positive.eigenvalues), np.sort([-0.5, -d_mu * 4.0]), rtol=1e-12)


def test_washout_is_the_only_equilibrium_when_dilution_exceeds_max_growth(
    haldane_species: Species,
) -> None:
    equilibria = find_equilibria(Chemostat((haldane_species,), D=0.45, s_in=5.0))
    assert len(equilibria) == 1
    assert equilibria[0].is_washout
    assert equilibria[0].is_stable


def test_haldane_between_mu_s_in_and_max_has_three_equilibria_and_is_bistable(
    haldane_species: Species,
) -> None:
    D = 0.35
    washout, low, high = find_equilibria(Chemostat((haldane_species,), D=D, s_in=5.0))
    assert float(HALDANE.rate(5.0)) < D < HALDANE.max_rate(5.0)
    lam = break_even(HALDANE, D)
    assert (low.s, high.s) == pytest.approx((lam.lower, lam.upper), rel=1e-12)
    for eq in (low, high):
        assert float(HALDANE.rate(eq.s)) == pytest.approx(D, rel=1e-12)
        assert eq.x[0] == pytest.approx(5.0 - eq.s, rel=1e-12)
        d_mu = float(HALDANE.rate_derivatives(eq.s)[0])
        assert_allclose(_sorted(eq.eigenvalues), np.sort([-D, -d_mu * eq.x[0]]), rtol=1e-10)
    assert [washout.stability, low.stability, high.stability] == ["stable", "stable", "unstable"]


def test_haldane_below_mu_s_in_has_two_equilibria_and_the_positive_one_is_stable(
    haldane_species: Species,
) -> None:
    equilibria = find_equilibria(Chemostat((haldane_species,), D=0.2, s_in=5.0))
    assert len(equilibria) == 2
    assert [eq.stability for eq in equilibria] == ["unstable", "stable"]
    assert equilibria[1].s == pytest.approx(break_even(HALDANE, 0.2).lower, rel=1e-12)


def test_haldane_roots_solve_the_quadratic() -> None:
    lam = break_even(HALDANE, 0.35)
    # D/Ki·s² + (D − μ̄)·s + D·K = 0
    for root in lam.roots():
        assert 0.35 / 2 * root**2 - 0.65 * root + 0.35 == pytest.approx(0.0, abs=1e-12)
    assert lam.lower * lam.upper == pytest.approx(2.0, rel=1e-12)


def test_break_even_of_monod_and_linear_laws() -> None:
    assert break_even(MONOD, 0.5).lower == pytest.approx(1.0)
    assert break_even(MONOD, 0.5).upper == math.inf
    assert break_even(MONOD, 1.5).is_empty
    assert break_even(GrowthLaw("linear", 0.2), 0.5).lower == pytest.approx(2.5)


def test_break_even_is_undefined_for_contois() -> None:
    with pytest.raises(ParameterError, match="law"):
        break_even(GrowthLaw("contois", 1.0, 1.0), 0.5)


def test_two_species_jacobian_at_species_one_alone_has_the_course_eigenvalues() -> None:
    mu2 = GrowthLaw("monod", 0.8, 0.4)
    chemostat = Chemostat((Species(MONOD), Species(mu2)), D=0.7, s_in=5.0)
    one_alone = next(eq for eq in find_equilibria(chemostat) if eq.survivors == (0,))
    s1 = 0.7 / 0.3
    assert one_alone.s == pytest.approx(s1, rel=1e-12)
    d_mu1 = float(MONOD.rate_derivatives(s1)[0])
    expected = np.sort([float(mu2.rate(s1)) - 0.7, -0.7, -d_mu1 * (5.0 - s1)])
    assert_allclose(_sorted(one_alone.eigenvalues), expected, rtol=1e-10)
    washout = find_equilibria(chemostat)[0]
    expected_washout = np.sort([-0.7, 5 / 6 - 0.7, float(mu2.rate(5.0)) - 0.7])
    assert_allclose(_sorted(washout.eigenvalues), expected_washout, rtol=1e-12)


@pytest.mark.parametrize(
    "species",
    [
        (Species(HALDANE), Species(MONOD, 0.5)),
        (Species(GrowthLaw("contois", 1.0, 0.5)),),
        (Species(GrowthLaw("contois", 1.0, 0.5)), Species(GrowthLaw("contois", 0.9, 0.2), 0.7)),
        (Species(MONOD), Species(GrowthLaw("contois", 0.9, 0.3))),
    ],
)
def test_every_equilibrium_zeroes_the_vector_field_and_jacobian_matches_differences(
    species: tuple[Species, ...],
) -> None:
    chemostat = Chemostat(species, D=0.3, s_in=4.0)
    equilibria = find_equilibria(chemostat)
    assert len(equilibria) >= 2
    for eq in equilibria:
        assert_allclose(vector_field(chemostat, eq.state), 0.0, atol=1e-12)
        assert all(v >= 0 for v in eq.x)
    probe = np.array([1.3, *np.linspace(0.4, 0.9, len(species))])
    h = 1e-6
    numeric = np.column_stack(
        [
            (vector_field(chemostat, probe + h * e) - vector_field(chemostat, probe - h * e))
            / (2 * h)
            for e in np.eye(probe.size)
        ]
    )
    assert_allclose(jacobian(chemostat, probe), numeric, rtol=1e-6, atol=1e-9)


def test_contois_equilibrium_has_the_closed_form() -> None:
    law = GrowthLaw("contois", mu_max=1.0, K=0.5)
    eq = find_equilibria(Chemostat((Species(law, 0.8),), D=0.4, s_in=3.0))[1]
    expected_s = 0.4 * 0.5 * 0.8 * 3.0 / (1.0 - 0.4 + 0.4 * 0.5 * 0.8)
    assert eq.s == pytest.approx(expected_s, rel=1e-12)
    assert eq.x[0] == pytest.approx(0.8 * (3.0 - expected_s), rel=1e-12)
    assert eq.is_stable


def test_rejects_too_many_species() -> None:
    with pytest.raises(ParameterError, match="species"):
        find_equilibria(Chemostat((Species(MONOD),) * 9, D=0.3, s_in=1.0))


def test_scalar_right_hand_side_equals_the_vectorised_vector_field() -> None:
    species = (
        Species(HALDANE, 0.6),
        Species(MONOD),
        Species(GrowthLaw("contois", 0.9, 0.3), 0.8),
        Species(GrowthLaw("linear", 0.2)),
    )
    chemostat = Chemostat(species, D=0.3, s_in=4.0)
    rhs = make_rhs(chemostat)
    rng = np.random.default_rng(5)
    states = [rng.uniform(-0.5, 4.0, size=5) for _ in range(50)] + [np.zeros(5)]
    for state in states:
        assert_allclose(rhs(0.0, state), vector_field(chemostat, state), rtol=1e-13, atol=1e-15)
