"""Simulated end states against the predicted stable equilibria, and the mass balance."""

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
    find_equilibria,
    mass,
    mass_closed_form,
    simulate,
    vector_field,
)

from .conftest import HALDANE, MONOD

END_STATE_RTOL = 1e-6
TIGHT = {"rtol": 1e-11, "atol": 1e-13}


def _stable_state(chemostat: Chemostat, survivors: tuple[int, ...]) -> np.ndarray:
    eq = next(e for e in find_equilibria(chemostat) if e.survivors == survivors)
    assert eq.is_stable
    return eq.state


@pytest.mark.parametrize("method", ["LSODA", "BDF", "Radau"])
def test_monod_end_state_equals_the_positive_equilibrium(
    monod_chemostat: Chemostat, method: str
) -> None:
    run = simulate(monod_chemostat, (5.0, 0.01), 200.0, method=method, **TIGHT)
    assert_allclose(run.final_state, _stable_state(monod_chemostat, (0,)), rtol=END_STATE_RTOL)
    assert not run.is_washout
    assert run.washout_time == math.inf


def test_washout_is_detected_when_dilution_exceeds_max_growth(haldane_species: Species) -> None:
    chemostat = Chemostat((haldane_species,), D=0.45, s_in=5.0)
    run = simulate(chemostat, (1.0, 2.0), 300.0, **TIGHT)
    assert run.is_washout
    assert 0 < run.washout_time < 300.0
    assert run.final_state[0] == pytest.approx(5.0, rel=END_STATE_RTOL)


@pytest.mark.parametrize(
    ("initial", "survivors"),
    [((0.5, 4.0), (0,)), ((4.5, 0.3), ())],
)
def test_haldane_bistability_ends_on_the_equilibrium_of_the_basin(
    haldane_species: Species, initial: tuple[float, float], survivors: tuple[int, ...]
) -> None:
    chemostat = Chemostat((haldane_species,), D=0.35, s_in=5.0)
    run = simulate(chemostat, initial, 400.0, **TIGHT)
    expected = _stable_state(chemostat, survivors)
    assert_allclose(run.final_state, expected, rtol=END_STATE_RTOL, atol=1e-9)
    assert run.is_washout == (survivors == ())


def test_haldane_below_mu_s_in_goes_to_the_positive_equilibrium_from_near_washout(
    haldane_species: Species,
) -> None:
    chemostat = Chemostat((haldane_species,), D=0.2, s_in=5.0)
    run = simulate(chemostat, (5.0, 0.01), 400.0, **TIGHT)
    assert_allclose(run.final_state, _stable_state(chemostat, (0,)), rtol=END_STATE_RTOL)


def test_two_species_end_state_is_the_winner_alone() -> None:
    chemostat = Chemostat((Species(MONOD), Species(GrowthLaw("monod", 0.8, 0.4))), D=0.3, s_in=5.0)
    run = simulate(chemostat, (5.0, 0.1, 0.1), 1000.0, **TIGHT)
    expected = _stable_state(chemostat, (1,))
    assert_allclose(run.final_state, expected, rtol=END_STATE_RTOL, atol=1e-9)


def test_mass_follows_dm_dt_equal_d_times_s_in_minus_m() -> None:
    chemostat = Chemostat((Species(HALDANE, 0.6), Species(MONOD, 0.9)), D=0.3, s_in=4.0)
    run = simulate(chemostat, (1.0, 0.5, 2.0), 30.0, **TIGHT)
    m0 = 1.0 + 0.5 / 0.6 + 2.0 / 0.9
    assert_allclose(run.mass, mass_closed_form(chemostat, m0, run.t), rtol=1e-8)
    states = np.vstack((run.s, run.x))
    assert_allclose(mass(chemostat, states), run.mass, rtol=1e-14)
    assert float(mass(chemostat, states[:, 0])) == pytest.approx(m0)


def test_negative_states_are_read_as_zero_by_the_vector_field() -> None:
    chemostat = Chemostat((Species(MONOD),), D=0.5, s_in=5.0)
    assert_allclose(vector_field(chemostat, (-1e-3, -2e-3)), vector_field(chemostat, (0.0, 0.0)))
    assert_allclose(vector_field(chemostat, (0.0, 0.0)), (2.5, 0.0))


@pytest.mark.parametrize("method", ["RK45", "DOP853"])
def test_non_stiff_methods_reach_the_same_end_state(method: str) -> None:
    chemostat = Chemostat((Species(GrowthLaw("monod", 2.0, 0.05)),), D=0.1, s_in=1.0)
    run = simulate(chemostat, (1.0, 0.5), 200.0, method=method, **TIGHT)
    reference = simulate(chemostat, (1.0, 0.5), 200.0, **TIGHT)
    assert_allclose(run.final_state, reference.final_state, rtol=1e-6)
    assert run.n_rhs_evaluations > 0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"initial": (1.0,)}, "initial"),
        ({"initial": (1.0, -0.1)}, "initial"),
        ({"t_end": 0.0}, "t_end"),
        ({"method": "Euler"}, "method"),
        ({"rtol": 0.0}, "rtol"),
        ({"n_points": 1}, "n_points"),
    ],
)
def test_rejects_bad_simulation_parameters(
    monod_chemostat: Chemostat, kwargs: dict, name: str
) -> None:
    arguments = {"initial": (1.0, 1.0), "t_end": 10.0} | kwargs
    with pytest.raises(ParameterError) as caught:
        simulate(monod_chemostat, **arguments)
    assert caught.value.name == name


@pytest.mark.parametrize(("D", "s_in", "name"), [(0.0, 1.0, "D"), (0.5, -1.0, "s_in")])
def test_rejects_bad_chemostat_parameters(D: float, s_in: float, name: str) -> None:
    with pytest.raises(ParameterError) as caught:
        Chemostat((Species(MONOD),), D=D, s_in=s_in)
    assert caught.value.name == name
