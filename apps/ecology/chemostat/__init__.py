"""Chemostat resource–consumer models (numpy/scipy only, no Django).

One public entry point per family:

- growth laws: :class:`GrowthLaw`, :func:`growth_rate`; batch growth: :func:`simulate_batch`
- the N-species chemostat: :class:`Chemostat`, :class:`Species`, :func:`simulate`
- equilibria and stability: :func:`find_equilibria`
- break-even concentrations: :func:`break_even`
- competition: :func:`predict_competition`, :func:`check_competition`
- reduced model: :func:`simulate_reduced`, :func:`mass_closed_form`
- operating diagram: :func:`operating_diagram`
- phase portraits: :func:`phase_portrait`
- auxostat: :func:`simulate_auxostat`
- bio-augmentation: :func:`predict_bioaugmentation`, :func:`simulate_bioaugmentation`

Reference: B. Cloez, J. Harmand, C. Lobry, A. Rapaport, T. Sari et al., *Ecole
chercheurs Modèles ressources-consommateurs*, Montpellier 2015 (cel-01206385).
"""

from __future__ import annotations

from .auxostat import MAX_SAMPLES, AuxostatRun, Controller, simulate_auxostat
from .batch import BatchGrowth, logistic_closed_form, simulate_batch
from .bioaugmentation import (
    BioaugmentationPrediction,
    BioaugmentationRun,
    predict_bioaugmentation,
    simulate_bioaugmentation,
)
from .breakeven import BreakEven, break_even, break_even_arrays
from .competition import (
    CompetitionCheck,
    CompetitionPrediction,
    check_competition,
    predict_competition,
)
from .equilibria import Equilibrium, find_equilibria
from .errors import ChemostatError, IntegrationError, ParameterError
from .laws import LAW_KINDS, GrowthLaw, growth_rate
from .operating import REGION_NAMES, OperatingDiagram, operating_diagram
from .phase import Isocline, PhasePortrait, phase_portrait
from .reduced import ReducedSimulation, mass, mass_closed_form, simulate_reduced
from .simulate import INTEGRATION_METHODS, Simulation, simulate
from .system import Chemostat, Species, jacobian, make_rhs, vector_field

__all__ = [
    "INTEGRATION_METHODS",
    "LAW_KINDS",
    "MAX_SAMPLES",
    "REGION_NAMES",
    "AuxostatRun",
    "BatchGrowth",
    "BioaugmentationPrediction",
    "BioaugmentationRun",
    "BreakEven",
    "Chemostat",
    "ChemostatError",
    "CompetitionCheck",
    "CompetitionPrediction",
    "Controller",
    "Equilibrium",
    "GrowthLaw",
    "IntegrationError",
    "Isocline",
    "OperatingDiagram",
    "ParameterError",
    "PhasePortrait",
    "ReducedSimulation",
    "Simulation",
    "Species",
    "break_even",
    "break_even_arrays",
    "check_competition",
    "find_equilibria",
    "growth_rate",
    "jacobian",
    "logistic_closed_form",
    "make_rhs",
    "mass",
    "mass_closed_form",
    "operating_diagram",
    "phase_portrait",
    "predict_bioaugmentation",
    "predict_competition",
    "simulate",
    "simulate_auxostat",
    "simulate_batch",
    "simulate_bioaugmentation",
    "simulate_reduced",
    "vector_field",
]
