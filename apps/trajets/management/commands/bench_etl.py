"""Benchmark the ETL on a GTFS feed against a plain PostgreSQL COPY of its stop_times."""

from __future__ import annotations

import os
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
        load_before = os.getloadavg()[0]
        try:
            results = [benchmark_gtfs(path) for _ in range(repeat)]
        except EtlError as exc:
            raise CommandError(str(exc)) from exc
        load_after = os.getloadavg()[0]
        best = min(results, key=lambda r: r.pipeline_s)
        copy = min(results, key=lambda r: r.copy_s)
        temp_copy_s = min(r.temp_copy_s for r in results)
        ratio = best.pipeline_s / copy.copy_s
        writes = ", ".join(
            f"{table.removeprefix('trajets_')} {seconds:.2f}"
            for table, seconds in sorted(best.write_s.items(), key=lambda item: -item[1])
        )
        self.stdout.write(f"feed                     {path}")
        self.stdout.write(
            f"load average (1 min)     {load_before:.2f} before, {load_after:.2f} after "
            "(figures from a busy machine are not comparable)"
        )
        self.stdout.write(f"stop_times rows loaded   {best.stop_times_rows:,}")
        self.stdout.write(
            f"pipeline total time      {best.pipeline_s:.2f} s (best of {repeat}; includes "
            f"{best.constraint_check_s:.2f} s of deferred constraint checks left for the commit)"
        )
        self.stdout.write(
            f"pipeline CPU (Python)    {best.pipeline_cpu_s:.2f} s "
            "(both threads of this process; PostgreSQL works alongside on the other core)"
        )
        self.stdout.write(
            f"database writes          {sum(best.write_s.values()):.2f} s in the writer thread, "
            f"overlapped with reading ({writes})"
        )
        self.stdout.write(
            f"pipeline stop_times rate {best.pipeline_rows_per_s:,.0f} rows/s "
            f"(target ≥ {TARGET_ROWS_PER_S:,})"
        )
        self.stdout.write(f"plain COPY rows          {copy.copy_rows:,}")
        self.stdout.write(
            f"plain COPY time          {copy.copy_s:.2f} s "
            "(bare logged table: text columns, no index or constraint)"
        )
        self.stdout.write(f"plain COPY rate          {copy.copy_rows_per_s:,.0f} rows/s")
        self.stdout.write(
            f"plain COPY, temp table   {temp_copy_s:.2f} s "
            "(not WAL-logged, for information; not the baseline)"
        )
        self.stdout.write(
            f"ratio pipeline / COPY    {ratio:.1f}× (target ≤ {TARGET_RATIO:.0f}×; "
            f"{best.pipeline_s / temp_copy_s:.1f}× the temp-table COPY)"
        )
