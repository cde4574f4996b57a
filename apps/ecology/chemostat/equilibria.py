"""Equilibria of the N-species chemostat with their eigenvalues and stability."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .breakeven import break_even
from .errors import ParameterError
from .system import Chemostat, jacobian

__all__ = ["MAX_SPECIES", "Equilibrium", "Stability", "classify_stability", "find_equilibria"]

#: Upper bound on N: Contois species make the enumeration exponential.
MAX_SPECIES = 8

Stability = Literal["stable", "unstable", "non-hyperbolic"]


@dataclass(frozen=True)
class Equilibrium:
    """An equilibrium (s*, x*) with its Jacobian's eigenvalues.

    ``survivors`` lists the indices of the species with x_i* > 0 (empty for
    washout).
    """

    s: float
    x: tuple[float, ...]
    survivors: tuple[int, ...]
    eigenvalues: tuple[complex, ...]
    stability: Stability

    @property
    def is_stable(self) -> bool:
        """True when every eigenvalue has a negative real part."""
        return self.stability == "stable"

    @property
    def is_washout(self) -> bool:
        """True for the washout equilibrium (s_in, 0, ..., 0)."""
        return not self.survivors

    @property
    def state(self) -> NDArray[np.float64]:
        """Return (s*, x_1*, ..., x_N*)."""
        return np.array((self.s, *self.x))


def classify_stability(eigenvalues: NDArray[np.complex128], scale: float) -> Stability:
    """Classify by the largest real part, with a tolerance relative to ``scale``."""
    tol = 1e-9 * max(1.0, scale)
    top = float(np.max(eigenvalues.real))
    if top < -tol:
        return "stable"
    if top > tol:
        return "unstable"
    return "non-hyperbolic"


def _with_spectrum(
    chemostat: Chemostat, s: float, x: NDArray[np.float64], survivors: tuple[int, ...]
) -> Equilibrium:
    state = np.concatenate(([s], x))
    eig = np.linalg.eigvals(jacobian(chemostat, state))
    order = np.lexsort((eig.imag, eig.real))
    eig = eig[order]
    scale = max(chemostat.D, float(np.max(np.abs(eig))))
    return Equilibrium(
        s=float(s),
        x=tuple(float(v) for v in x),
        survivors=survivors,
        eigenvalues=tuple(complex(v) for v in eig),
        stability=classify_stability(eig, scale),
    )


def _contois_biomass(chemostat: Chemostat, s: float, subset: tuple[int, ...]) -> NDArray:
    x = np.zeros(chemostat.n_species)
    for i in subset:
        law = chemostat.species[i].law
        x[i] = s * (law.mu_max - chemostat.D) / (chemostat.D * law.K)
    return x


def find_equilibria(chemostat: Chemostat) -> tuple[Equilibrium, ...]:
    """Find every equilibrium of the chemostat.

    Besides washout (s_in, 0), each non-Contois species j contributes one
    equilibrium per root s* < s_in of μ_j(s*) = D, with x_j* = y_j(s_in − s*)
    (Haldane: up to two roots, so up to three equilibria with washout).
    Contois species, whose rate depends on their own biomass, can coexist with
    each other and with one non-Contois species; those equilibria are found too.
    Coexistence of two non-Contois species needs μ_i(s*) = μ_j(s*) = D, which is
    not generic and is not reported.

    Parameters
    ----------
    chemostat : Chemostat
        Species, D (1/h) and s_in (g/L); at most ``MAX_SPECIES`` species.

    Returns
    -------
    tuple of Equilibrium
        Washout first, then by increasing s*. Each has the eigenvalues of the
        analytic Jacobian, sorted by real part, and its stability.

    Raises
    ------
    ParameterError
        When there are more than ``MAX_SPECIES`` species.

    References
    ----------
    Course, slides "Détermination des équilibres", "Analyse mathématique de la
    stabilité" and "Résumé" (Haldane's three regimes).
    """
    if chemostat.n_species > MAX_SPECIES:
        raise ParameterError("species", chemostat.n_species, f"at most {MAX_SPECIES} species")
    D, s_in = chemostat.D, chemostat.s_in
    n = chemostat.n_species
    found = [_with_spectrum(chemostat, s_in, np.zeros(n), ())]
    contois = [i for i, sp in enumerate(chemostat.species) if sp.law.depends_on_biomass]
    growing = [i for i in contois if chemostat.species[i].law.mu_max > D]
    subsets = [
        combo for size in range(len(growing) + 1) for combo in itertools.combinations(growing, size)
    ]
    candidates: list[tuple[float, NDArray[np.float64], tuple[int, ...]]] = []
    for j, sp in enumerate(chemostat.species):
        if sp.law.depends_on_biomass:
            continue
        for s_star in break_even(sp.law, D).roots():
            if not 0 < s_star < s_in:
                continue
            for subset in subsets:
                x = _contois_biomass(chemostat, s_star, subset)
                left = s_in - s_star - sum(x[i] / chemostat.species[i].yield_ for i in subset)
                if left > 0:
                    x[j] = sp.yield_ * left
                    candidates.append((s_star, x, tuple(sorted((j, *subset)))))
    if s_in > 0:
        for subset in subsets[1:]:
            slope = sum(
                (chemostat.species[i].law.mu_max - D)
                / (D * chemostat.species[i].law.K * chemostat.species[i].yield_)
                for i in subset
            )
            s_star = s_in / (1.0 + slope)
            candidates.append((s_star, _contois_biomass(chemostat, s_star, subset), subset))
    candidates.sort(key=lambda c: (c[0], c[2]))
    found.extend(_with_spectrum(chemostat, s, x, surv) for s, x, surv in candidates)
    return tuple(found)
