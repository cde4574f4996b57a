"""Break-even concentrations λ(D), λ⁻(D) and λ⁺(D).

``E(D) = {s > 0 | μ(s) > D} = (λ⁻(D), λ⁺(D))`` for the laws of the course
(λ⁺ = ∞ for monotone laws; E empty when μ never exceeds D, then λ⁻ = λ⁺ = ∞).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ParameterError
from .laws import GrowthLaw

__all__ = ["BreakEven", "break_even", "break_even_arrays"]


@dataclass(frozen=True)
class BreakEven:
    """The interval E(D) = (lower, upper) where μ(s) > D, in g/L."""

    D: float
    lower: float
    upper: float

    @property
    def is_empty(self) -> bool:
        """True when μ(s) ≤ D for every s."""
        return not self.lower < self.upper

    def contains(self, s: float) -> bool:
        """True when μ(s) > D, i.e. s lies in the open interval E(D)."""
        return self.lower < s < self.upper

    def roots(self) -> tuple[float, ...]:
        """Return the finite roots of μ(s) = D, increasing (0, 1 or 2)."""
        return tuple(v for v in dict.fromkeys((self.lower, self.upper)) if math.isfinite(v))


def break_even_arrays(
    law: GrowthLaw, D: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return (λ⁻(D), λ⁺(D)) for an array of dilution rates (vectorised).

    Contois has no break-even concentration (μ depends on x): ParameterError.
    """
    if law.kind == "contois":
        raise ParameterError(
            "law", law.kind, "break-even concentrations are undefined when μ depends on x"
        )
    d = np.asarray(D, dtype=float)
    inf = np.full(d.shape, np.inf)
    if law.kind == "linear":
        return d / law.mu_max, inf
    a, c0, _c1, c2, _c3 = law.coefficients
    grows = a > d
    if c2 == 0.0:
        lower = np.where(grows, c0 * d / np.where(grows, a - d, 1.0), np.inf)
        return lower, inf
    # D·c2·s² + (D − a)·s + D·c0 = 0, solved without cancellation.
    b = d - a
    disc = b * b - 4.0 * d * d * c2 * c0
    real = grows & (disc >= 0)
    q = np.where(real, (-b + np.sqrt(np.where(real, disc, 0.0))) / 2.0, 1.0)
    lower = np.where(real, d * c0 / q, np.inf)
    upper = np.where(real, q / (d * c2), np.inf)
    return lower, upper


def break_even(law: GrowthLaw, D: float) -> BreakEven:
    """Compute the break-even concentrations of a growth law.

    Parameters
    ----------
    law : GrowthLaw
        Monod, Haldane or linear law (not Contois).
    D : float
        Dilution rate, 1/h (> 0).

    Returns
    -------
    BreakEven
        ``lower`` = λ⁻(D) = λ(D) = inf{s ≥ 0 | μ(s) > D} and ``upper`` = λ⁺(D),
        both ``inf`` when μ never exceeds D.

    Raises
    ------
    ParameterError
        When D ≤ 0 or the law is Contois.

    References
    ----------
    Course, slides "Le Principe d'Exclusion Compétitive" (λ_i(D)) and "Une
    généralisation du Principe d'Exclusion" (λ_i⁻, λ_i⁺).
    """
    if not (math.isfinite(D) and D > 0):
        raise ParameterError("D", D, "must be a finite number > 0")
    lower, upper = break_even_arrays(law, D)
    return BreakEven(D=D, lower=float(lower), upper=float(upper))
