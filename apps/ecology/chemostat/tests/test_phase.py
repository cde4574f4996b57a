"""Isoclines, vector field and trajectories of the phase portraits."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from apps.ecology.chemostat import (
    Chemostat,
    GrowthLaw,
    ParameterError,
    Species,
    phase_portrait,
    vector_field,
)

from .conftest import HALDANE


def test_haldane_isoclines_are_where_each_derivative_vanishes() -> None:
    chemostat = Chemostat((Species(HALDANE),), D=0.35, s_in=5.0)
    portrait = phase_portrait(chemostat, [(0.5, 4.0), (4.5, 0.3)], t_end=300.0)
    assert portrait.axes == ("s", "x")
    vertical = [c for c in portrait.isoclines if c.variable == "x" and c.first[0] > 0]
    assert sorted(c.first[0] for c in vertical) == pytest.approx(
        [eq.s for eq in portrait.equilibria[1:]]
    )
    s_curve = next(c for c in portrait.isoclines if c.variable == "s")
    for s, x in zip(s_curve.first[::25], s_curve.second[::25], strict=True):
        assert vector_field(chemostat, (s, x))[0] == pytest.approx(0.0, abs=1e-12)
    ends = [traj[:, -1] for traj in portrait.trajectories]
    assert ends[0] == pytest.approx([portrait.equilibria[1].s, portrait.equilibria[1].x[0]])
    assert ends[1] == pytest.approx([5.0, 0.0], abs=1e-6)


def test_vector_field_grid_matches_the_model() -> None:
    chemostat = Chemostat((Species(HALDANE, 0.5),), D=0.2, s_in=3.0)
    portrait = phase_portrait(chemostat, arrows=5)
    i, j = 2, 3
    expected = vector_field(chemostat, (portrait.grid_first[i, j], portrait.grid_second[i, j]))
    assert_allclose((portrait.field_first[i, j], portrait.field_second[i, j]), expected, rtol=1e-12)


def test_contois_isoclines_vanish_on_the_model() -> None:
    chemostat = Chemostat((Species(GrowthLaw("contois", 1.0, 0.5)),), D=0.4, s_in=3.0)
    portrait = phase_portrait(chemostat)
    for curve in portrait.isoclines:
        index = 0 if curve.variable == "s" else 1
        for s, x in zip(curve.first, curve.second, strict=True):
            if x > 0 and s > 0:
                assert vector_field(chemostat, (s, x))[index] == pytest.approx(0.0, abs=1e-9)


def test_two_species_portrait_uses_the_asymptotic_plane() -> None:
    chemostat = Chemostat(
        (Species(HALDANE), Species(GrowthLaw("monod", 0.6, 3.0))), D=0.35, s_in=5.0
    )
    portrait = phase_portrait(chemostat, [(4.0, 0.1), (0.1, 3.0)], t_end=2000.0)
    assert portrait.axes == ("x1", "x2")
    # Case 3: each start ends on one species alone.
    first_end, second_end = (traj[:, -1] for traj in portrait.trajectories)
    assert first_end[1] < 1e-6 < first_end[0]
    assert second_end[0] < 1e-6 < second_end[1]
    lines = [c for c in portrait.isoclines if c.first[0] > 0]
    assert len(lines) == 3  # two for the Haldane species, one for Monod


def test_rejects_three_species_and_too_many_points() -> None:
    three = Chemostat((Species(HALDANE),) * 3, D=0.3, s_in=5.0)
    with pytest.raises(ParameterError, match="species"):
        phase_portrait(three)
    one = Chemostat((Species(HALDANE),), D=0.3, s_in=5.0)
    with pytest.raises(ParameterError, match="initial_points"):
        phase_portrait(one, np.ones((21, 2)))
