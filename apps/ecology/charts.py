"""Server-side SVG charts of the ecology pages (plain functions: arrays in, markup out).

Every chart has a ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``), a text legend,
and distinguishes series by dash pattern or marker shape as well as by colour. Labels arrive
already translated; this module knows nothing about requests or Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import NDArray

from apps.ecology.chemostat import OperatingDiagram, PhasePortrait

__all__ = ["diagram_svg", "phase_svg", "time_series_svg"]

WIDTH, HEIGHT = 640, 460
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 136
PALETTE = (
    ("#000091", ""),
    ("#b34000", "8 4"),
    ("#18753c", "2 3"),
    ("#6a1b9a", "10 3 2 3"),
    ("#3a3a3a", "4 2"),
    ("#a10e69", "1 3"),
)
REGION_FILLS = ("url(#{p}-washout)", "#e3e3fd", "url(#{p}-bistability)")


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if not high > low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


def _number(value: float) -> str:
    return f"{value:.4g}"


@dataclass(frozen=True)
class _Frame:
    x_low: float
    x_high: float
    y_low: float
    y_high: float

    def px(self, x: NDArray[np.float64] | float) -> NDArray[np.float64]:
        span = self.x_high - self.x_low or 1.0
        return LEFT + (np.asarray(x, float) - self.x_low) / span * (WIDTH - LEFT - RIGHT)

    def py(self, y: NDArray[np.float64] | float) -> NDArray[np.float64]:
        span = self.y_high - self.y_low or 1.0
        return (
            HEIGHT - BOTTOM - (np.asarray(y, float) - self.y_low) / span * (HEIGHT - TOP - BOTTOM)
        )


def _axes(frame: _Frame, x_label: str, y_label: str) -> list[str]:
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{right - LEFT}" height="{bottom - TOP}" '
        'fill="none" stroke="#929292"/>'
    ]
    for x in _ticks(frame.x_low, frame.x_high):
        px = float(frame.px(x))
        parts.append(
            f'<line x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 5}" stroke="#161616"/>'
        )
        parts.append(
            f'<text x="{px:.1f}" y="{bottom + 18}" text-anchor="middle" '
            f'font-size="12">{_number(x)}</text>'
        )
    for y in _ticks(frame.y_low, frame.y_high):
        py = float(frame.py(y))
        parts.append(
            f'<line x1="{LEFT - 5}" y1="{py:.1f}" x2="{LEFT}" y2="{py:.1f}" stroke="#161616"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{py + 4:.1f}" text-anchor="end" '
            f'font-size="12">{_number(y)}</text>'
        )
    parts.append(
        f'<text x="{(LEFT + right) / 2:.1f}" y="{bottom + 36}" text-anchor="middle" '
        f'font-size="13">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text x="14" y="{(TOP + bottom) / 2:.1f}" text-anchor="middle" font-size="13" '
        f'transform="rotate(-90 14 {(TOP + bottom) / 2:.1f})">{escape(y_label)}</text>'
    )
    return parts


def _polyline(frame: _Frame, x: NDArray, y: NDArray, colour: str, dash: str, width: float = 2):
    keep = np.isfinite(x) & np.isfinite(y)
    points = " ".join(
        f"{a:.1f},{b:.1f}" for a, b in zip(frame.px(x[keep]), frame.py(y[keep]), strict=True)
    )
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{points}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{dash_attr}/>'
    )


def _legend(items: Sequence[tuple[str, str]]) -> list[str]:
    """Legend entries (symbol markup at the origin, label) laid out under the plot."""
    parts = []
    per_row = 2
    for index, (symbol, label) in enumerate(items):
        x = LEFT + (index % per_row) * 280
        y = HEIGHT - BOTTOM + 54 + (index // per_row) * 18
        parts.append(
            f'<g transform="translate({x} {y})">{symbol}'
            f'<text x="30" y="4" font-size="12">{escape(label)}</text></g>'
        )
    return parts


def _line_symbol(colour: str, dash: str, width: float = 2) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="0" y1="0" x2="24" y2="0" stroke="{colour}" stroke-width="{width}"{dash_attr}/>'
    )


def _wrap(prefix: str, title: str, description: str, body: list[str], defs: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" width="{WIDTH}" height="{HEIGHT}">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(description)}</desc>'
        f"{defs}{''.join(body)}</svg>"
    )


def time_series_svg(
    t: NDArray[np.float64],
    series: Sequence[tuple[str, NDArray[np.float64]]],
    *,
    prefix: str,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
) -> str:
    """Line chart of several series against time."""
    values = np.concatenate([np.asarray(v, float) for _, v in series]) if series else np.zeros(1)
    finite = values[np.isfinite(values)]
    high = float(finite.max()) if finite.size else 1.0
    low = min(0.0, float(finite.min()) if finite.size else 0.0)
    frame = _Frame(float(t[0]), float(t[-1]), low, high * 1.05 if high > 0 else 1.0)
    body = _axes(frame, x_label, y_label)
    legend = []
    for index, (label, column) in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)]
        body.append(_polyline(frame, np.asarray(t, float), np.asarray(column, float), colour, dash))
        legend.append((_line_symbol(colour, dash), label))
    return _wrap(prefix, title, description, body + _legend(legend))


def _arrow_defs(prefix: str) -> str:
    return (
        f'<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#6a6a6a"/></marker></defs>'
    )


def _equilibrium_symbol(stability: str, x: float = 0.0, y: float = 0.0) -> str:
    if stability == "stable":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#161616"/>'
    if stability == "unstable":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#fff" stroke="#161616" '
            'stroke-width="2"/>'
        )
    return (
        f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#fff" '
        'stroke="#161616" stroke-width="2"/>'
    )


def phase_svg(
    portrait: PhasePortrait,
    *,
    prefix: str,
    title: str,
    description: str,
    axis_labels: tuple[str, str],
    legend_labels: dict[str, str],
) -> str:
    """Phase portrait: vector field, isoclines, trajectories and equilibria.

    ``legend_labels`` maps ``field``, ``trajectory``, ``stable``, ``unstable``,
    ``non-hyperbolic`` and ``isocline:<variable>`` to their (translated) labels.
    """
    x_low, x_high, y_low, y_high = portrait.limits
    frame = _Frame(x_low, x_high, y_low, y_high)
    body = _axes(frame, *axis_labels)
    cell = min((WIDTH - LEFT - RIGHT), (HEIGHT - TOP - BOTTOM)) / portrait.grid_first.shape[0]
    u = frame.px(portrait.grid_first + portrait.field_first) - frame.px(portrait.grid_first)
    v = frame.py(portrait.grid_second + portrait.field_second) - frame.py(portrait.grid_second)
    norm = np.hypot(u, v)
    x0, y0 = frame.px(portrait.grid_first), frame.py(portrait.grid_second)
    for a, b, du, dv, n in zip(
        x0.ravel(), y0.ravel(), u.ravel(), v.ravel(), norm.ravel(), strict=True
    ):
        if not math.isfinite(n) or n == 0:
            continue
        scale = 0.4 * cell / n
        body.append(
            f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{a + du * scale:.1f}" '
            f'y2="{b + dv * scale:.1f}" stroke="#6a6a6a" stroke-width="1" '
            f'marker-end="url(#{prefix}-arrow)"/>'
        )
    styles = {}
    for curve in portrait.isoclines:
        colour, dash = styles.setdefault(
            curve.variable, (PALETTE[1 + len(styles)][0], ("6 3", "2 3", "10 3 2 3")[len(styles)])
        )
        body.append(_polyline(frame, curve.first, curve.second, colour, dash, 2.5))
    for path in portrait.trajectories:
        body.append(_polyline(frame, path[0], path[1], "#000091", "", 1.5))
        body.append(
            f'<rect x="{float(frame.px(path[0, 0])) - 3:.1f}" '
            f'y="{float(frame.py(path[1, 0])) - 3:.1f}" width="6" height="6" '
            'fill="#000091"/>'
        )
    # Axis name → index in the state (s, x_1, ..., x_N).
    first, second = ({"s": 0, "x": 1, "x1": 1, "x2": 2}[axis] for axis in portrait.axes)
    for eq in portrait.equilibria:
        state = eq.state
        body.append(
            _equilibrium_symbol(
                eq.stability, float(frame.px(state[first])), float(frame.py(state[second]))
            )
        )
    legend = [
        (
            '<line x1="0" y1="0" x2="20" y2="0" stroke="#6a6a6a" '
            f'marker-end="url(#{prefix}-arrow)"/>',
            legend_labels["field"],
        ),
        (_line_symbol("#000091", "", 1.5), legend_labels["trajectory"]),
    ]
    legend += [
        (_line_symbol(colour, dash, 2.5), legend_labels[f"isocline:{variable}"])
        for variable, (colour, dash) in styles.items()
    ]
    shown = sorted({eq.stability for eq in portrait.equilibria})
    legend += [(_equilibrium_symbol(kind, 12, 0), legend_labels[kind]) for kind in shown]
    return _wrap(prefix, title, description, body + _legend(legend), _arrow_defs(prefix))


def _pattern_defs(prefix: str) -> str:
    return (
        f'<defs><pattern id="{prefix}-washout" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="1.2" fill="#6a6a6a"/>'
        f'</pattern><pattern id="{prefix}-bistability" width="8" height="8" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffe9dc"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#b34000" stroke-width="3"/></pattern></defs>'
    )


def diagram_svg(
    diagram: OperatingDiagram,
    *,
    prefix: str,
    title: str,
    description: str,
    axis_labels: tuple[str, str],
    region_labels: Sequence[str],
    curve_labels: tuple[str, str],
) -> str:
    """Operating diagram with s_in horizontal and D vertical, regions as patterned runs."""
    s_axis, d_axis = diagram.s_in, diagram.D
    frame = _Frame(float(s_axis[0]), float(s_axis[-1]), 0.0, float(d_axis[-1]))
    body: list[str] = []
    s_step = (s_axis[-1] - s_axis[0]) / max(s_axis.size - 1, 1)
    d_step = (d_axis[-1] - d_axis[0]) / max(d_axis.size - 1, 1)
    for i, s_value in enumerate(s_axis):
        row = diagram.region[i]
        edges = np.flatnonzero(np.diff(row)) + 1
        starts = np.concatenate(([0], edges))
        ends = np.concatenate((edges, [row.size]))
        x_left = float(frame.px(max(s_value - s_step / 2, s_axis[0])))
        x_right = float(frame.px(min(s_value + s_step / 2, s_axis[-1])))
        for start, end in zip(starts, ends, strict=True):
            d_low = 0.0 if start == 0 else d_axis[start] - d_step / 2
            d_high = d_axis[end - 1] + d_step / 2 if end < row.size else d_axis[-1]
            y_top, y_bottom = float(frame.py(d_high)), float(frame.py(d_low))
            fill = REGION_FILLS[row[start]].format(p=prefix)
            body.append(
                f'<rect x="{x_left:.1f}" y="{y_top:.1f}" width="{x_right - x_left:.2f}" '
                f'height="{y_bottom - y_top:.2f}" fill="{fill}"/>'
            )
    body += _axes(frame, *axis_labels)
    body.append(_polyline(frame, s_axis, diagram.mu_at_s_in, "#161616", "", 2.5))
    has_bistability = not np.allclose(diagram.max_rate, diagram.mu_at_s_in)
    if has_bistability:
        body.append(_polyline(frame, s_axis, diagram.max_rate, "#161616", "6 3", 2.5))
    legend = [
        (
            f'<rect x="0" y="-6" width="24" height="12" fill="{fill.format(p=prefix)}" '
            'stroke="#161616"/>',
            label,
        )
        for fill, label in zip(REGION_FILLS, region_labels, strict=True)
    ]
    legend.append((_line_symbol("#161616", "", 2.5), curve_labels[0]))
    if has_bistability:
        legend.append((_line_symbol("#161616", "6 3", 2.5), curve_labels[1]))
    return _wrap(prefix, title, description, body + _legend(legend), _pattern_defs(prefix))
