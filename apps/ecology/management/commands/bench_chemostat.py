"""Print the chemostat benchmark (thin wrapper around ``apps.ecology.chemostat.bench``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.ecology.chemostat import bench


class Command(BaseCommand):
    """Time a 2-species 1000 h simulation and a 200×200 operating diagram against baselines."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeats", type=int, default=7)
        parser.add_argument("--grid", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        figures = bench.run_benchmarks(repeats=options["repeats"], grid=options["grid"])
        self.stdout.write(bench.format_figures(figures))
