"""Bio-augmentation: adding a second species when washout attracts the first one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from numpy.typing import ArrayLike

from .breakeven import BreakEven, break_even
from .competition import CompetitionPrediction, predict_competition
from .errors import ParameterError
from .simulate import Simulation, simulate
from .system import Chemostat, Species

__all__ = [
    "BioaugmentationOutcome",
    "BioaugmentationPrediction",
    "BioaugmentationRun",
    "predict_bioaugmentation",
    "simulate_bioaugmentation",
]

BioaugmentationOutcome = Literal["stabilisation", "invasion", "bistable-invasion", "no-effect"]


@dataclass(frozen=True)
class BioaugmentationPrediction:
    """Prediction for the resident (``E = (λ⁻, λ⁺)``) and the added species (λ).

    ``is_stabilising`` is the course's criterion λ ∈ E. ``outcome`` refines the
    other case: ``invasion`` (λ < λ⁻, the added species wins),
    ``bistable-invasion`` (λ⁺ < λ < s_in, resident or added species depending on
    the initial state) or ``no-effect`` (λ ≥ s_in, the added species washes out).
    """

    resident: BreakEven
    added: BreakEven
    is_washout_attractive: bool
    is_stabilising: bool
    outcome: BioaugmentationOutcome
    competition: CompetitionPrediction


@dataclass(frozen=True)
class BioaugmentationRun:
    """Simulations of the resident alone and after adding the second species."""

    prediction: BioaugmentationPrediction
    alone: Simulation
    augmented: Simulation


def predict_bioaugmentation(
    resident: Species, added: Species, D: float, s_in: float
) -> BioaugmentationPrediction:
    """Predict the effect of adding a small amount of a second species.

    Parameters
    ----------
    resident : Species
        Species in place, with a non-monotone (Haldane) law.
    added : Species
        Species added in small quantity (Monod, Haldane or linear).
    D : float
        Dilution rate, 1/h.
    s_in : float
        Input substrate, g/L.

    Returns
    -------
    BioaugmentationPrediction
        Whether washout attracts the resident alone (μ(s_in) < D), and whether
        the added species' break-even λ lies in E = (λ⁻, λ⁺) of the resident:
        global stabilisation of the resident, otherwise a possible invasion.

    Raises
    ------
    ParameterError
        When the resident has no positive equilibrium (E empty or λ⁻ ≥ s_in).

    References
    ----------
    Course, slides "À propos de bio-augmentation" and "Résumé : le contrôle
    biologique" (Rapaport & Harmand, Math. Bio. Eng. 2008).
    """
    chemostat = Chemostat((resident, added), D, s_in)
    own = break_even(resident.law, D)
    other = break_even(added.law, D)
    if own.is_empty or own.lower >= s_in:
        raise ParameterError("D", D, "the resident species has no positive equilibrium")
    lam = other.lower
    if own.contains(lam):
        outcome: BioaugmentationOutcome = "stabilisation"
    elif lam >= s_in or math.isinf(lam):
        outcome = "no-effect"
    elif lam < own.lower:
        outcome = "invasion"
    else:
        outcome = "bistable-invasion"
    return BioaugmentationPrediction(
        resident=own,
        added=other,
        is_washout_attractive=float(resident.law.rate(s_in)) < D,
        is_stabilising=outcome == "stabilisation",
        outcome=outcome,
        competition=predict_competition(chemostat),
    )


def simulate_bioaugmentation(
    resident: Species,
    added: Species,
    D: float,
    s_in: float,
    initial: ArrayLike,
    dose: float,
    t_end: float,
    *,
    n_points: int = 501,
) -> BioaugmentationRun:
    """Simulate the resident alone from ``initial`` = (s, x) and with ``dose`` g/L added.

    Returns the prediction and both runs (the augmented run has state (s, x, x_added)).
    """
    if not (math.isfinite(dose) and dose > 0):
        raise ParameterError("dose", dose, "must be a finite number > 0")
    prediction = predict_bioaugmentation(resident, added, D, s_in)
    s0, x0 = (float(v) for v in initial)
    options = {"n_points": n_points, "rtol": 1e-10, "atol": 1e-12}
    alone = simulate(Chemostat((resident,), D, s_in), (s0, x0), t_end, **options)
    augmented = simulate(Chemostat((resident, added), D, s_in), (s0, x0, dose), t_end, **options)
    return BioaugmentationRun(prediction=prediction, alone=alone, augmented=augmented)
