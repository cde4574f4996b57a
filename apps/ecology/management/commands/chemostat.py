"""Analyse, simulate or map a chemostat scenario (stored or given inline)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ecology import services
from apps.ecology.chemostat import REGION_NAMES
from apps.ecology.models import GrowthLawKind, Scenario
from obrail.errors import InvalidInput

FORMATS = ("table", "csv", "json")


class Command(BaseCommand):
    """``chemostat SCENARIO [--analyse] [--simulate T] [--operating-diagram] [--format ...]``."""

    help = (
        "Analyse (equilibria, eigenvalues, stability), simulate or draw the operating diagram "
        "of a stored scenario, or of a one-species case given with --law/--mu-max/--K/--s-in/--D."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", nargs="?", help="Slug of a stored scenario.")
        parser.add_argument("--analyse", action="store_true", help="Equilibria and stability.")
        parser.add_argument("--simulate", type=float, metavar="T", help="Simulate over T hours.")
        parser.add_argument("--operating-diagram", action="store_true")
        parser.add_argument("--format", choices=FORMATS, default="table")
        parser.add_argument("--points", type=int, default=101, help="Output times (simulate).")
        parser.add_argument("--grid", type=int, default=40, help="Grid size (operating diagram).")
        inline = parser.add_argument_group("inline one-species case")
        inline.add_argument("--law", choices=GrowthLawKind.values)
        inline.add_argument("--mu-max", type=float)
        inline.add_argument("--K", type=float, dest="K")
        inline.add_argument("--Ki", type=float, dest="Ki")
        inline.add_argument("--s-in", type=float)
        inline.add_argument("--D", type=float, dest="D")
        inline.add_argument("--yield", type=float, dest="yield_", default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        params = self._parameters(options)
        wants_simulation = options["simulate"] is not None
        wants_analysis = options["analyse"] or not (
            wants_simulation or options["operating_diagram"]
        )
        sections: dict[str, Any] = {}
        try:
            if wants_analysis:
                sections["equilibria"] = services.analyse(params).equilibria
            if wants_simulation:
                sections["simulation"] = services.simulate(
                    params, horizon=options["simulate"], n_points=options["points"]
                )
            if options["operating_diagram"]:
                sections["operating_diagram"] = services.operating_diagram(
                    params, grid=options["grid"]
                )
        except InvalidInput as error:
            raise CommandError(f"Invalid parameters: {error}") from error
        render = {"json": self._json, "csv": self._csv, "table": self._table}[options["format"]]
        self.stdout.write(render(sections))

    def _parameters(self, options: dict[str, Any]) -> services.ScenarioParameters:
        inline = ("law", "mu_max", "K", "s_in", "D")
        given = [name for name in inline if options[name] is not None]
        if options["scenario"] and given:
            raise CommandError("Give either a SCENARIO or an inline case (--law ...), not both.")
        if options["scenario"]:
            try:
                return services.get_parameters(slug=options["scenario"])
            except Scenario.DoesNotExist as error:
                known = ", ".join(Scenario.objects.values_list("slug", flat=True))
                raise CommandError(
                    f"Unknown scenario {options['scenario']!r}. Known: {known}."
                ) from error
        needed = [n for n in inline if not (n == "K" and options["law"] == GrowthLawKind.LINEAR)]
        missing = [f"--{name.replace('_', '-')}" for name in needed if options[name] is None]
        if missing:
            raise CommandError(
                "Give a SCENARIO, or an inline case with " + ", ".join(missing) + "."
            )
        if options["law"] == GrowthLawKind.HALDANE and options["Ki"] is None:
            raise CommandError("--Ki is required with --law haldane.")
        return services.inline_parameters(
            law=options["law"],
            mu_max=options["mu_max"],
            K=options["K"] if options["K"] is not None else 1.0,
            Ki=options["Ki"],
            s_in=options["s_in"],
            D=options["D"],
            yield_=options["yield_"],
        )

    @staticmethod
    def _json(sections: dict[str, Any]) -> str:
        payload: dict[str, Any] = {}
        if "equilibria" in sections:
            payload["equilibria"] = [
                services.equilibrium_as_json(eq) for eq in sections["equilibria"]
            ]
        if "simulation" in sections:
            series = sections["simulation"]
            payload["simulation"] = {
                "t": series.t.tolist(),
                **{name: values.tolist() for name, values in series.columns.items()},
            }
        if "operating_diagram" in sections:
            diagram = sections["operating_diagram"]
            payload["operating_diagram"] = {
                "D": diagram.D.tolist(),
                "s_in": diagram.s_in.tolist(),
                "regions": list(REGION_NAMES),
                "region": diagram.region.tolist(),
            }
        return json.dumps(payload, ensure_ascii=False)

    @staticmethod
    def _rows(sections: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
        tables = []
        if "equilibria" in sections:
            rows = []
            for eq in sections["equilibria"]:
                eigen = " ".join(_format_eigen(v) for v in eq.eigenvalues)
                rows.append(
                    [f"{eq.s:.6g}", " ".join(f"{x:.6g}" for x in eq.x), eigen, eq.stability]
                )
            tables.append(("equilibria", ["s", "x", "eigenvalues", "stability"], rows))
        if "simulation" in sections:
            series = sections["simulation"]
            header = ["t", *series.columns]
            rows = [
                [f"{series.t[i]:.6g}", *(f"{v[i]:.6g}" for v in series.columns.values())]
                for i in range(series.t.size)
            ]
            tables.append(("simulation", header, rows))
        if "operating_diagram" in sections:
            diagram = sections["operating_diagram"]
            rows = [
                [f"{s:.6g}", f"{d:.6g}", REGION_NAMES[diagram.region[i, j]]]
                for i, s in enumerate(diagram.s_in)
                for j, d in enumerate(diagram.D)
            ]
            tables.append(("operating_diagram", ["s_in", "D", "region"], rows))
        return tables

    def _csv(self, sections: dict[str, Any]) -> str:
        buffer = io.StringIO()
        tables = self._rows(sections)
        for name, header, rows in tables:
            writer = csv.writer(buffer, lineterminator="\n")
            if len(tables) > 1:
                buffer.write(f"# {name}\n")
            writer.writerow(header)
            writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")

    def _table(self, sections: dict[str, Any]) -> str:
        out = []
        for name, header, rows in self._rows(sections):
            widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
            out.append(f"== {name} ==")
            out.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
            out.extend(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
            )
        return "\n".join(out)


def _format_eigen(value: complex) -> str:
    shown = services.complex_as_json(value)
    if isinstance(shown, float):
        return f"{shown:.6g}"
    return f"{shown['re']:.6g}{shown['im']:+.6g}i"
