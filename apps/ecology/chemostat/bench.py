"""Benchmark: 2-species simulation over 1000 h and a 200×200 operating diagram.

Run with ``python -m apps.ecology.chemostat.bench``. Each figure is printed with
its median and p95 over several repeats, next to a naive per-point Python loop
measured in the same run, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .laws import GrowthLaw
from .operating import operating_diagram
from .simulate import simulate
from .system import Chemostat, Species, vector_field

__all__ = ["BenchFigure", "main", "run_benchmarks"]

SIMULATION_TARGET_S = 0.050
DIAGRAM_TARGET_S = 1.0
_COMPETITION = Chemostat(
    species=(
        Species(GrowthLaw("monod", mu_max=1.0, K=1.0)),
        Species(GrowthLaw("monod", mu_max=0.8, K=0.4)),
    ),
    D=0.3,
    s_in=5.0,
)
_INITIAL = (5.0, 0.1, 0.1)
_HORIZON_H = 1000.0
_DIAGRAM_LAW = GrowthLaw("haldane", mu_max=1.0, K=1.0, Ki=2.0)


@dataclass(frozen=True)
class BenchFigure:
    """Timings (s) of one case and of its baseline."""

    name: str
    median_s: float
    p95_s: float
    baseline_median_s: float
    target_s: float

    @property
    def ratio(self) -> float:
        """Baseline time divided by the optimised time."""
        return self.baseline_median_s / self.median_s


def _timings(function: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _p95(values: Sequence[float]) -> float:
    return float(np.percentile(values, 95))


def _naive_simulation(step_h: float = 0.01) -> np.ndarray:
    """Fixed-step RK4 in a plain Python loop over every time point."""
    u = np.array(_INITIAL)
    coef = _COMPETITION.coefficient_arrays()
    for _ in range(int(_HORIZON_H / step_h)):
        k1 = vector_field(_COMPETITION, u, coef)
        k2 = vector_field(_COMPETITION, u + 0.5 * step_h * k1, coef)
        k3 = vector_field(_COMPETITION, u + 0.5 * step_h * k2, coef)
        k4 = vector_field(_COMPETITION, u + step_h * k3, coef)
        u = u + step_h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return u


def run_benchmarks(*, repeats: int = 7, grid: int = 200) -> tuple[BenchFigure, BenchFigure]:
    """Time both cases and their baselines; return the two figures."""
    sim = _timings(lambda: simulate(_COMPETITION, _INITIAL, _HORIZON_H), repeats)
    sim_base = _timings(_naive_simulation, max(1, repeats // 3))
    d_axis = np.linspace(0.005, 1.0, grid)
    s_axis = np.linspace(0.0, 10.0, grid)
    diagram = _timings(lambda: operating_diagram(_DIAGRAM_LAW, d_axis, s_axis), repeats)
    diagram_base = _timings(
        lambda: operating_diagram(_DIAGRAM_LAW, d_axis, s_axis, method="loop"), 1
    )
    return (
        BenchFigure(
            "simulation 2 species, 1000 h (LSODA)",
            statistics.median(sim),
            _p95(sim),
            statistics.median(sim_base),
            SIMULATION_TARGET_S,
        ),
        BenchFigure(
            f"operating diagram {grid}x{grid} (vectorised)",
            statistics.median(diagram),
            _p95(diagram),
            statistics.median(diagram_base),
            DIAGRAM_TARGET_S,
        ),
    )


def format_figures(figures: Sequence[BenchFigure]) -> str:
    """Return the benchmark table as text."""
    lines = [
        f"{'case':44} {'median':>10} {'p95':>10} {'baseline':>10} {'ratio':>8} {'target':>8}  ok",
    ]
    for fig in figures:
        lines.append(
            f"{fig.name:44} {fig.median_s * 1e3:8.2f}ms {fig.p95_s * 1e3:8.2f}ms "
            f"{fig.baseline_median_s * 1e3:8.0f}ms {fig.ratio:7.1f}x "
            f"{fig.target_s * 1e3:6.0f}ms  {'yes' if fig.p95_s <= fig.target_s else 'NO'}"
        )
    lines.append(
        "baselines: fixed-step RK4 (h = 0.01) in a Python loop; equilibria and eigenvalues "
        "computed point by point"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> str:
    """Parse arguments, run the benchmarks and return the printed table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--grid", type=int, default=200)
    args = parser.parse_args(argv)
    return format_figures(run_benchmarks(repeats=args.repeats, grid=args.grid))


if __name__ == "__main__":
    import sys

    sys.stdout.write(main() + "\n")
