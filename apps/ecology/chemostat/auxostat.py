"""The auxostat: adaptive control of the dilution rate to hold s at a set point.

D = D̄ + K1·(s* − s_m),  dD̄/dt = K2·(s* − s_m), with s_m the measured substrate
(s plus optional Gaussian noise) and D kept ≥ 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from .errors import IntegrationError, ParameterError
from .system import Species

__all__ = ["MAX_SAMPLES", "AuxostatRun", "Controller", "simulate_auxostat"]

#: Bound on the number of sampling periods of a noisy run: one LSODA solve each, about 1 ms
#: (K1 = K2 = 10), so the longest run fits a 2 s CPU budget (docs/ecology.md).
MAX_SAMPLES = 1_000


@dataclass(frozen=True)
class Controller:
    """Gains and set point of the adaptive controller.

    ``s_target`` is s* (g/L), ``K1`` (1/h per g/L) and ``K2`` (1/h² per g/L) are
    the gains, ``D_bar0`` the initial D̄ (1/h), ``noise_std`` the standard
    deviation of the measurement noise on s (g/L), ``sample_period`` (h) the
    period at which a noisy measurement is taken and D held.
    """

    s_target: float
    K1: float
    K2: float
    D_bar0: float = 0.0
    noise_std: float = 0.0
    sample_period: float = 0.1

    def __post_init__(self) -> None:
        for name in ("s_target", "K1", "K2", "sample_period"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ParameterError(name, value, "must be a finite number > 0")
        for name in ("D_bar0", "noise_std"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ParameterError(name, value, "must be a finite number ≥ 0")


@dataclass(frozen=True)
class AuxostatRun:
    """Trajectory of the controlled chemostat; ``D_target`` = μ(s*) is D̄'s limit."""

    t: NDArray[np.float64]
    s: NDArray[np.float64]
    x: NDArray[np.float64]
    D: NDArray[np.float64]
    D_bar: NDArray[np.float64]
    D_target: float
    is_noisy: bool


def _closed_loop(
    _t: float,
    u: NDArray,
    coefficients: tuple[float, ...],
    s_in: float,
    ctl: Controller,
    noise: float,
) -> list[float]:
    a, c0, c1, c2, c3, y = coefficients
    s, x = max(u[0], 0.0), max(u[1], 0.0)
    den = c0 + c1 * s + c2 * s * s + c3 * x
    growth = a * s * x / den if den > 0 else 0.0
    error = ctl.s_target - (s + noise)
    dilution = max(u[2] + ctl.K1 * error, 0.0)
    return [dilution * (s_in - s) - growth / y, growth - dilution * x, ctl.K2 * error]


def _integrate(
    span: tuple[float, float],
    u0: NDArray,
    t_eval: NDArray | None,
    args: tuple[object, ...],
) -> NDArray:
    solution = solve_ivp(
        _closed_loop, span, u0, method="LSODA", t_eval=t_eval, args=args, rtol=1e-10, atol=1e-12
    )
    if solution.status < 0:
        raise IntegrationError(f"LSODA failed from t={span[0]}: {solution.message}")
    return solution.y


def simulate_auxostat(
    species: Species,
    s_in: float,
    controller: Controller,
    initial: ArrayLike,
    t_end: float,
    *,
    rng: np.random.Generator | None = None,
    n_points: int = 501,
) -> AuxostatRun:
    """Simulate the chemostat under the adaptive controller.

    Parameters
    ----------
    species : Species
        The single species (its law and yield).
    s_in : float
        Input substrate concentration, g/L (must exceed s*).
    controller : Controller
        Set point, gains, D̄(0), noise and sampling period.
    initial : array_like
        Initial (s, x), g/L.
    t_end : float
        Horizon, h.
    rng : numpy.random.Generator, optional
        Required when ``controller.noise_std > 0``: the noise is drawn from it
        every ``sample_period``; the output is then given at those times.
    n_points : int
        Output times of the noise-free run.

    Returns
    -------
    AuxostatRun
        s, x, D and D̄ over time, and D* = μ(s*) which D̄ converges to.

    Raises
    ------
    ParameterError
        On bad parameters, a missing ``rng`` for a noisy run or too many samples.

    References
    ----------
    Course, slides "Contrôleur adaptatif", "L'auxostat" and "Simulations avec
    bruit de mesure" (K1 = K2 = 1 and K1 = K2 = 10).
    """
    if not (math.isfinite(s_in) and s_in > controller.s_target):
        raise ParameterError("s_in", s_in, "must be finite and above the set point s*")
    if not (math.isfinite(t_end) and t_end > 0):
        raise ParameterError("t_end", t_end, "must be a finite number > 0")
    u0 = np.asarray(initial, dtype=float)
    if u0.shape != (2,) or not np.all(np.isfinite(u0)) or np.any(u0 < 0):
        raise ParameterError("initial", u0.tolist(), "must be (s, x) with finite values ≥ 0")
    if not (isinstance(n_points, int) and n_points >= 2):
        raise ParameterError("n_points", n_points, "must be an integer ≥ 2")
    if species.law.depends_on_biomass:
        raise ParameterError("law", species.law.kind, "the auxostat needs a law μ(s)")
    coefficients = (*species.law.coefficients, species.yield_)
    start = np.array([*u0, controller.D_bar0])
    if controller.noise_std == 0:
        t = np.linspace(0.0, t_end, n_points)
        noise = np.zeros(n_points)
        states = _integrate((0.0, t_end), start, t, (coefficients, s_in, controller, 0.0))
    else:
        if rng is None:
            raise ParameterError("rng", rng, "a numpy Generator is needed for a noisy run")
        n = math.ceil(t_end / controller.sample_period)
        if n > MAX_SAMPLES:
            raise ParameterError(
                "t_end",
                t_end,
                f"at most {MAX_SAMPLES} sampling periods of {controller.sample_period:g} h, "
                f"i.e. t_end ≤ {MAX_SAMPLES * controller.sample_period:g} h",
            )
        t = np.linspace(0.0, n * controller.sample_period, n + 1)
        noise = rng.normal(0.0, controller.noise_std, size=n + 1)
        states = np.empty((3, n + 1))
        states[:, 0] = start
        for k in range(n):
            args = (coefficients, s_in, controller, float(noise[k]))
            states[:, k + 1] = _integrate((t[k], t[k + 1]), states[:, k], None, args)[:, -1]
    s, x, d_bar = np.maximum(states[0], 0.0), np.maximum(states[1], 0.0), states[2]
    dilution = np.maximum(d_bar + controller.K1 * (controller.s_target - s - noise), 0.0)
    return AuxostatRun(
        t=t,
        s=s,
        x=x,
        D=dilution,
        D_bar=d_bar,
        D_target=float(species.law.rate(controller.s_target)),
        is_noisy=controller.noise_std > 0,
    )
