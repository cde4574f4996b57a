"""Parameter sets of the course's cases, shared by the tests."""

from __future__ import annotations

import pytest

from apps.ecology.chemostat import Chemostat, GrowthLaw, Species

HALDANE = GrowthLaw("haldane", mu_max=1.0, K=1.0, Ki=2.0)
MONOD = GrowthLaw("monod", mu_max=1.0, K=1.0)


@pytest.fixture
def monod_chemostat() -> Chemostat:
    """Monod μmax = 1, K = 1, y = 1, D = 0.5, s_in = 5: s* = 1, x* = 4."""
    return Chemostat((Species(MONOD),), D=0.5, s_in=5.0)


@pytest.fixture
def haldane_species() -> Species:
    """Haldane μ̄ = 1, K = 1, Ki = 2: max μ = 1/(1+√2) at s = √2; μ(5) = 0.2703."""
    return Species(HALDANE)
