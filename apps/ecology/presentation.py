"""Page content of the ecology views: SVG figures, tables, summaries and CSV rows from a report.

Plain functions (no request): the views pass a :class:`services.Report` and get dicts back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from apps.ecology import charts, services
from apps.ecology.chemostat import REGION_NAMES, Equilibrium

TABLE_ROWS = 21
FIGURES = ("series", "equilibria", "phase", "diagram")


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _eigen(value: complex) -> str:
    shown = services.complex_as_json(value)
    if isinstance(shown, float):
        return _fmt(shown)
    return f"{_fmt(shown['re'])} {'+' if shown['im'] >= 0 else '−'} {_fmt(abs(shown['im']))}i"


def stability_label(stability: str) -> str:
    """French label of a stability class."""
    return {
        "stable": _("stable"),
        "unstable": _("instable"),
        "non-hyperbolic": _("non hyperbolique"),
    }[stability]


def region_labels() -> list[str]:
    """French labels of the operating-diagram regions, in code order."""
    return [_("lessivage seul"), _("un équilibre positif stable"), _("bistabilité")]


def column_labels(report: services.Report) -> dict[str, str]:
    """Human labels of the time-series columns."""
    labels = {
        "s": _("s, substrat (g/L)"),
        "m": _("m = s + Σ xᵢ/yᵢ (g/L)"),
        "D": _("D, taux de dilution (1/h)"),
        "D_bar": _("D̄, taux adapté (1/h)"),
        "s_alone": _("s, souche résidente seule (g/L)"),
        "x1_alone": _("x1, souche résidente seule (g/L)"),
    }
    for index, sp in enumerate(report.params.species, start=1):
        labels[f"x{index}"] = _("x%(n)s, %(name)s (g/L)") % {"n": index, "name": sp.name}
    return labels


def _equilibrium_row(eq: Equilibrium, names: list[str]) -> dict[str, Any]:
    survivors = ", ".join(names[i] for i in eq.survivors) or _("aucune (lessivage)")
    return {
        "s": _fmt(eq.s),
        "x": [_fmt(v) for v in eq.x],
        "eigenvalues": ", ".join(_eigen(v) for v in eq.eigenvalues),
        "stability": stability_label(eq.stability),
        "survivors": survivors,
    }


def _series_summary(report: services.Report, labels: dict[str, str]) -> str:
    series = report.series
    finals = "; ".join(
        f"{labels[name]} = {_fmt(values[-1])}" for name, values in series.columns.items()
    )
    text = _("Simulation sur %(t)s h. Valeurs finales : %(finals)s.") % {
        "t": _fmt(series.t[-1]),
        "finals": finals,
    }
    if series.is_washout:
        text += " " + _("La biomasse est lessivée.")
    return " ".join([text, *series.notes])


def _diagram_table(report: services.Report) -> list[dict[str, str]]:
    diagram = report.diagram
    rows = []
    for i in np.linspace(0, diagram.s_in.size - 1, 11).round().astype(int):
        codes = diagram.region[i]
        present = [region_labels()[c] for c in dict.fromkeys(codes.tolist())]
        rows.append(
            {
                "s_in": _fmt(diagram.s_in[i]),
                "mu": _fmt(diagram.mu_at_s_in[i]),
                "max": _fmt(diagram.max_rate[i]),
                "regions": " → ".join(present),
            }
        )
    return rows


def _competition(report: services.Report) -> dict[str, Any] | None:
    check = report.competition_check
    if check is None:
        return None
    names = [sp.name for sp in report.params.species]
    prediction = check.prediction
    winners = [names[i] for i in prediction.possible_winners]
    survivors = [names[i] for i in check.survivors[0]] or [_("aucune (lessivage)")]
    return {
        "break_even": [
            {
                "name": name,
                "lower": _fmt(be.lower) if np.isfinite(be.lower) else "∞",
                "upper": _fmt(be.upper) if np.isfinite(be.upper) else "∞",
            }
            for name, be in zip(names, prediction.break_even, strict=True)
        ],
        "winners": winners,
        "is_washout_possible": prediction.is_washout_possible,
        "survivors": survivors,
        "is_consistent": check.is_consistent,
    }


def detail_context(report: services.Report) -> dict[str, Any]:
    """Figures (inline SVG), tables and summaries of a scenario page."""
    names = [sp.name for sp in report.params.species]
    labels = column_labels(report)
    series = report.series
    picks = np.unique(np.linspace(0, series.t.size - 1, TABLE_ROWS).round().astype(int))
    equilibria = [_equilibrium_row(eq, names) for eq in report.analysis.equilibria]
    stable = [
        row for row, eq in zip(equilibria, report.analysis.equilibria, strict=True) if eq.is_stable
    ]
    context: dict[str, Any] = {
        "species_names": names,
        "equilibria": equilibria,
        "equilibria_summary": _("%(n)s équilibre(s), dont %(k)s stable(s) : %(list)s.")
        % {
            "n": len(equilibria),
            "k": len(stable),
            "list": "; ".join(f"s = {row['s']} ({row['stability']})" for row in equilibria),
        },
        "series_svg": charts.time_series_svg(
            series.t,
            [(labels[name], values) for name, values in series.columns.items()],
            prefix="series-chart",
            title=_("Évolution temporelle"),
            description=_series_summary(report, labels),
            x_label=_("temps t (h)"),
            y_label=_("concentration ou taux"),
        ),
        "series_summary": _series_summary(report, labels),
        "series_header": [labels[name] for name in series.columns],
        "series_rows": [
            [_fmt(series.t[i]), *(_fmt(v[i]) for v in series.columns.values())] for i in picks
        ],
        "competition": _competition(report),
        "bioaugmentation": report.analysis.bioaugmentation,
    }
    context.update(_phase_context(report, names))
    context.update(_diagram_context(report))
    return context


def _phase_context(report: services.Report, names: list[str]) -> dict[str, Any]:
    portrait = report.portrait
    if portrait is None:
        return {"phase_svg": None}
    if portrait.axes == ("s", "x"):
        axis_labels = (_("substrat s (g/L)"), _("biomasse x (g/L)"))
        isoclines = {"isocline:x": _("isocline ẋ = 0"), "isocline:s": _("isocline ṡ = 0")}
    else:
        axis_labels = (f"x1, {names[0]} (g/L)", f"x2, {names[1]} (g/L)")
        isoclines = {"isocline:x1": _("isocline ẋ1 = 0"), "isocline:x2": _("isocline ẋ2 = 0")}
    legend = {
        "field": _("champ de vecteurs"),
        "trajectory": _("trajectoire (carré : départ)"),
        "stable": _("équilibre stable (disque plein)"),
        "unstable": _("équilibre instable (cercle vide)"),
        "non-hyperbolic": _("équilibre non hyperbolique (carré)"),
        **isoclines,
    }
    rows = [
        {
            "start": ", ".join(_fmt(v) for v in path[:, 0]),
            "end": ", ".join(_fmt(v) for v in path[:, -1]),
        }
        for path in portrait.trajectories
    ]
    summary = _(
        "Portrait de phase dans le plan (%(a)s, %(b)s) : %(n)s trajectoires. Arrivées : %(ends)s."
    ) % {
        "a": portrait.axes[0],
        "b": portrait.axes[1],
        "n": len(rows),
        "ends": "; ".join(f"({row['end']})" for row in rows),
    }
    return {
        "phase_svg": charts.phase_svg(
            portrait,
            prefix="phase-chart",
            title=_("Portrait de phase"),
            description=summary,
            axis_labels=axis_labels,
            legend_labels=legend,
        ),
        "phase_summary": summary,
        "phase_axes": portrait.axes,
        "phase_rows": rows,
    }


def _diagram_context(report: services.Report) -> dict[str, Any]:
    diagram = report.diagram
    counts = diagram.counts()
    summary = _(
        "Diagramme opératoire de %(name)s sur une grille de %(n)s × %(n)s points : "
        "lessivage seul %(w)s, un équilibre positif stable %(p)s, bistabilité %(b)s points."
    ) % {
        "name": report.params.species[0].name,
        "n": diagram.D.size,
        "w": counts["washout"],
        "p": counts["persistence"],
        "b": counts["bistability"],
    }
    return {
        "diagram_svg": charts.diagram_svg(
            diagram,
            prefix="diagram-chart",
            title=_("Diagramme opératoire"),
            description=summary,
            axis_labels=(_("substrat en entrée s_in (g/L)"), _("taux de dilution D (1/h)")),
            region_labels=region_labels(),
            curve_labels=(_("D = μ(s_in)"), _("D = max μ sur [0, s_in]")),
        ),
        "diagram_summary": summary,
        "diagram_rows": _diagram_table(report),
    }


def csv_rows(report: services.Report, figure: str) -> list[list[str]]:
    """Rows (header first) of one figure's numbers, at full precision."""
    names = [f"x{i}" for i in range(1, len(report.params.species) + 1)]
    if figure == "series":
        series = report.series
        values = list(series.columns.values())
        return [["t", *series.columns]] + [
            [repr(float(series.t[i])), *(repr(float(v[i])) for v in values)]
            for i in range(series.t.size)
        ]
    if figure == "equilibria":
        rows = [["s", *names, "eigenvalues", "stability"]]
        for eq in report.analysis.equilibria:
            eigen = " ".join(str(services.complex_as_json(v)) for v in eq.eigenvalues)
            rows.append([repr(eq.s), *(repr(v) for v in eq.x), eigen, eq.stability])
        return rows
    if figure == "phase":
        portrait = report.portrait
        if portrait is None:
            return [["trajectory", "index", "first", "second"]]
        rows = [["trajectory", "index", *portrait.axes]]
        for number, path in enumerate(portrait.trajectories, start=1):
            rows += [
                [str(number), str(k), repr(float(path[0, k])), repr(float(path[1, k]))]
                for k in range(path.shape[1])
            ]
        return rows
    diagram = report.diagram
    rows = [["s_in", "D", "region"]]
    for i, s_value in enumerate(diagram.s_in):
        rows += [
            [repr(float(s_value)), repr(float(d)), REGION_NAMES[diagram.region[i, j]]]
            for j, d in enumerate(diagram.D)
        ]
    return rows


def _table(series: services.TimeSeries) -> list[list[str]]:
    picks = np.unique(np.linspace(0, series.t.size - 1, TABLE_ROWS).round().astype(int))
    return [[_fmt(series.t[i]), *(_fmt(v[i]) for v in series.columns.values())] for i in picks]


def batch_context(
    logistic: services.TimeSeries, batch: services.TimeSeries, params: services.BatchParameters
) -> dict[str, Any]:
    """Figures, tables and summaries of the batch-growth page."""
    gap = float(np.max(np.abs(logistic.columns["logistic"] - logistic.columns["logistic_ode"])))
    drift = float(np.ptp(batch.columns["x_plus_ys"]))
    logistic_labels = [_("x(t), forme close"), _("x(t), équation différentielle")]
    batch_labels = [_("biomasse x (g/L)"), _("substrat s (g/L)"), _("x + y·s (g/L)")]
    logistic_summary = _(
        "Croissance logistique de x0 = %(x0)s à x_max = %(xm)s avec r = %(r)s : x(%(t)s) = "
        "%(end)s. Écart maximal entre forme close et intégration : %(gap)s."
    ) % {
        "x0": _fmt(params.x0),
        "xm": _fmt(params.x_max),
        "r": _fmt(params.r),
        "t": _fmt(logistic.t[-1]),
        "end": _fmt(logistic.columns["logistic"][-1]),
        "gap": f"{gap:.2e}",
    }
    batch_summary = _(
        "Croissance de Monod en batch : x passe de %(x0)s à %(x1)s g/L, s de %(s0)s à %(s1)s "
        "g/L ; x + y·s reste égal à %(m)s (variation %(drift)s)."
    ) % {
        "x0": _fmt(batch.columns["x"][0]),
        "x1": _fmt(batch.columns["x"][-1]),
        "s0": _fmt(batch.columns["s"][0]),
        "s1": _fmt(batch.columns["s"][-1]),
        "m": _fmt(batch.columns["x_plus_ys"][0]),
        "drift": f"{drift:.2e}",
    }
    return {
        "logistic_svg": charts.time_series_svg(
            logistic.t,
            list(zip(logistic_labels, logistic.columns.values(), strict=True)),
            prefix="logistic-chart",
            title=_("Croissance logistique"),
            description=logistic_summary,
            x_label=_("temps t (h)"),
            y_label=_("biomasse x (g/L)"),
        ),
        "logistic_summary": logistic_summary,
        "logistic_header": logistic_labels,
        "logistic_rows": _table(logistic),
        "batch_svg": charts.time_series_svg(
            batch.t,
            list(zip(batch_labels, batch.columns.values(), strict=True)),
            prefix="batch-chart",
            title=_("Croissance de Monod en batch"),
            description=batch_summary,
            x_label=_("temps t (h)"),
            y_label=_("concentration (g/L)"),
        ),
        "batch_summary": batch_summary,
        "batch_header": batch_labels,
        "batch_rows": _table(batch),
    }


def batch_csv_rows(logistic: services.TimeSeries, batch: services.TimeSeries) -> list[list[str]]:
    """Both batch series on the same times, at full precision."""
    header = ["t", "logistic", "logistic_ode", "monod_x", "monod_s", "monod_x_plus_ys"]
    columns = [*logistic.columns.values(), *batch.columns.values()]
    return [header] + [
        [repr(float(logistic.t[i])), *(repr(float(c[i])) for c in columns)]
        for i in range(logistic.t.size)
    ]
