"""Operating diagram of the one-species chemostat in the (D, s_in) plane."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .breakeven import break_even_arrays
from .equilibria import find_equilibria
from .errors import ParameterError
from .laws import GrowthLaw
from .system import Chemostat, Species

__all__ = [
    "MAX_GRID_POINTS",
    "OPERATING_METHODS",
    "REGION_NAMES",
    "OperatingDiagram",
    "operating_diagram",
]

#: Region codes of :attr:`OperatingDiagram.region`.
REGION_NAMES: tuple[str, ...] = ("washout", "persistence", "bistability")
WASHOUT, PERSISTENCE, BISTABILITY = 0, 1, 2
#: Bound on len(D) × len(s_in), so that one call stays short.
MAX_GRID_POINTS = 1_000_000


@dataclass(frozen=True)
class OperatingDiagram:
    """Regions on a grid: ``region[i, j]`` is the code at s_in[i], D[j].

    Codes index :data:`REGION_NAMES`: 0 washout only, 1 one stable positive
    equilibrium (washout unstable), 2 bistability (washout and a positive
    equilibrium both stable). ``mu_at_s_in`` (curve D = μ(s_in)) and
    ``max_rate`` (curve D = max over [0, s_in] of μ) draw the boundaries.
    """

    D: NDArray[np.float64]
    s_in: NDArray[np.float64]
    region: NDArray[np.int8]
    mu_at_s_in: NDArray[np.float64]
    max_rate: NDArray[np.float64]
    method: str

    def counts(self) -> dict[str, int]:
        """Return the number of grid points in each region."""
        return {name: int(np.sum(self.region == code)) for code, name in enumerate(REGION_NAMES)}


def _interval(law: GrowthLaw, D: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    if law.kind == "contois":
        # The positive equilibrium exists for every s_in > 0 as soon as μmax > D.
        grows = law.mu_max > D
        return np.where(grows, 0.0, np.inf), np.full(D.shape, np.inf)
    return break_even_arrays(law, D)


def _regions_vectorised(
    law: GrowthLaw, D: NDArray[np.float64], s_in: NDArray[np.float64]
) -> NDArray[np.int8]:
    lower, upper = _interval(law, D)
    s_col = s_in[:, None]
    exists = lower[None, :] < s_col
    washout_unstable = exists & (s_col < upper[None, :])
    region = np.where(exists, np.where(washout_unstable, PERSISTENCE, BISTABILITY), WASHOUT)
    return region.astype(np.int8)


def _regions_loop(
    law: GrowthLaw, D: NDArray[np.float64], s_in: NDArray[np.float64]
) -> NDArray[np.int8]:
    species = (Species(law=law),)
    region = np.zeros((s_in.size, D.size), dtype=np.int8)
    for i, s_value in enumerate(s_in):
        for j, d_value in enumerate(D):
            equilibria = find_equilibria(Chemostat(species, float(d_value), float(s_value)))
            washout_stable = equilibria[0].is_stable
            positive_stable = any(eq.is_stable for eq in equilibria[1:])
            if positive_stable:
                region[i, j] = BISTABILITY if washout_stable else PERSISTENCE
    return region


_METHODS: dict[str, Callable[..., NDArray[np.int8]]] = {
    "vectorised": _regions_vectorised,
    "loop": _regions_loop,
}
OPERATING_METHODS: tuple[str, ...] = tuple(_METHODS)


def _check_axis(name: str, values: ArrayLike, *, strictly_positive: bool) -> NDArray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size < 1:
        raise ParameterError(name, arr.shape, "must be a non-empty 1-D array")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "non-finite", "values must be finite")
    if strictly_positive and np.any(arr <= 0):
        raise ParameterError(name, float(arr.min()), "values must be > 0")
    if np.any(arr < 0):
        raise ParameterError(name, float(arr.min()), "values must be ≥ 0")
    return arr


def operating_diagram(
    law: GrowthLaw, D: ArrayLike, s_in: ArrayLike, *, method: str = "vectorised"
) -> OperatingDiagram:
    """Classify each (D, s_in) point by its stable equilibria.

    Parameters
    ----------
    law : GrowthLaw
        Growth law of the single species (the yield does not change regions).
    D : array_like
        Dilution rates, 1/h (> 0), 1-D.
    s_in : array_like
        Input concentrations, g/L (≥ 0), 1-D.
    method : {"vectorised", "loop"}
        ``vectorised`` compares s_in with λ⁻(D), λ⁺(D) on the whole grid;
        ``loop`` computes the equilibria and eigenvalues point by point (the
        reference and benchmark baseline).

    Returns
    -------
    OperatingDiagram
        Region codes of shape (len(s_in), len(D)) and boundary curves.

    Raises
    ------
    ParameterError
        On bad axes, a grid larger than ``MAX_GRID_POINTS`` or an unknown method.

    References
    ----------
    Course, slides "Diagramme opératoire" (Monod and Haldane) and "Résumé".
    """
    if method not in _METHODS:
        raise ParameterError("method", method, f"must be one of {', '.join(OPERATING_METHODS)}")
    d_axis = _check_axis("D", D, strictly_positive=True)
    s_axis = _check_axis("s_in", s_in, strictly_positive=False)
    if d_axis.size * s_axis.size > MAX_GRID_POINTS:
        raise ParameterError("grid", d_axis.size * s_axis.size, f"at most {MAX_GRID_POINTS} points")
    region = _METHODS[method](law, d_axis, s_axis)
    mu_at_s_in = law.rate(s_axis)
    if law.kind == "contois":
        mu_at_s_in = np.where(s_axis > 0, law.mu_max, 0.0)
    peak = law.argmax()
    max_rate = (
        mu_at_s_in if math.isinf(peak) else np.where(s_axis < peak, mu_at_s_in, law.max_rate())
    )
    return OperatingDiagram(
        D=d_axis,
        s_in=s_axis,
        region=region,
        mu_at_s_in=np.asarray(mu_at_s_in, dtype=float),
        max_rate=np.asarray(max_rate, dtype=float),
        method=method,
    )
