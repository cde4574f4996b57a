"""What the model pages draw: the fit chart (observations, curve, band) and its tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from apps.mlregistry.families import FAMILIES
from apps.mlregistry.models import ModelVersion
from apps.mlregistry.serving import load_version

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
MIN_X, MAX_X = 60.0, 480.0
#: Rail times of the curve's table (minutes).
TABLE_TIMES = tuple(range(60, 481, 30))


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class CurveRow:
    rail_time_min: int
    share_pct: float
    low_pct: float
    high_pct: float
    is_extrapolated: bool


@dataclass(frozen=True)
class FitChart:
    """The SVG geometry and the rows of its tables."""

    width: int
    height: int
    curve_path: str
    band_path: str
    points: tuple[Point, ...]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    plot: tuple[float, float, float, float]
    observations: tuple[dict[str, Any], ...]
    curve_rows: tuple[CurveRow, ...]


def _x(minutes: float) -> float:
    return LEFT + (minutes - MIN_X) / (MAX_X - MIN_X) * (WIDTH - LEFT - RIGHT)


def _y(share: float) -> float:
    return TOP + (1.0 - share) * (HEIGHT - TOP - BOTTOM)


def fit_chart(version: ModelVersion) -> FitChart:
    """The fit of a version: its observations, its curve and band, as drawn and as tables."""
    predictor = load_version(version).predictor
    content = json.loads(version.artefact)
    loo = content["metrics"]["loo_predicted_pct"]
    steps = [MIN_X + i * 5.0 for i in range(int((MAX_X - MIN_X) / 5) + 1)]
    found = [predictor.share(t) for t in steps]
    curve = " ".join(
        f"{'M' if i == 0 else 'L'}{_x(t):.1f},{_y(f.share):.1f}"
        for i, (t, f) in enumerate(zip(steps, found, strict=True))
    )
    upper = [f"{_x(t):.1f},{_y(f.high):.1f}" for t, f in zip(steps, found, strict=True)]
    lower = [
        f"{_x(t):.1f},{_y(f.low):.1f}" for t, f in reversed(list(zip(steps, found, strict=True)))
    ]
    band = "M" + " L".join(upper + lower) + " Z"
    observations = tuple(
        {**o, "loo_pct": loo[i], "pair": f"{o['city_a']}–{o['city_b']}"}
        for i, o in enumerate(content["observations"])
    )
    points = tuple(
        Point(_x(o["rail_time_min"]), _y(o["rail_share_pct"] / 100.0), o["pair"])
        for o in observations
    )
    rows = []
    for minutes in TABLE_TIMES:
        f = predictor.share(float(minutes))
        rows.append(
            CurveRow(minutes, round(f.share * 100, 1), round(f.low * 100, 1),
                     round(f.high * 100, 1), f.is_extrapolated)
        )  # fmt: skip
    return FitChart(
        width=WIDTH,
        height=HEIGHT,
        curve_path=curve,
        band_path=band,
        points=points,
        x_ticks=tuple(
            (_x(m), f"{m // 60} h" + (f"{m % 60:02d}" if m % 60 else ""))
            for m in range(60, 481, 60)
        ),
        y_ticks=tuple((_y(p / 100), f"{p} %") for p in range(0, 101, 20)),
        plot=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM),
        observations=observations,
        curve_rows=tuple(rows),
    )


def card_of(version: ModelVersion) -> dict[str, str]:
    """The version's card in the reader's language (its stored card is the French one)."""
    family = FAMILIES.get(version.model.family)
    metrics = version.metrics
    if family is None or "observed_range_min" not in metrics:
        return dict(version.card)
    return family.card(metrics, metrics["observed_range_min"])
