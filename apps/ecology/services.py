"""Use cases of the ecology app: ORM scenarios ↔ the chemostat solver package.

Views, the API and the commands work on :class:`ScenarioParameters`, an in-memory copy of a
stored scenario (possibly edited by the user, never saved here) or of an inline case. Every
solver ``ParameterError`` becomes an ``UnprocessableInput`` keyed by the parameter's name.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from apps.ecology import chemostat as solver
from apps.ecology.messages import parameter_error_text
from apps.ecology.models import Scenario, ScenarioKind
from obrail.errors import ComputationFailed, InvalidInput, UnprocessableInput

logger = logging.getLogger(__name__)

#: Bounds on the work one request or command may ask for. Together with the parameter box
#: below they keep the worst case within the compute budget (measured: docs/ecology.md).
MAX_HORIZON_H = 5000.0
MAX_POINTS = 2001
MAX_GRID = 300
MAX_SPECIES = 6
#: The parameter box (units in the names' docs): rates μmax, r and D in 1/h; constants K and
#: the yield y; Ki; concentrations s_in, s(0), x(0) in g/L. Outside it the ODE gets so stiff
#: (stiffness ~ μmax·x / (y·K)) that one integration takes tens of seconds.
MIN_RATE = 1e-2
MAX_RATE = 10.0
MIN_CONSTANT = 1e-2
MAX_CONSTANT = 1e2
MAX_INHIBITION = 1e4
MAX_CONCENTRATION = 1e2
#: Bound on :func:`stiffness_index`, 1/h: below it the worst measured page (report) plus a
#: 2001-point simulation took 0.9 s; up to 1e5, 2.6 s; unbounded, more than 25 s.
MAX_STIFFNESS = 1e4
T = TypeVar("T")


@dataclass(frozen=True)
class SpeciesParameters:
    """One species of a case (``K`` is unused by the linear law, ``Ki`` None = no inhibition)."""

    name: str
    law: str
    mu_max: float
    K: float = 1.0
    Ki: float | None = None
    yield_: float = 1.0
    x0: float = 0.0
    is_added: bool = False


@dataclass(frozen=True)
class ScenarioParameters:
    """Everything needed to compute a case; built from a row or given inline."""

    title: str
    kind: str
    D: float
    s_in: float
    s0: float
    horizon: float
    species: tuple[SpeciesParameters, ...]
    slug: str = ""
    set_point: float | None = None
    K1: float | None = None
    K2: float | None = None
    D_bar0: float = 0.0
    noise_std: float = 0.0
    sample_period: float = 0.1
    noise_seed: int = 0


@dataclass(frozen=True)
class TimeSeries:
    """Named columns over time, ready for a chart, a table or CSV; ``notes`` summarise it."""

    t: NDArray[np.float64]
    columns: dict[str, NDArray[np.float64]]
    notes: tuple[str, ...] = field(default_factory=tuple)
    is_washout: bool = False


@dataclass(frozen=True)
class Analysis:
    """Equilibria with stability, break-even intervals and (N ≥ 2) the competition outcome."""

    equilibria: tuple[solver.Equilibrium, ...]
    break_even: tuple[solver.BreakEven | None, ...]
    competition: solver.CompetitionPrediction | None
    bioaugmentation: solver.BioaugmentationPrediction | None


@contextmanager
def _as_invalid_input(prefix: str = "") -> Iterator[None]:
    try:
        yield
    except solver.ParameterError as error:
        # Inputs reach the solver within their documented bounds: what it refuses is a rule
        # across parameters or the scenario's own data.
        raise UnprocessableInput({prefix or error.name: [parameter_error_text(error)]}) from error
    except (solver.IntegrationError, np.linalg.LinAlgError) as error:
        # A Jacobian of NaNs (e.g. Contois at s_in = 5e-324, found by schemathesis) as well.
        raise ComputationFailed(
            {
                "detail": [
                    _("L'intégrateur n'a pas pu résoudre ce cas : %(error)s") % {"error": error}
                ]
            }
        ) from error


def _timed(label: str, function: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = function()
    logger.info("chemostat %s computed in %.1f ms", label, (time.perf_counter() - start) * 1e3)
    return result


def parameters_from_scenario(scenario: Scenario) -> ScenarioParameters:
    """Copy a stored scenario (with its species, ordered) into parameters."""
    species = tuple(
        SpeciesParameters(
            name=row.name,
            law=row.law,
            mu_max=row.mu_max,
            K=row.half_saturation,
            Ki=row.inhibition,
            yield_=row.yield_coefficient,
            x0=row.initial_biomass,
            is_added=row.is_added,
        )
        for row in scenario.species.all()
    )
    return ScenarioParameters(
        slug=scenario.slug,
        title=scenario.title,
        kind=scenario.kind,
        D=scenario.dilution_rate,
        s_in=scenario.substrate_in,
        s0=scenario.initial_substrate,
        horizon=scenario.horizon,
        species=species,
        set_point=scenario.set_point,
        K1=scenario.gain_k1,
        K2=scenario.gain_k2,
        D_bar0=scenario.initial_dilution_bar,
        noise_std=scenario.noise_std,
        sample_period=scenario.sample_period,
        noise_seed=scenario.noise_seed,
    )


def get_parameters(*, slug: str) -> ScenarioParameters:
    """Load a scenario by slug; unknown slug → ``Scenario.DoesNotExist``."""
    scenario = Scenario.objects.prefetch_related("species").get(slug=slug)
    return parameters_from_scenario(scenario)


def inline_parameters(
    *,
    law: str,
    mu_max: float,
    K: float,
    s_in: float,
    D: float,
    Ki: float | None = None,
    yield_: float = 1.0,
    s0: float | None = None,
    x0: float = 0.1,
    horizon: float = 100.0,
) -> ScenarioParameters:
    """Build a one-species case from loose parameters (command line, forms)."""
    return ScenarioParameters(
        title=f"{law} (μmax={mu_max:g}, K={K:g}, D={D:g}, s_in={s_in:g})",
        kind=ScenarioKind.CHEMOSTAT,
        D=D,
        s_in=s_in,
        s0=s_in if s0 is None else s0,
        horizon=horizon,
        species=(SpeciesParameters("x", law, mu_max, K, Ki, yield_, x0),),
    )


def _outside(name: str, value: float, low: float, high: float, unit: str) -> str | None:
    if isinstance(value, int | float) and not low <= value <= high:
        return _("%(name)s=%(value)s est hors de [%(low)s, %(high)s]%(unit)s.") % {
            "name": name,
            "value": repr(value),
            "low": f"{low:g}",
            "high": f"{high:g}",
            "unit": unit,
        }
    return None


def stiffness_index(params: ScenarioParameters) -> float:
    """Upper estimate of the fastest rate of the system, 1/h: M · Σ μmax_i / K_i (r_i for the
    linear law), with M = max(s_in, s0 + Σ x0_i / y_i) bounding s + Σ x_i / y_i.

    Near s = 0 the substrate equation relaxes at Σ μmax_i x_i / (y_i K_i): this is what makes
    the integrator take tiny steps.
    """
    mass = max(params.s_in, params.s0 + sum(sp.x0 / sp.yield_ for sp in params.species))
    slopes = sum(sp.mu_max if sp.law == "linear" else sp.mu_max / sp.K for sp in params.species)
    return float(mass * slopes)


def _check_bounds(params: ScenarioParameters) -> None:
    """Refuse parameters outside the box whose worst case fits the compute budget."""
    errors: dict[str, list[str]] = {}
    if not 1 <= len(params.species) <= MAX_SPECIES:
        errors["species"] = [f"Give 1 to {MAX_SPECIES} species, not {len(params.species)}."]
    top_s = max(params.s_in, params.s0)
    checks = [
        ("D", _outside("D", params.D, MIN_RATE, MAX_RATE, " 1/h")),
        ("s_in", _outside("s_in", params.s_in, 0.0, MAX_CONCENTRATION, " g/L")),
        ("s0", _outside("s0", params.s0, 0.0, MAX_CONCENTRATION, " g/L")),
    ]
    for index, sp in enumerate(params.species, start=1):
        prefix = f"species {index}: "
        checks += [
            ("mu_max", _outside(prefix + "mu_max", sp.mu_max, MIN_RATE, MAX_RATE, " 1/h")),
            ("K", _outside(prefix + "K", sp.K, MIN_CONSTANT, MAX_CONSTANT, "")),
            ("yield", _outside(prefix + "yield", sp.yield_, MIN_CONSTANT, MAX_CONSTANT, "")),
            ("x0", _outside(prefix + "x0", sp.x0, 0.0, MAX_CONCENTRATION, " g/L")),
        ]
        if sp.Ki is not None:
            checks.append(
                ("Ki", _outside(prefix + "Ki", sp.Ki, MIN_CONSTANT, MAX_INHIBITION, " g/L"))
            )
    for key, message in checks:
        if message is not None:
            errors.setdefault(key, []).append(message)
    if errors:
        raise InvalidInput(errors)
    _check_stiffness(params, top_s)


def _check_stiffness(params: ScenarioParameters, top_s: float) -> None:
    """Refuse combinations that would stiffen the system beyond the budget (a 422: each value
    is within its own bounds)."""
    errors: dict[str, list[str]] = {}
    for index, sp in enumerate(params.species, start=1):
        if sp.law == "linear" and sp.mu_max * top_s > MAX_RATE:
            # μ(s) = r·s is unbounded: its largest value is what stiffens the system.
            errors.setdefault("mu_max", []).append(
                _(
                    "espèce %(index)s : loi linéaire : r × max(s_in, s0) = %(rate)s "
                    "dépasse %(max)s 1/h."
                )
                % {"index": index, "rate": f"{sp.mu_max * top_s:g}", "max": f"{MAX_RATE:g}"}
            )
    if not errors and stiffness_index(params) > MAX_STIFFNESS:
        errors["species"] = [
            _(
                "Raideur max(s_in, s0 + Σ x0/y) × Σ μmax/K = %(stiffness)s dépasse %(max)s 1/h : "
                "baissez μmax, x0 ou s_in, ou augmentez K ou le rendement."
            )
            % {"stiffness": f"{stiffness_index(params):.3g}", "max": f"{MAX_STIFFNESS:g}"}
        ]
    if errors:
        raise UnprocessableInput(errors)


def species_of(params: ScenarioParameters) -> tuple[solver.Species, ...]:
    """Build the solver species (validated; errors name the parameter)."""
    built = []
    for sp in params.species:
        ki = math.inf if sp.Ki is None else sp.Ki
        with _as_invalid_input():
            law = solver.GrowthLaw(sp.law, mu_max=sp.mu_max, K=sp.K, Ki=ki)  # type: ignore[arg-type]
            built.append(solver.Species(law=law, yield_=sp.yield_, name=sp.name))
    return tuple(built)


def chemostat_of(params: ScenarioParameters) -> solver.Chemostat:
    """Build the solver chemostat for a case."""
    _check_bounds(params)
    species = species_of(params)
    with _as_invalid_input():
        return solver.Chemostat(species=species, D=params.D, s_in=params.s_in)


def horizon_limit(kind: str, *, noise_std: float, sample_period: float) -> float:
    """Longest horizon a simulation accepts, h: a noisy auxostat solves once per sampling
    period, so its horizon is bounded by ``MAX_SAMPLES`` periods."""
    if kind == ScenarioKind.AUXOSTAT and noise_std > 0:
        return min(MAX_HORIZON_H, solver.MAX_SAMPLES * sample_period)
    return MAX_HORIZON_H


def _within(name: str, value: object, interval: str) -> str:
    return _("%(name)s=%(value)s : doit être dans %(interval)s.") % {
        "name": name,
        "value": repr(value),
        "interval": interval,
    }


def _horizon(params: ScenarioParameters, horizon: float | None) -> float:
    value = params.horizon if horizon is None else horizon
    if not (math.isfinite(value) and 0 < value <= MAX_HORIZON_H):
        raise InvalidInput({"t_end": [_within("t_end", value, f"]0, {MAX_HORIZON_H:g}] h")]})
    return value


def _points(n_points: int) -> int:
    if not 2 <= n_points <= MAX_POINTS:
        raise InvalidInput({"n_points": [_within("n_points", n_points, f"[2, {MAX_POINTS}]")]})
    return n_points


def _labels(params: ScenarioParameters) -> list[str]:
    return [f"x{index}" for index in range(1, len(params.species) + 1)]


def analyse(params: ScenarioParameters) -> Analysis:
    """Compute equilibria with eigenvalues and stability, break-even and competition."""
    chemostat = chemostat_of(params)
    with _as_invalid_input():
        equilibria = solver.find_equilibria(chemostat)
    intervals = tuple(
        None if sp.law.depends_on_biomass else solver.break_even(sp.law, params.D)
        for sp in chemostat.species
    )
    competition = None
    if chemostat.n_species >= 2 and all(be is not None for be in intervals):
        competition = solver.predict_competition(chemostat)
    bioaugmentation = None
    if params.kind == ScenarioKind.BIOAUGMENTATION and chemostat.n_species == 2:
        with _as_invalid_input():
            bioaugmentation = solver.predict_bioaugmentation(
                chemostat.species[0], chemostat.species[1], params.D, params.s_in
            )
    return Analysis(equilibria, intervals, competition, bioaugmentation)


def simulate(
    params: ScenarioParameters, *, horizon: float | None = None, n_points: int = 501
) -> TimeSeries:
    """Simulate a case over its horizon (auxostat and bio-augmentation included)."""
    t_end = _horizon(params, horizon)
    n_points = _points(n_points)
    chemostat = chemostat_of(params)
    if params.kind == ScenarioKind.AUXOSTAT:
        return _timed("auxostat", lambda: _simulate_auxostat(params, chemostat, t_end, n_points))
    if params.kind == ScenarioKind.BIOAUGMENTATION:
        return _timed(
            "bio-augmentation", lambda: _simulate_bioaugmentation(params, t_end, n_points)
        )
    initial = (params.s0, *(sp.x0 for sp in params.species))
    with _as_invalid_input():
        run = _timed(
            "simulation", lambda: solver.simulate(chemostat, initial, t_end, n_points=n_points)
        )
    columns = {"s": run.s, **dict(zip(_labels(params), run.x, strict=True)), "m": run.mass}
    return TimeSeries(run.t, columns, is_washout=run.is_washout)


def _simulate_auxostat(
    params: ScenarioParameters, chemostat: solver.Chemostat, t_end: float, n_points: int
) -> TimeSeries:
    if chemostat.n_species != 1:
        raise UnprocessableInput({"species": [_("L'auxostat pilote une seule espèce.")]})
    with _as_invalid_input():
        controller = solver.Controller(
            s_target=params.set_point if params.set_point is not None else math.nan,
            K1=params.K1 if params.K1 is not None else math.nan,
            K2=params.K2 if params.K2 is not None else math.nan,
            D_bar0=params.D_bar0,
            noise_std=params.noise_std,
            sample_period=params.sample_period,
        )
        run = solver.simulate_auxostat(
            chemostat.species[0],
            params.s_in,
            controller,
            (params.s0, params.species[0].x0),
            t_end,
            rng=np.random.default_rng(params.noise_seed),
            n_points=n_points,
        )
    late = run.t >= run.t[-1] / 2
    notes = (
        f"D* = μ(s*) = {run.D_target:.6g}",
        f"mean D̄ over the second half = {float(np.mean(run.D_bar[late])):.6g}",
        f"std of D over the second half = {float(np.std(run.D[late])):.4g}",
    )
    # A noisy run is sampled every sample_period: keep n_points of those samples.
    keep = np.unique(np.linspace(0, run.t.size - 1, min(n_points, run.t.size)).round().astype(int))
    columns = {"s": run.s, "x1": run.x, "D": run.D, "D_bar": run.D_bar}
    return TimeSeries(
        run.t[keep], {name: values[keep] for name, values in columns.items()}, notes=notes
    )


def _simulate_bioaugmentation(
    params: ScenarioParameters, t_end: float, n_points: int
) -> TimeSeries:
    resident, added = species_of(params)
    dose = params.species[1].x0
    with _as_invalid_input():
        run = solver.simulate_bioaugmentation(
            resident,
            added,
            params.D,
            params.s_in,
            (params.s0, params.species[0].x0),
            dose,
            t_end,
            n_points=n_points,
        )
    alone = run.alone
    augmented = run.augmented
    # Both runs share the same output times.
    columns = {
        "s": augmented.s,
        "x1": augmented.x[0],
        "x2": augmented.x[1],
        "s_alone": alone.s,
        "x1_alone": alone.x[0],
    }
    notes = (f"outcome: {run.prediction.outcome}",)
    return TimeSeries(augmented.t, columns, notes=notes, is_washout=augmented.is_washout)


def competition(params: ScenarioParameters) -> solver.CompetitionPrediction:
    """Predict the competition outcome (N ≥ 2 species of Monod, Haldane or linear laws)."""
    chemostat = chemostat_of(params)
    with _as_invalid_input():
        return solver.predict_competition(chemostat)


def check_competition(params: ScenarioParameters) -> solver.CompetitionCheck:
    """Predict the outcome and simulate from the case's initial state to check it."""
    chemostat = chemostat_of(params)
    t_end = _horizon(params, None)
    initial = (params.s0, *(sp.x0 for sp in params.species))
    with _as_invalid_input():
        return solver.check_competition(chemostat, (initial,), t_end)


def operating_diagram(
    params: ScenarioParameters,
    *,
    grid: int = 100,
    d_max: float | None = None,
    s_in_max: float | None = None,
    species_index: int = 0,
) -> solver.OperatingDiagram:
    """Operating diagram of one species of the case on a ``grid`` × ``grid`` lattice."""
    if not 2 <= grid <= MAX_GRID:
        raise InvalidInput({"grid": [_within("grid", grid, f"[2, {MAX_GRID}]")]})
    species = species_of(params)
    if not 0 <= species_index < len(species):
        raise InvalidInput(
            {"species": [_("Pas d'espèce numéro %(number)s.") % {"number": species_index + 1}]}
        )
    law = species[species_index].law
    top_d = d_max if d_max is not None else 1.2 * min(law.max_rate(), MAX_RATE)
    top_s = s_in_max if s_in_max is not None else max(2.0 * params.s_in, 1.0)
    for name, value in (("d_max", top_d), ("s_in_max", top_s)):
        if not (math.isfinite(value) and 0 < value <= 1e6):
            raise InvalidInput({name: [_within(name, value, "]0, 1e6]")]})
    d_axis = np.linspace(top_d / grid, top_d, grid)
    s_axis = np.linspace(0.0, top_s, grid)
    with _as_invalid_input():
        return _timed("operating diagram", lambda: solver.operating_diagram(law, d_axis, s_axis))


def phase_portrait(params: ScenarioParameters) -> solver.PhasePortrait:
    """Phase portrait of a one- or two-species case, with trajectories from several starts."""
    chemostat = chemostat_of(params)
    if params.kind == ScenarioKind.AUXOSTAT:
        raise InvalidInput({"kind": [_("Pas de portrait de phase pour l'auxostat (D varie).")]})
    s_in = params.s_in
    if chemostat.n_species == 1:
        y = chemostat.species[0].yield_
        starts = [(params.s0, params.species[0].x0)] + [
            (s_in * a, y * s_in * b)
            for a, b in ((0.1, 0.9), (0.5, 0.1), (0.9, 0.05), (0.2, 0.2), (0.95, 0.5))
        ]
    else:
        y1, y2 = (sp.yield_ for sp in chemostat.species[:2])
        starts = [
            (y1 * s_in * a, y2 * s_in * b)
            for a, b in ((0.8, 0.05), (0.05, 0.8), (0.4, 0.4), (0.1, 0.1), (0.6, 0.3), (0.3, 0.6))
        ]
    t_end = min(_horizon(params, None), 1000.0)
    with _as_invalid_input():
        return _timed(
            "phase portrait", lambda: solver.phase_portrait(chemostat, starts, t_end=t_end)
        )


def complex_as_json(value: complex) -> float | dict[str, float]:
    """A real eigenvalue as a number, a complex one as ``{"re": …, "im": …}``."""
    tolerance = 1e-12 * max(1.0, abs(value))
    if abs(value.imag) <= tolerance:
        return float(value.real)
    return {"re": float(value.real), "im": float(value.imag)}


def equilibrium_as_json(eq: solver.Equilibrium) -> dict[str, object]:
    """JSON shape of one equilibrium: s, x, eigenvalues and stability."""
    return {
        "s": eq.s,
        "x": list(eq.x),
        "eigenvalues": [complex_as_json(v) for v in eq.eigenvalues],
        "stable": eq.is_stable,
    }


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def break_even_as_json(be: solver.BreakEven | None) -> dict[str, float | None] | None:
    """λ⁻ and λ⁺ with +∞ as null (JSON has no infinity); None for Contois."""
    if be is None:
        return None
    return {"lower": _finite_or_none(be.lower), "upper": _finite_or_none(be.upper)}


def analysis_as_json(analysis: Analysis) -> dict[str, object]:
    """JSON shape of an analysis: equilibria (with stability) and break-even intervals."""
    return {
        "equilibria": [
            {**equilibrium_as_json(eq), "stability": eq.stability, "survivors": list(eq.survivors)}
            for eq in analysis.equilibria
        ],
        "break_even": [break_even_as_json(be) for be in analysis.break_even],
    }


def series_as_json(series: TimeSeries) -> dict[str, object]:
    """JSON shape of a time series."""
    return {
        "t": series.t.tolist(),
        "columns": {name: values.tolist() for name, values in series.columns.items()},
        "is_washout": series.is_washout,
        "notes": list(series.notes),
    }


def diagram_as_json(diagram: solver.OperatingDiagram) -> dict[str, object]:
    """JSON shape of an operating diagram."""
    return {
        "D": diagram.D.tolist(),
        "s_in": diagram.s_in.tolist(),
        "regions": list(solver.REGION_NAMES),
        "region": diagram.region.tolist(),
        "counts": diagram.counts(),
    }


def competition_as_json(
    prediction: solver.CompetitionPrediction, survivors: tuple[int, ...] | None = None
) -> dict[str, object]:
    """JSON shape of a competition prediction (and the simulated survivors when checked)."""
    return {
        "break_even": [break_even_as_json(be) for be in prediction.break_even],
        "components": [[lo, _finite_or_none(hi)] for lo, hi in prediction.components],
        "possible_winners": list(prediction.possible_winners),
        "is_washout_possible": prediction.is_washout_possible,
        "survivors": None if survivors is None else list(survivors),
    }


@dataclass(frozen=True)
class Report:
    """Everything the scenario page shows, computed once."""

    params: ScenarioParameters
    analysis: Analysis
    series: TimeSeries
    portrait: solver.PhasePortrait | None
    diagram: solver.OperatingDiagram
    competition_check: solver.CompetitionCheck | None


def build_report(params: ScenarioParameters, *, n_points: int = 401) -> Report:
    """Analyse, simulate, draw the phase portrait and the operating diagram of a case."""
    analysis = analyse(params)
    series = simulate(params, n_points=n_points)
    has_plane = params.kind != ScenarioKind.AUXOSTAT and (
        len(params.species) == 1
        or (len(params.species) == 2 and all(be is not None for be in analysis.break_even))
    )
    portrait = phase_portrait(params) if has_plane else None
    diagram = operating_diagram(params, grid=100)
    check = check_competition(params) if analysis.competition is not None else None
    return Report(params, analysis, series, portrait, diagram, check)


@dataclass(frozen=True)
class BatchParameters:
    """Batch growth: logistic (r, x_max) and Monod with yield (μmax, K, y, s0) from x0."""

    t_end: float = 20.0
    x0: float = 0.05
    r: float = 0.8
    x_max: float = 3.0
    s0: float = 5.0
    mu_max: float = 1.0
    K: float = 1.0
    yield_: float = 0.5


def batch_growth(params: BatchParameters, *, n_points: int = 201) -> tuple[TimeSeries, TimeSeries]:
    """Logistic growth (closed form and ODE) and Monod batch growth (x, s and x + y·s)."""
    _points(n_points)
    if not 0 < params.t_end <= MAX_HORIZON_H:
        raise InvalidInput({"t_end": [_within("t_end", params.t_end, f"]0, {MAX_HORIZON_H:g}]")]})
    options = {"x0": params.x0, "n_points": n_points, "r": params.r, "x_max": params.x_max}
    with _as_invalid_input():
        closed = solver.simulate_batch("logistic", params.t_end, **options)
        ode = solver.simulate_batch("logistic-ode", params.t_end, **options)
        law = solver.GrowthLaw("monod", mu_max=params.mu_max, K=params.K)
        monod = solver.simulate_batch(
            "monod",
            params.t_end,
            x0=params.x0,
            s0=params.s0,
            law=law,
            yield_=params.yield_,
            n_points=n_points,
        )
    logistic = TimeSeries(closed.t, {"logistic": closed.x, "logistic_ode": ode.x})
    conserved = monod.x + params.yield_ * monod.s
    batch = TimeSeries(monod.t, {"x": monod.x, "s": monod.s, "x_plus_ys": conserved})
    return logistic, batch
