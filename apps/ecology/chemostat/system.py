"""The chemostat with N species on one substrate, its vector field and Jacobian.

State vector ``u = (s, x_1, ..., x_N)``::

    ṡ   = −Σ μ_i(s, x_i)·x_i / y_i + D·(s_in − s)
    ẋ_i = μ_i(s, x_i)·x_i − D·x_i
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ParameterError
from .laws import GrowthLaw

__all__ = ["Chemostat", "Species", "jacobian", "make_rhs", "vector_field"]


@dataclass(frozen=True)
class Species:
    """A consumer: its growth law and yield y (g biomass per g substrate)."""

    law: GrowthLaw
    yield_: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.yield_) and self.yield_ > 0):
            raise ParameterError("yield", self.yield_, "must be a finite number > 0")


@dataclass(frozen=True)
class Chemostat:
    """A chemostat: species, dilution rate D (1/h) and input substrate s_in (g/L)."""

    species: tuple[Species, ...]
    D: float
    s_in: float

    def __post_init__(self) -> None:
        if not self.species:
            raise ParameterError("species", self.species, "at least one species is needed")
        if not (math.isfinite(self.D) and self.D > 0):
            raise ParameterError("D", self.D, "must be a finite number > 0")
        if not (math.isfinite(self.s_in) and self.s_in >= 0):
            raise ParameterError("s_in", self.s_in, "must be a finite number ≥ 0")

    @property
    def n_species(self) -> int:
        """Number of species N."""
        return len(self.species)

    def with_dilution(self, D: float) -> Chemostat:
        """Return the same chemostat at another dilution rate."""
        return Chemostat(species=self.species, D=D, s_in=self.s_in)

    def coefficient_arrays(self) -> NDArray[np.float64]:
        """Return the (6, N) array of ``a, c0, c1, c2, c3, y`` per species."""
        rows = [(*sp.law.coefficients, sp.yield_) for sp in self.species]
        return np.array(rows, dtype=float).T.copy()


def _rates(
    coef: NDArray[np.float64], s: float, x: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    a, c0, c1, c2, c3 = coef[0], coef[1], coef[2], coef[3], coef[4]
    den = c0 + c1 * s + c2 * s * s + c3 * x
    positive = den > 0
    safe = np.where(positive, den, 1.0)
    return np.where(positive, a * s / safe, 0.0), safe


def vector_field(
    chemostat: Chemostat, state: ArrayLike, coef: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Return du/dt at ``state = (s, x_1..x_N)``; negative entries are read as 0."""
    if coef is None:
        coef = chemostat.coefficient_arrays()
    u = np.maximum(np.asarray(state, dtype=float), 0.0)
    s = u[0]
    x = u[1:]
    mu, _ = _rates(coef, s, x)
    du = np.empty_like(u)
    du[0] = chemostat.D * (chemostat.s_in - s) - np.sum(mu * x / coef[5])
    du[1:] = (mu - chemostat.D) * x
    return du


def jacobian(
    chemostat: Chemostat, state: ArrayLike, coef: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Return the analytic Jacobian ∂(ṡ, ẋ)/∂(s, x) at ``state``.

    References
    ----------
    Course, slides "Analyse mathématique de la stabilité" (one and two species).
    """
    if coef is None:
        coef = chemostat.coefficient_arrays()
    u = np.maximum(np.asarray(state, dtype=float), 0.0)
    s = u[0]
    x = u[1:]
    a, c0, c2, c3, y = coef[0], coef[1], coef[3], coef[4], coef[5]
    mu, den = _rates(coef, s, x)
    valid = (c0 + coef[2] * s + c2 * s * s + c3 * x) > 0
    d_s = np.where(valid, a * (c0 + c3 * x - c2 * s * s) / den**2, 0.0)
    d_x = np.where(valid, -a * s * c3 / den**2, 0.0)
    n = x.size
    jac = np.zeros((n + 1, n + 1))
    jac[0, 0] = -np.sum(d_s * x / y) - chemostat.D
    jac[0, 1:] = -(mu + d_x * x) / y
    jac[1:, 0] = d_s * x
    jac[np.arange(1, n + 1), np.arange(1, n + 1)] = mu - chemostat.D + d_x * x
    return jac


def make_rhs(chemostat: Chemostat) -> Callable[[float, Sequence[float]], list[float]]:
    """Return ``f(t, u)`` equal to :func:`vector_field`, written with Python floats.

    The integrator calls it thousands of times on a handful of numbers, where
    scalar arithmetic costs a few microseconds and numpy calls several times more.
    """
    rows = [(*sp.law.coefficients, sp.yield_) for sp in chemostat.species]
    D, s_in = chemostat.D, chemostat.s_in

    def rhs(_t: float, u: Sequence[float]) -> list[float]:
        s = u[0] if u[0] > 0 else 0.0
        ds = D * (s_in - s)
        out = [0.0]
        for index, (a, c0, c1, c2, c3, y) in enumerate(rows, start=1):
            x = u[index] if u[index] > 0 else 0.0
            den = c0 + s * (c1 + c2 * s) + c3 * x
            growth = a * s * x / den if den > 0 else 0.0
            ds -= growth / y
            out.append(growth - D * x)
        out[0] = ds
        return out

    return rhs
