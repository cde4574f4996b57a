"""Batch growth (no dilution): logistic growth and Monod growth with a yield."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from .errors import IntegrationError, ParameterError
from .laws import GrowthLaw

__all__ = ["BATCH_METHODS", "BatchGrowth", "logistic_closed_form", "simulate_batch"]


@dataclass(frozen=True)
class BatchGrowth:
    """Batch trajectory: biomass x(t) and substrate s(t) (s is NaN for logistic runs)."""

    t: NDArray[np.float64]
    x: NDArray[np.float64]
    s: NDArray[np.float64]
    method: str


def logistic_closed_form(
    t: NDArray[np.float64], x0: float, r: float, x_max: float
) -> NDArray[np.float64]:
    """Return x(t) = x_max / (1 + e^(−r t)·(x_max/x0 − 1)) (Verhulst, 1838).

    References
    ----------
    Course, slide "La croissance logistique".
    """
    return x_max / (1.0 + np.exp(-r * np.asarray(t, float)) * (x_max / x0 - 1.0))


def _integrate(
    rhs: Callable[[float, NDArray[np.float64]], NDArray[np.float64]],
    u0: list[float],
    t: NDArray[np.float64],
) -> NDArray[np.float64]:
    # LSODA switches to a stiff (BDF) method where growth is fast next to the horizon
    # (r·t_end ≫ 1, small yields): the explicit RK45 used before either failed there ("step
    # size less than spacing") or took ~1 s of tiny steps at a stable equilibrium.
    solution = solve_ivp(
        rhs, (0.0, float(t[-1])), u0, t_eval=t, method="LSODA", rtol=1e-10, atol=1e-12
    )
    if solution.status < 0:
        raise IntegrationError(f"batch integration failed: {solution.message}")
    return np.maximum(solution.y, 0.0)


def _logistic(
    t: NDArray, x0: float, r: float, x_max: float, **_unused: float
) -> tuple[NDArray, NDArray]:
    return logistic_closed_form(t, x0, r, x_max), np.full(t.shape, np.nan)


def _logistic_ode(
    t: NDArray, x0: float, r: float, x_max: float, **_unused: float
) -> tuple[NDArray, NDArray]:
    def rhs(_t: float, u: NDArray) -> NDArray:
        return r * u * (1.0 - u / x_max)

    return _integrate(rhs, [x0], t)[0], np.full(t.shape, np.nan)


def _monod(
    t: NDArray, x0: float, s0: float, law: GrowthLaw, yield_: float, **_unused: float
) -> tuple[NDArray, NDArray]:
    def rhs(_t: float, u: NDArray) -> NDArray:
        s, x = max(u[0], 0.0), max(u[1], 0.0)
        growth = float(law.rate(s, x)) * x
        return np.array([-growth / yield_, growth])

    states = _integrate(rhs, [s0, x0], t)
    return states[1], states[0]


_METHODS: dict[str, Callable[..., tuple[NDArray, NDArray]]] = {
    "logistic": _logistic,
    "logistic-ode": _logistic_ode,
    "monod": _monod,
}
BATCH_METHODS: tuple[str, ...] = tuple(_METHODS)


def simulate_batch(
    method: str,
    t_end: float,
    *,
    x0: float,
    n_points: int = 201,
    r: float = 1.0,
    x_max: float = 1.0,
    s0: float = 0.0,
    law: GrowthLaw | None = None,
    yield_: float = 1.0,
) -> BatchGrowth:
    """Simulate growth in a batch reactor.

    Parameters
    ----------
    method : {"logistic", "logistic-ode", "monod"}
        Closed-form logistic curve, the same by integrating ẋ = r x (1 − x/x_max),
        or ẋ = μ(s)x, ṡ = −μ(s)x/y (x + y·s stays constant).
    t_end : float
        Horizon, h (> 0).
    x0 : float
        Initial biomass, g/L (> 0).
    n_points : int
        Number of output times (≥ 2).
    r, x_max : float
        Logistic rate (1/h) and carrying capacity (g/L), both > 0.
    s0 : float
        Initial substrate for ``monod``, g/L (≥ 0).
    law : GrowthLaw
        Growth law for ``monod`` (any family).
    yield_ : float
        Yield y for ``monod`` (> 0).

    Returns
    -------
    BatchGrowth
        Times, biomass and substrate (NaN for the logistic methods).

    References
    ----------
    Course, slides "La croissance logistique" and "Modélisation mathématique"
    (hypotheses H0, H1b).
    """
    if method not in _METHODS:
        raise ParameterError("method", method, f"must be one of {', '.join(BATCH_METHODS)}")
    for name, value in (
        ("t_end", t_end),
        ("x0", x0),
        ("r", r),
        ("x_max", x_max),
        ("yield", yield_),
    ):
        if not (math.isfinite(value) and value > 0):
            raise ParameterError(name, value, "must be a finite number > 0")
    if not (math.isfinite(s0) and s0 >= 0):
        raise ParameterError("s0", s0, "must be a finite number ≥ 0")
    if not (isinstance(n_points, int) and n_points >= 2):
        raise ParameterError("n_points", n_points, "must be an integer ≥ 2")
    if method == "monod" and law is None:
        raise ParameterError("law", law, "a growth law is needed for the monod method")
    t = np.linspace(0.0, t_end, n_points)
    x, s = _METHODS[method](t, x0=x0, r=r, x_max=x_max, s0=s0, law=law, yield_=yield_)
    return BatchGrowth(t=t, x=x, s=s, method=method)
