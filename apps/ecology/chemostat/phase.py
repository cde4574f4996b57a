"""Isoclines, vector field and trajectories for phase portraits.

Two planes are drawn: (s, x) for one species, and (x_1, x_2) for the asymptotic
two-species model where s = s_in − x_1/y_1 − x_2/y_2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .breakeven import break_even
from .equilibria import Equilibrium, find_equilibria
from .errors import ParameterError
from .reduced import simulate_reduced
from .simulate import simulate
from .system import Chemostat, vector_field

__all__ = ["MAX_TRAJECTORIES", "Isocline", "PhasePortrait", "phase_portrait"]

MAX_TRAJECTORIES = 20
_MAX_ARROWS = 60


@dataclass(frozen=True)
class Isocline:
    """A nullcline drawn as a polyline; ``variable`` is the derivative that vanishes."""

    variable: str
    first: NDArray[np.float64]
    second: NDArray[np.float64]


@dataclass(frozen=True)
class PhasePortrait:
    """Everything needed to draw a phase portrait in the plane ``axes``.

    ``grid_first``/``grid_second`` are the arrow positions and ``field_first``/
    ``field_second`` the vector field there; each trajectory has shape (2, T).
    Equilibria are those of the full model, projected on the plane.
    """

    axes: tuple[str, str]
    limits: tuple[float, float, float, float]
    isoclines: tuple[Isocline, ...]
    grid_first: NDArray[np.float64]
    grid_second: NDArray[np.float64]
    field_first: NDArray[np.float64]
    field_second: NDArray[np.float64]
    trajectories: tuple[NDArray[np.float64], ...]
    equilibria: tuple[Equilibrium, ...]


def _isoclines_sx(chemostat: Chemostat, s_max: float, x_max: float) -> tuple[Isocline, ...]:
    species = chemostat.species[0]
    law, y, D, s_in = species.law, species.yield_, chemostat.D, chemostat.s_in
    s = np.linspace(0.0, s_max, 400)[1:]
    curves = [Isocline("x", np.array([0.0, s_max]), np.array([0.0, 0.0]))]
    if law.depends_on_biomass:
        # μ(s, x) = D  ⇔  x = s(μmax − D)/(D K); ṡ = 0 solved for x.
        if law.mu_max > D:
            curves.append(Isocline("x", s, s * (law.mu_max - D) / (D * law.K)))
        den = law.mu_max * s - D * y * law.K * (s_in - s)
        keep = (den > 0) & (s <= s_in)
        x_s = D * y * s[keep] * (s_in - s[keep]) / den[keep]
        curves.append(Isocline("s", s[keep], x_s))
    else:
        for root in break_even(law, D).roots():
            if root <= s_max:
                curves.append(Isocline("x", np.array([root, root]), np.array([0.0, x_max])))
        inside = s[s <= s_in]
        curves.append(Isocline("s", inside, y * D * (s_in - inside) / law.rate(inside)))
    shown = []
    for curve in curves:
        keep = curve.second <= x_max * 1.05
        shown.append(Isocline(curve.variable, curve.first[keep], curve.second[keep]))
    return tuple(shown)


def _isoclines_x1x2(chemostat: Chemostat, limit: float) -> tuple[Isocline, ...]:
    y1, y2 = (sp.yield_ for sp in chemostat.species)
    curves = [
        Isocline("x1", np.array([0.0, 0.0]), np.array([0.0, limit])),
        Isocline("x2", np.array([0.0, limit]), np.array([0.0, 0.0])),
    ]
    for index, sp in enumerate(chemostat.species):
        for root in break_even(sp.law, chemostat.D).roots():
            level = chemostat.s_in - root
            if level > 0:
                # μ_i(s_in − x1/y1 − x2/y2) = D is the segment x1/y1 + x2/y2 = level.
                curves.append(
                    Isocline(
                        f"x{index + 1}", np.array([level * y1, 0.0]), np.array([0.0, level * y2])
                    )
                )
    return tuple(curves)


def _check_points(points: ArrayLike, width: int, name: str) -> NDArray[np.float64]:
    arr = (
        np.asarray(points, dtype=float).reshape(-1, width)
        if np.size(points)
        else np.empty((0, width))
    )
    if arr.shape[0] > MAX_TRAJECTORIES:
        raise ParameterError(name, arr.shape[0], f"at most {MAX_TRAJECTORIES} initial points")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError(name, arr.tolist(), "initial points must be finite and ≥ 0")
    return arr


def phase_portrait(
    chemostat: Chemostat,
    initial_points: ArrayLike = (),
    *,
    t_end: float = 50.0,
    arrows: int = 15,
    n_points: int = 301,
) -> PhasePortrait:
    """Compute isoclines, vector field, trajectories and equilibria.

    Parameters
    ----------
    chemostat : Chemostat
        One species: plane (s, x); two species of Monod, Haldane or linear laws:
        plane (x_1, x_2) of the asymptotic model.
    initial_points : array_like
        Starting points in the plane (pairs, g/L), at most ``MAX_TRAJECTORIES``.
    t_end : float
        Duration of each trajectory, h.
    arrows : int
        Arrows per axis of the vector field (2 to 60).
    n_points : int
        Points per trajectory.

    Returns
    -------
    PhasePortrait
        Isoclines (ẋ = 0 and ṡ = 0, or ẋ_1 = 0 and ẋ_2 = 0), vector field on an
        ``arrows`` × ``arrows`` grid, trajectories and equilibria.

    Raises
    ------
    ParameterError
        For another number of species or bad points, arrows or horizon.

    References
    ----------
    Course, slides "Isoclines", "Champ de vecteurs", "Portrait de phase" and
    "Modèle asymptotique - Cas 1, 2, 3".
    """
    if not (isinstance(arrows, int) and 2 <= arrows <= _MAX_ARROWS):
        raise ParameterError("arrows", arrows, f"must be an integer in [2, {_MAX_ARROWS}]")
    if not (math.isfinite(t_end) and t_end > 0):
        raise ParameterError("t_end", t_end, "must be a finite number > 0")
    equilibria = find_equilibria(chemostat)
    coef = chemostat.coefficient_arrays()
    if chemostat.n_species == 1:
        points = _check_points(initial_points, 2, "initial_points")
        y = chemostat.species[0].yield_
        s_max = max(chemostat.s_in, float(np.max(points[:, 0], initial=0.0))) * 1.1 or 1.0
        x_max = max(y * chemostat.s_in, float(np.max(points[:, 1], initial=0.0))) * 1.1 or 1.0
        trajectories = tuple(
            np.vstack((run.s, run.x[0]))
            for run in (simulate(chemostat, p, t_end, n_points=n_points) for p in points)
        )
        first, second = np.meshgrid(np.linspace(0, s_max, arrows), np.linspace(0, x_max, arrows))
        states = np.stack((first.ravel(), second.ravel()), axis=1)
        field = np.array([vector_field(chemostat, u, coef) for u in states])
        axes = ("s", "x")
        limits = (0.0, s_max, 0.0, x_max)
        isoclines = _isoclines_sx(chemostat, s_max, x_max)
    else:
        if chemostat.n_species != 2:
            raise ParameterError(
                "species", chemostat.n_species, "phase portraits need 1 or 2 species"
            )
        points = _check_points(initial_points, 2, "initial_points")
        y1, y2 = (sp.yield_ for sp in chemostat.species)
        limit = chemostat.s_in * max(y1, y2) * 1.05 or 1.0
        trajectories = tuple(
            simulate_reduced(chemostat, p, t_end, n_points=n_points).x for p in points
        )
        first, second = np.meshgrid(np.linspace(0, limit, arrows), np.linspace(0, limit, arrows))
        s_grid = chemostat.s_in - first / y1 - second / y2
        inside = s_grid >= 0
        field = np.array(
            [
                vector_field(chemostat, (s, a, b), coef)[1:] if ok else (np.nan, np.nan)
                for s, a, b, ok in zip(
                    s_grid.ravel(), first.ravel(), second.ravel(), inside.ravel(), strict=True
                )
            ]
        )
        axes = ("x1", "x2")
        limits = (0.0, limit, 0.0, limit)
        isoclines = _isoclines_x1x2(chemostat, limit)
    return PhasePortrait(
        axes=axes,
        limits=limits,
        isoclines=isoclines,
        grid_first=first,
        grid_second=second,
        field_first=field[:, 0].reshape(first.shape),
        field_second=field[:, 1].reshape(first.shape),
        trajectories=trajectories,
        equilibria=equilibria,
    )
