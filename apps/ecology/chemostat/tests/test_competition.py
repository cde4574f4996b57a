"""Competitive exclusion, its generalisation, the reduced model and bio-augmentation."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from apps.ecology.chemostat import (
    Chemostat,
    GrowthLaw,
    ParameterError,
    Species,
    break_even,
    check_competition,
    find_equilibria,
    predict_bioaugmentation,
    predict_competition,
    simulate,
    simulate_bioaugmentation,
    simulate_reduced,
)

from .conftest import HALDANE, MONOD

CROSSING = GrowthLaw("monod", mu_max=0.8, K=0.4)  # crosses MONOD at s = 2, μ = 2/3


@pytest.mark.parametrize(("D", "winner"), [(0.3, 1), (0.5, 1), (0.7, 0), (0.75, 0)])
def test_winner_is_the_species_with_the_smallest_break_even(D: float, winner: int) -> None:
    chemostat = Chemostat((Species(MONOD), Species(CROSSING)), D=D, s_in=5.0)
    prediction = predict_competition(chemostat)
    lambdas = [be.lower for be in prediction.break_even]
    assert int(np.argmin(lambdas)) == winner
    assert prediction.possible_winners == (winner,)
    assert prediction.is_unique
    assert not prediction.is_washout_possible
    check = check_competition(chemostat, ((5.0, 0.1, 0.1), (1.0, 3.0, 0.01)), 1500.0)
    assert check.survivors == ((winner,), (winner,))
    assert check.is_consistent


def test_no_winner_when_every_break_even_exceeds_s_in() -> None:
    chemostat = Chemostat((Species(MONOD), Species(CROSSING)), D=0.78, s_in=2.0)
    prediction = predict_competition(chemostat)
    assert prediction.possible_winners == ()
    assert prediction.is_washout_possible
    check = check_competition(chemostat, ((2.0, 0.5, 0.5),), 2000.0)
    assert check.survivors == ((),)


def test_three_species_exclusion_keeps_only_the_smallest_break_even() -> None:
    species = (Species(MONOD), Species(CROSSING), Species(GrowthLaw("linear", 0.5)))
    chemostat = Chemostat(species, D=0.3, s_in=5.0)
    lambdas = [break_even(sp.law, 0.3).lower for sp in species]
    assert lambdas == pytest.approx([0.3 / 0.7, 0.24, 0.6])
    check = check_competition(chemostat, ((5.0, 0.1, 0.1, 0.1),), 1500.0)
    assert check.prediction.possible_winners == (1,)
    assert check.survivors == ((1,),)


# Haldane (λ⁻ = 0.6534, λ⁺ = 3.0609 at D = 0.35) against Monod μmax = 0.6, λ = 1.4·K.
HALDANE_VS_MONOD = {
    "case 1": (0.3, (1,)),
    "case 2": (1.0, (0,)),
    "case 3": (3.0, (0, 1)),
}


@pytest.mark.parametrize("case", sorted(HALDANE_VS_MONOD))
def test_haldane_versus_monod_has_one_winner_per_connected_component(case: str) -> None:
    K, winners = HALDANE_VS_MONOD[case]
    chemostat = Chemostat((Species(HALDANE), Species(GrowthLaw("monod", 0.6, K))), 0.35, 5.0)
    prediction = predict_competition(chemostat)
    assert prediction.possible_winners == winners
    assert len(prediction.components) == len(winners)
    assert not prediction.is_washout_possible
    starts = ((0.3, 4.5, 0.2), (4.5, 0.3, 0.2), (2.0, 1.0, 2.0))
    check = check_competition(chemostat, starts, 3000.0)
    assert check.is_consistent
    assert {w for run in check.survivors for w in run} == set(winners)


def test_competition_prediction_rejects_contois() -> None:
    chemostat = Chemostat((Species(MONOD), Species(GrowthLaw("contois", 1.0, 1.0))), 0.3, 5.0)
    with pytest.raises(ParameterError, match="contois"):
        predict_competition(chemostat)


def test_reduced_model_has_the_same_end_state_as_the_full_model() -> None:
    chemostat = Chemostat((Species(HALDANE), Species(GrowthLaw("monod", 0.6, 3.0))), 0.35, 5.0)
    reduced = simulate_reduced(chemostat, (3.0, 1.0), 2000.0, rtol=1e-11, atol=1e-13)
    full = simulate(chemostat, (1.0, 3.0, 1.0), 2000.0, rtol=1e-11, atol=1e-13)
    assert_allclose(reduced.x[:, -1], full.x[:, -1], rtol=1e-6, atol=1e-9)
    assert_allclose(reduced.s + reduced.x.sum(axis=0), 5.0, rtol=1e-12)


def test_linear_laws_give_lotka_volterra_without_coexistence() -> None:
    species = (Species(GrowthLaw("linear", 0.5)), Species(GrowthLaw("linear", 0.8)))
    chemostat = Chemostat(species, D=0.4, s_in=3.0)
    assert not any(len(eq.survivors) == 2 for eq in find_equilibria(chemostat))
    reduced = simulate_reduced(chemostat, (1.0, 1.0), 500.0, rtol=1e-11, atol=1e-13)
    assert reduced.x[0, -1] < 1e-9
    assert reduced.x[1, -1] == pytest.approx(3.0 - 0.4 / 0.8, rel=1e-6)


def test_reduced_model_rejects_biomass_above_s_in() -> None:
    chemostat = Chemostat((Species(MONOD),), 0.3, 1.0)
    with pytest.raises(ParameterError, match="x0"):
        simulate_reduced(chemostat, (2.0,), 10.0)


@pytest.mark.parametrize(
    ("K", "outcome", "end_survivors"),
    [(1.0, "stabilisation", (0,)), (0.3, "invasion", (1,)), (3.0, "bistable-invasion", (1,))],
)
def test_bioaugmentation_follows_the_break_even_criterion(
    K: float, outcome: str, end_survivors: tuple[int, ...]
) -> None:
    resident, added = Species(HALDANE), Species(GrowthLaw("monod", 0.6, K))
    run = simulate_bioaugmentation(resident, added, 0.35, 5.0, (4.5, 0.3), 0.01, 1000.0)
    prediction = run.prediction
    assert prediction.is_washout_attractive
    assert prediction.outcome == outcome
    assert prediction.is_stabilising == (outcome == "stabilisation")
    assert run.alone.is_washout
    final = run.augmented.final_state
    survivors = tuple(int(i) for i in np.flatnonzero(final[1:] > 1e-6))
    assert survivors == end_survivors
    if outcome == "stabilisation":
        assert final[0] == pytest.approx(prediction.resident.lower, rel=1e-6)


def test_bioaugmentation_with_a_species_that_cannot_grow_has_no_effect() -> None:
    prediction = predict_bioaugmentation(
        Species(HALDANE), Species(GrowthLaw("monod", 0.3, 1.0)), 0.35, 5.0
    )
    assert prediction.outcome == "no-effect"
