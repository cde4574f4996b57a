"""The adaptive controller (auxostat) with and without measurement noise."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from apps.ecology.chemostat import Controller, ParameterError, Species, simulate_auxostat

from .conftest import HALDANE


@pytest.mark.parametrize("gain", [1.0, 10.0])
def test_d_bar_converges_to_mu_of_the_set_point(gain: float) -> None:
    # s* = 2 lies on the decreasing branch of Haldane: unstable in open loop.
    controller = Controller(s_target=2.0, K1=gain, K2=gain, D_bar0=0.2)
    run = simulate_auxostat(Species(HALDANE), 5.0, controller, (4.0, 0.5), 100.0)
    assert run.D_target == pytest.approx(0.4)
    assert run.D_bar[-1] == pytest.approx(0.4, rel=1e-6)
    assert run.s[-1] == pytest.approx(2.0, rel=1e-6)
    assert run.x[-1] == pytest.approx(3.0, rel=1e-6)


def _noisy(gain: float, seed: int) -> object:
    controller = Controller(
        s_target=2.0, K1=gain, K2=gain, D_bar0=0.2, noise_std=0.02, sample_period=0.1
    )
    rng = np.random.default_rng(seed)
    return simulate_auxostat(Species(HALDANE), 5.0, controller, (4.0, 0.5), 100.0, rng=rng)


def test_noisy_runs_are_reproducible_from_the_seed() -> None:
    assert_array_equal(_noisy(1.0, 7).D, _noisy(1.0, 7).D)
    assert not np.array_equal(_noisy(1.0, 7).D, _noisy(1.0, 8).D)


def test_high_gains_amplify_measurement_noise_on_the_dilution_rate() -> None:
    low, high = _noisy(1.0, 3), _noisy(10.0, 3)
    late = low.t > 50.0
    assert np.mean(low.D_bar[late]) == pytest.approx(0.4, rel=0.02)
    assert np.mean(low.s[late]) == pytest.approx(2.0, rel=0.02)
    assert np.std(high.D[late]) > 5 * np.std(low.D[late])


def test_noisy_run_needs_a_generator() -> None:
    controller = Controller(s_target=2.0, K1=1.0, K2=1.0, noise_std=0.1)
    with pytest.raises(ParameterError, match="rng"):
        simulate_auxostat(Species(HALDANE), 5.0, controller, (4.0, 0.5), 10.0)


@pytest.mark.parametrize(
    ("kwargs", "name"), [({"K1": 0.0}, "K1"), ({"noise_std": -1.0}, "noise_std")]
)
def test_rejects_bad_controller_parameters(kwargs: dict, name: str) -> None:
    with pytest.raises(ParameterError) as caught:
        Controller(**({"s_target": 1.0, "K1": 1.0, "K2": 1.0} | kwargs))
    assert caught.value.name == name


def test_rejects_set_point_above_s_in() -> None:
    with pytest.raises(ParameterError, match="s_in"):
        simulate_auxostat(
            Species(HALDANE), 1.0, Controller(s_target=2.0, K1=1, K2=1), (1.0, 1.0), 10.0
        )
