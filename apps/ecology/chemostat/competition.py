"""Competitive exclusion: prediction from break-even concentrations, and its check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .breakeven import BreakEven, break_even
from .errors import ParameterError
from .simulate import simulate
from .system import Chemostat

__all__ = ["CompetitionCheck", "CompetitionPrediction", "check_competition", "predict_competition"]


@dataclass(frozen=True)
class CompetitionPrediction:
    """Possible outcomes of the competition.

    ``components`` are the connected components of Q(D) = ∪ E_i(D);
    ``possible_winners`` the species that win from some initial condition (one per
    component starting below s_in, the one with the smallest λ⁻ in it);
    ``is_washout_possible`` is true when s_in ∉ Q(D).
    """

    break_even: tuple[BreakEven, ...]
    components: tuple[tuple[float, float], ...]
    possible_winners: tuple[int, ...]
    is_washout_possible: bool

    @property
    def is_unique(self) -> bool:
        """True when a single outcome is possible (exclusion with one winner, or washout)."""
        return len(self.possible_winners) + int(self.is_washout_possible) == 1


@dataclass(frozen=True)
class CompetitionCheck:
    """A prediction next to simulated outcomes (survivors per initial state)."""

    prediction: CompetitionPrediction
    survivors: tuple[tuple[int, ...], ...]
    final_states: tuple[tuple[float, ...], ...]

    @property
    def is_consistent(self) -> bool:
        """True when each run ends with washout or one species, both predicted possible."""
        for survivors in self.survivors:
            if not survivors:
                if not self.prediction.is_washout_possible:
                    return False
            elif len(survivors) > 1 or survivors[0] not in self.prediction.possible_winners:
                return False
        return True


def predict_competition(chemostat: Chemostat) -> CompetitionPrediction:
    """Predict the winner(s) of N species competing for one substrate.

    Parameters
    ----------
    chemostat : Chemostat
        Species (Monod, Haldane or linear laws), D (1/h), s_in (g/L).

    Returns
    -------
    CompetitionPrediction
        For monotone laws a single outcome: the species with the smallest
        λ_i(D) < s_in, or washout. For non-monotone laws, one possible winner
        per connected component of Q(D).

    Raises
    ------
    ParameterError
        For a Contois species (no break-even concentration).

    References
    ----------
    Course, slides "Le Principe d'Exclusion Compétitive" (Hsu, Hubbell & Waltman
    1977) and "Une généralisation du Principe d'Exclusion" (Butler & Wolkowicz
    1985).
    """
    intervals = tuple(break_even(sp.law, chemostat.D) for sp in chemostat.species)
    open_sets = sorted(
        ((be.lower, be.upper, i) for i, be in enumerate(intervals) if not be.is_empty),
        key=lambda item: (item[0], item[2]),
    )
    components: list[list[float]] = []
    winners: list[int] = []
    for lower, upper, i in open_sets:
        if components and lower < components[-1][1]:
            components[-1][1] = max(components[-1][1], upper)
            continue
        components.append([lower, upper])
        if lower < chemostat.s_in:
            winners.append(i)
    washout = not any(be.contains(chemostat.s_in) for be in intervals)
    return CompetitionPrediction(
        break_even=intervals,
        components=tuple((lo, hi) for lo, hi in components),
        possible_winners=tuple(winners),
        is_washout_possible=washout,
    )


def check_competition(
    chemostat: Chemostat,
    initial_states: tuple[ArrayLike, ...],
    t_end: float,
    *,
    survival_threshold: float = 1e-6,
) -> CompetitionCheck:
    """Simulate from each initial state and compare the survivors with the prediction.

    Parameters
    ----------
    chemostat : Chemostat
        As for :func:`predict_competition`.
    initial_states : tuple of array_like
        States (s, x_1..x_N), g/L, at most 20.
    t_end : float
        Horizon of each run, h; long enough for the losers to decay.
    survival_threshold : float
        Biomass (g/L) above which a species counts as surviving at t_end.

    Returns
    -------
    CompetitionCheck
        The prediction, the survivors and final state of each run.
    """
    if not 1 <= len(initial_states) <= 20:
        raise ParameterError("initial_states", len(initial_states), "give 1 to 20 states")
    prediction = predict_competition(chemostat)
    survivors = []
    finals = []
    for initial in initial_states:
        run = simulate(chemostat, initial, t_end, n_points=2, rtol=1e-9, atol=1e-12)
        final = run.final_state
        survivors.append(tuple(int(i) for i in np.flatnonzero(final[1:] > survival_threshold)))
        finals.append(tuple(float(v) for v in final))
    return CompetitionCheck(
        prediction=prediction, survivors=tuple(survivors), final_states=tuple(finals)
    )
