"""Benchmark the ETL on a GTFS feed against a plain PostgreSQL COPY of its stop_times."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.trajets.etl.bench import TARGET_RATIO, TARGET_ROWS_PER_S, benchmark_gtfs
from apps.trajets.etl.errors import EtlError


class Command(BaseCommand):
    help = "Load a GTFS feed (zip or folder) through the ETL and compare with a raw COPY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="GTFS feed: a zip file or a folder.")
        parser.add_argument("--repeat", type=int, default=1, help="Runs to make (best kept).")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["path"]))
        repeat = int(options["repeat"])  # type: ignore[arg-type]
        if repeat < 1:
            raise CommandError("--repeat must be at least 1")
        try:
            results = [benchmark_gtfs(path) for _ in range(repeat)]
        except EtlError as exc:
            raise CommandError(str(exc)) from exc
        best = min(results, key=lambda r: r.pipeline_s)
        copy = min(results, key=lambda r: r.copy_s)
        ratio = best.pipeline_s / copy.copy_s
        self.stdout.write(f"feed                     {path}")
        self.stdout.write(f"stop_times rows loaded   {best.stop_times_rows:,}")
        self.stdout.write(f"pipeline total time      {best.pipeline_s:.2f} s")
        self.stdout.write(
            f"pipeline CPU (Python)    {best.pipeline_cpu_s:.2f} s "
            "(both threads of this process; PostgreSQL works alongside on the other core)"
        )
        self.stdout.write(
            f"pipeline stop_times rate {best.pipeline_rows_per_s:,.0f} rows/s "
            f"(target ≥ {TARGET_ROWS_PER_S:,})"
        )
        self.stdout.write(f"plain COPY rows          {copy.copy_rows:,}")
        self.stdout.write(f"plain COPY time          {copy.copy_s:.2f} s")
        self.stdout.write(f"plain COPY rate          {copy.copy_rows_per_s:,.0f} rows/s")
        self.stdout.write(f"ratio pipeline / COPY    {ratio:.1f}× (target ≤ {TARGET_RATIO:.0f}×)")
