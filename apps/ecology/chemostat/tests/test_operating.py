"""Operating diagram: vectorised against the point-by-point reference, and the course's regions."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from apps.ecology.chemostat import REGION_NAMES, GrowthLaw, ParameterError, operating_diagram

from .conftest import HALDANE, MONOD

# Irregular axes keep grid points off the region boundaries.
D_AXIS = np.linspace(0.0131, 0.987, 29)
S_AXIS = np.linspace(0.0, 9.93, 31)


@pytest.mark.parametrize(
    "law",
    [MONOD, HALDANE, GrowthLaw("contois", 0.6, 1.0), GrowthLaw("linear", 0.3)],
    ids=["monod", "haldane", "contois", "linear"],
)
def test_vectorised_diagram_equals_the_plain_loop_reference(law: GrowthLaw) -> None:
    fast = operating_diagram(law, D_AXIS, S_AXIS)
    reference = operating_diagram(law, D_AXIS, S_AXIS, method="loop")
    assert_array_equal(fast.region, reference.region)
    assert fast.region.shape == (S_AXIS.size, D_AXIS.size)


@pytest.mark.parametrize(
    ("D", "s_in", "region"),
    [(0.45, 5.0, "washout"), (0.35, 5.0, "bistability"), (0.2, 5.0, "persistence")],
)
def test_haldane_regions_are_the_three_regimes_of_the_course(
    D: float, s_in: float, region: str
) -> None:
    diagram = operating_diagram(HALDANE, [D], [s_in])
    assert REGION_NAMES[diagram.region[0, 0]] == region


def test_monod_boundary_is_d_equal_mu_of_s_in_and_has_no_bistability() -> None:
    D = np.array([0.5 - 1e-9, 0.5 + 1e-9])
    diagram = operating_diagram(MONOD, D, [1.0])  # μ(1) = 0.5
    assert [REGION_NAMES[c] for c in diagram.region[0]] == ["persistence", "washout"]
    assert diagram.mu_at_s_in[0] == pytest.approx(0.5)
    assert operating_diagram(MONOD, D_AXIS, S_AXIS).counts()["bistability"] == 0


def test_haldane_boundary_curves_are_mu_s_in_and_the_running_maximum() -> None:
    diagram = operating_diagram(HALDANE, [0.3], [1.0, 5.0])
    assert diagram.mu_at_s_in == pytest.approx([0.4, 5.0 / 18.5])
    assert diagram.max_rate == pytest.approx([0.4, 1.0 / (1.0 + np.sqrt(2.0))])


@pytest.mark.parametrize(
    ("D", "s_in", "method", "name"),
    [
        ([0.0, 0.5], [1.0], "vectorised", "D"),
        ([0.5], [-1.0], "vectorised", "s_in"),
        ([0.5], [1.0], "fast", "method"),
        (np.ones(1001), np.ones(1000), "vectorised", "grid"),
    ],
)
def test_rejects_bad_diagram_parameters(D: object, s_in: object, method: str, name: str) -> None:
    with pytest.raises(ParameterError) as caught:
        operating_diagram(MONOD, D, s_in, method=method)
    assert caught.value.name == name
