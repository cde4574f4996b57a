"""Time integration of the N-species chemostat with scipy's ``solve_ivp``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from .errors import IntegrationError, ParameterError
from .system import Chemostat, jacobian, make_rhs

__all__ = ["INTEGRATION_METHODS", "Simulation", "simulate"]

#: Methods accepted by :func:`simulate`; the first three are stiff-safe.
INTEGRATION_METHODS: tuple[str, ...] = ("LSODA", "BDF", "Radau", "RK45", "DOP853")
_IMPLICIT = frozenset({"LSODA", "BDF", "Radau"})


@dataclass(frozen=True)
class Simulation:
    """A trajectory and its diagnostics.

    ``x`` has shape (N, len(t)); ``mass`` is m = s + Σ x_i / y_i.
    """

    t: NDArray[np.float64]
    s: NDArray[np.float64]
    x: NDArray[np.float64]
    mass: NDArray[np.float64]
    is_washout: bool
    washout_time: float
    method: str
    status: int
    message: str
    n_rhs_evaluations: int
    n_jacobian_evaluations: int

    @property
    def final_state(self) -> NDArray[np.float64]:
        """Return (s, x_1..x_N) at the last time."""
        return np.concatenate(([self.s[-1]], self.x[:, -1]))


def _check_initial(chemostat: Chemostat, initial: ArrayLike) -> NDArray[np.float64]:
    u0 = np.asarray(initial, dtype=float)
    if u0.shape != (chemostat.n_species + 1,):
        raise ParameterError(
            "initial",
            list(np.ravel(u0)),
            f"must hold s then one biomass per species ({chemostat.n_species + 1} numbers)",
        )
    if not np.all(np.isfinite(u0)) or np.any(u0 < 0):
        raise ParameterError("initial", u0.tolist(), "concentrations must be finite and ≥ 0")
    return u0


def simulate(
    chemostat: Chemostat,
    initial: ArrayLike,
    t_end: float,
    *,
    n_points: int = 501,
    method: str = "LSODA",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    washout_threshold: float = 1e-6,
) -> Simulation:
    """Integrate the chemostat from ``initial`` over [0, t_end].

    Parameters
    ----------
    chemostat : Chemostat
        Species, dilution rate D (1/h) and input concentration s_in (g/L).
    initial : array_like
        Initial state (s, x_1, ..., x_N), g/L, all ≥ 0.
    t_end : float
        Horizon, h (> 0).
    n_points : int
        Number of output times, evenly spaced (≥ 2).
    method : str
        ``solve_ivp`` method; LSODA (default), BDF and Radau are stiff-safe and
        receive the analytic Jacobian.
    rtol, atol : float
        Relative and absolute tolerances of the integrator.
    washout_threshold : float
        Total biomass (g/L) under which the culture counts as washed out.

    Returns
    -------
    Simulation
        Times, states (clipped at 0), the conserved-like mass m, washout flag and
        time (first output time from which biomass stays below the threshold;
        ``inf`` if none), solver status and work counters.

    Raises
    ------
    ParameterError
        On a bad horizon, grid, method, tolerance or initial state.
    IntegrationError
        When the integrator reports a failure.

    References
    ----------
    Course, slides "Le modèle mathématique (en concentrations)" and "Le modèle du
    chémostat à deux souches".
    """
    u0 = _check_initial(chemostat, initial)
    if not (math.isfinite(t_end) and t_end > 0):
        raise ParameterError("t_end", t_end, "must be a finite number > 0")
    if not (isinstance(n_points, int) and n_points >= 2):
        raise ParameterError("n_points", n_points, "must be an integer ≥ 2")
    if method not in INTEGRATION_METHODS:
        raise ParameterError("method", method, f"must be one of {', '.join(INTEGRATION_METHODS)}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not (math.isfinite(tol) and 0 < tol < 1):
            raise ParameterError(name, tol, "must be in (0, 1)")

    coef = chemostat.coefficient_arrays()
    rhs = make_rhs(chemostat)

    def jac(_t: float, u: NDArray[np.float64]) -> NDArray[np.float64]:
        return jacobian(chemostat, u, coef)

    t_eval = np.linspace(0.0, t_end, n_points)
    options = {"jac": jac} if method in _IMPLICIT else {}
    solution = solve_ivp(
        rhs,
        (0.0, t_end),
        u0,
        method=method,
        t_eval=t_eval,
        rtol=rtol,
        atol=atol,
        **options,
    )
    if solution.status < 0:
        raise IntegrationError(f"{method} failed: {solution.message}")
    states = np.maximum(solution.y, 0.0)
    s = states[0]
    x = states[1:]
    yields = coef[5][:, None]
    mass = s + np.sum(x / yields, axis=0)
    biomass = np.sum(x, axis=0)
    above = np.flatnonzero(biomass >= washout_threshold)
    is_washout = bool(biomass[-1] < washout_threshold)
    if not is_washout:
        washout_time = math.inf
    elif above.size == 0:
        washout_time = 0.0
    else:
        washout_time = float(solution.t[min(above[-1] + 1, solution.t.size - 1)])
    return Simulation(
        t=solution.t,
        s=s,
        x=x,
        mass=mass,
        is_washout=is_washout,
        washout_time=washout_time,
        method=method,
        status=int(solution.status),
        message=str(solution.message),
        n_rhs_evaluations=int(solution.nfev),
        n_jacobian_evaluations=int(solution.njev),
    )
