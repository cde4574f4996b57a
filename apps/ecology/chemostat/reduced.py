"""The reduced (asymptotic) model through the mass m = s + Σ x_i / y_i."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from .errors import IntegrationError, ParameterError
from .system import Chemostat, vector_field

__all__ = ["ReducedSimulation", "mass", "mass_closed_form", "simulate_reduced"]


@dataclass(frozen=True)
class ReducedSimulation:
    """A trajectory of the asymptotic model on m = s_in; ``x`` has shape (N, len(t))."""

    t: NDArray[np.float64]
    s: NDArray[np.float64]
    x: NDArray[np.float64]
    status: int
    message: str
    n_rhs_evaluations: int


def mass(chemostat: Chemostat, state: ArrayLike) -> NDArray[np.float64]:
    """Return m = s + Σ x_i / y_i for states of shape (N+1,) or (N+1, T)."""
    u = np.asarray(state, dtype=float)
    yields = np.array([sp.yield_ for sp in chemostat.species])
    if u.ndim == 1:
        return np.asarray(u[0] + np.sum(u[1:] / yields))
    return u[0] + np.sum(u[1:] / yields[:, None], axis=0)


def mass_closed_form(chemostat: Chemostat, m0: float, t: ArrayLike) -> NDArray[np.float64]:
    """Return m(t) = s_in + (m0 − s_in)·e^(−D t), solution of dm/dt = D(s_in − m).

    References
    ----------
    Course, slide "Modèle réduit".
    """
    return chemostat.s_in + (m0 - chemostat.s_in) * np.exp(-chemostat.D * np.asarray(t, float))


def simulate_reduced(
    chemostat: Chemostat,
    x0: ArrayLike,
    t_end: float,
    *,
    n_points: int = 501,
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> ReducedSimulation:
    """Integrate the asymptotic model ẋ_i = (μ_i(s_in − Σ x_j/y_j) − D)·x_i.

    Parameters
    ----------
    chemostat : Chemostat
        Species, D (1/h) and s_in (g/L).
    x0 : array_like
        Initial biomasses (N numbers ≥ 0, g/L) with Σ x_j/y_j ≤ s_in.
    t_end : float
        Horizon, h (> 0).
    n_points : int
        Number of output times (≥ 2).
    rtol, atol : float
        Tolerances of LSODA.

    Returns
    -------
    ReducedSimulation
        Times, s = s_in − Σ x_j/y_j and the biomasses.

    References
    ----------
    Course, slide "Modèle réduit" (modèle asymptotique).
    """
    x_start = np.asarray(x0, dtype=float)
    yields = np.array([sp.yield_ for sp in chemostat.species])
    if x_start.shape != (chemostat.n_species,) or np.any(~np.isfinite(x_start)):
        raise ParameterError("x0", x_start.tolist(), f"needs {chemostat.n_species} numbers")
    if np.any(x_start < 0) or np.sum(x_start / yields) > chemostat.s_in:
        raise ParameterError("x0", x_start.tolist(), "needs x_i ≥ 0 and Σ x_i/y_i ≤ s_in")
    if not (math.isfinite(t_end) and t_end > 0):
        raise ParameterError("t_end", t_end, "must be a finite number > 0")
    if not (isinstance(n_points, int) and n_points >= 2):
        raise ParameterError("n_points", n_points, "must be an integer ≥ 2")
    coef = chemostat.coefficient_arrays()

    def rhs(_t: float, x: NDArray[np.float64]) -> NDArray[np.float64]:
        s = max(chemostat.s_in - float(np.sum(np.maximum(x, 0.0) / yields)), 0.0)
        return vector_field(chemostat, np.concatenate(([s], x)), coef)[1:]

    solution = solve_ivp(
        rhs,
        (0.0, t_end),
        x_start,
        method="LSODA",
        t_eval=np.linspace(0.0, t_end, n_points),
        rtol=rtol,
        atol=atol,
    )
    if solution.status < 0:
        raise IntegrationError(f"LSODA failed: {solution.message}")
    x = np.maximum(solution.y, 0.0)
    s = np.maximum(chemostat.s_in - np.sum(x / yields[:, None], axis=0), 0.0)
    return ReducedSimulation(
        t=solution.t,
        s=s,
        x=x,
        status=int(solution.status),
        message=str(solution.message),
        n_rhs_evaluations=int(solution.nfev),
    )
