"""Specific growth laws μ(s) or μ(s, x) of the course.

Every law is written in one rational form so that N species can be evaluated at
once with numpy:

    μ(s, x) = a·s / (c0 + c1·s + c2·s² + c3·x)

=========  ====  ====  ====  =====  ====
law        a     c0    c1    c2     c3
=========  ====  ====  ====  =====  ====
Monod      μmax  K     1     0      0
Haldane    μ̄     K     1     1/Ki   0
Contois    μmax  0     1     0      K
linear     r     1     0     0      0
=========  ====  ====  ====  =====  ====

Rates are in 1/h, concentrations in g/L (any consistent units work).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ParameterError

__all__ = ["LAW_KINDS", "GrowthLaw", "LawKind", "growth_rate"]

LawKind = Literal["monod", "haldane", "contois", "linear"]
LAW_KINDS: tuple[LawKind, ...] = ("monod", "haldane", "contois", "linear")


def _check_positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ParameterError(name, value, "must be a finite number > 0")


@dataclass(frozen=True)
class GrowthLaw:
    """A specific growth law.

    Parameters
    ----------
    kind : {"monod", "haldane", "contois", "linear"}
        Family of the law.
    mu_max : float
        Maximal rate μmax (Monod, Contois), μ̄ (Haldane) or slope r (linear), 1/h
        (1/h per g/L for the linear law).
    K : float
        Half-saturation constant, g/L (Contois: dimensionless K·x). Ignored by the
        linear law.
    Ki : float
        Inhibition constant of Haldane, g/L; ``math.inf`` gives back Monod.
    """

    kind: LawKind
    mu_max: float
    K: float = 1.0
    Ki: float = math.inf

    def __post_init__(self) -> None:
        if self.kind not in LAW_KINDS:
            raise ParameterError("law", self.kind, f"must be one of {', '.join(LAW_KINDS)}")
        _check_positive("mu_max", self.mu_max)
        if self.kind != "linear":
            _check_positive("K", self.K)
        if self.kind == "haldane" and not (
            isinstance(self.Ki, int | float) and self.Ki > 0 and not math.isnan(self.Ki)
        ):
            raise ParameterError("Ki", self.Ki, "must be > 0 (math.inf for no inhibition)")

    @property
    def coefficients(self) -> tuple[float, float, float, float, float]:
        """Return ``(a, c0, c1, c2, c3)`` of the rational form."""
        if self.kind == "monod":
            return (self.mu_max, self.K, 1.0, 0.0, 0.0)
        if self.kind == "haldane":
            return (self.mu_max, self.K, 1.0, 1.0 / self.Ki, 0.0)
        if self.kind == "contois":
            return (self.mu_max, 0.0, 1.0, 0.0, self.K)
        return (self.mu_max, 1.0, 0.0, 0.0, 0.0)

    @property
    def depends_on_biomass(self) -> bool:
        """True for Contois, whose rate depends on the biomass x."""
        return self.kind == "contois"

    @property
    def is_monotone(self) -> bool:
        """True when μ is non-decreasing in s (all laws but Haldane with finite Ki)."""
        return not (self.kind == "haldane" and math.isfinite(self.Ki))

    def rate(self, s: ArrayLike, x: ArrayLike = 0.0) -> NDArray[np.float64]:
        """Return μ(s, x) in 1/h (x only matters for Contois)."""
        return growth_rate(self, s, x)

    def rate_derivatives(
        self, s: ArrayLike, x: ArrayLike = 0.0
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the partial derivatives (∂μ/∂s, ∂μ/∂x)."""
        a, c0, c1, c2, c3 = self.coefficients
        s_arr = np.asarray(s, dtype=float)
        x_arr = np.asarray(x, dtype=float)
        den = c0 + c1 * s_arr + c2 * s_arr**2 + c3 * x_arr
        safe = np.where(den > 0, den, 1.0)
        d_s = np.where(den > 0, a * (c0 + c3 * x_arr - c2 * s_arr**2) / safe**2, 0.0)
        d_x = np.where(den > 0, -a * s_arr * c3 / safe**2, 0.0)
        return d_s, d_x

    def argmax(self) -> float:
        """Return the s maximising μ over s ≥ 0 (``math.inf`` for monotone laws)."""
        if self.is_monotone:
            return math.inf
        return math.sqrt(self.K * self.Ki)

    def max_rate(self, s_max: float = math.inf) -> float:
        """Return sup of μ(s, 0) over 0 ≤ s ≤ s_max, 1/h."""
        if self.kind == "linear":
            return self.mu_max * s_max
        if self.kind == "contois":
            return self.mu_max if s_max > 0 else 0.0
        s_peak = min(self.argmax(), s_max)
        if math.isinf(s_peak):
            return self.mu_max
        return float(growth_rate(self, s_peak))


def growth_rate(law: GrowthLaw, s: ArrayLike, x: ArrayLike = 0.0) -> NDArray[np.float64]:
    """Evaluate a growth law.

    Parameters
    ----------
    law : GrowthLaw
        The law.
    s : array_like
        Substrate concentration(s), g/L, ≥ 0.
    x : array_like, optional
        Biomass concentration(s), g/L (only used by Contois).

    Returns
    -------
    numpy.ndarray
        μ(s, x) in 1/h, broadcast over ``s`` and ``x``; 0 where s = 0.

    References
    ----------
    Course "Le modèle du chémostat", slides "Modélisation mathématique" (Monod) and
    "Critiques du modèle de Monod" (Contois, Haldane).
    """
    a, c0, c1, c2, c3 = law.coefficients
    s_arr = np.asarray(s, dtype=float)
    x_arr = np.asarray(x, dtype=float)
    den = c0 + c1 * s_arr + c2 * s_arr**2 + c3 * x_arr
    return np.where(den > 0, a * s_arr / np.where(den > 0, den, 1.0), 0.0)
