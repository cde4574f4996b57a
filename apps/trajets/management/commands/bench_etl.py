"""Benchmark the ETL on a GTFS feed against the database floor for the rows it writes."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.trajets.etl.bench import TARGET_RATIO, TARGET_ROWS_PER_S, benchmark_gtfs
from apps.trajets.etl.errors import EtlError
from apps.trajets.etl.sources import load_sources


class Command(BaseCommand):
    help = (
        "Load a GTFS feed (zip or folder) through the ETL and compare with the database's "
        "floor: COPY of the same rows into the same indexed tables, foreign keys checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="GTFS feed: a zip file or a folder.")
        parser.add_argument("--repeat", type=int, default=1, help="Runs to make (best kept).")
        parser.add_argument(
            "--source",
            default="",
            help="Read the feed with the options of this declared source (e.g. sncf-ter).",
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["path"]))
        repeat = int(options["repeat"])  # type: ignore[arg-type]
        if repeat < 1:
            raise CommandError("--repeat must be at least 1")
        load_before = os.getloadavg()[0]
        try:
            source_options = _declared_options(str(options["source"]))
            results = [benchmark_gtfs(path, source_options) for _ in range(repeat)]
        except EtlError as exc:
            raise CommandError(str(exc)) from exc
        load_after = os.getloadavg()[0]
        best = min(results, key=lambda r: r.pipeline_s)
        floor = min(results, key=lambda r: r.floor_total_s)
        ratio = best.pipeline_s / floor.floor_total_s
        write = self.stdout.write
        write(f"feed                      {path}")
        write(
            f"load average (1 min)      {load_before:.2f} before, {load_after:.2f} after "
            "(figures from a busy machine are not comparable)"
        )
        write(f"source stop_times rows    {best.source_stop_times:,}")
        write(f"stops stored              {best.stored_stops:,} (one trajet per train)")
        write(
            f"pipeline total time       {best.pipeline_s:.2f} s (best of {repeat}; includes "
            f"{best.constraint_check_s:.2f} s of deferred constraint checks left for the commit)"
        )
        for phase, seconds in sorted(best.phases_s.items(), key=lambda item: -item[1]):
            write(f"  {phase:<40}{seconds:6.2f} s")
        write(
            f"pipeline CPU (Python)     {best.pipeline_cpu_s:.2f} s "
            "(both threads of this process; PostgreSQL works alongside on the other core)"
        )
        writes = ", ".join(
            f"{table.removeprefix('trajets_')} {seconds:.2f}"
            for table, seconds in sorted(best.write_s.items(), key=lambda item: -item[1])
        )
        write(f"database writes           {sum(best.write_s.values()):.2f} s ({writes})")
        write(
            f"pipeline rate             {best.pipeline_rows_per_s:,.0f} source stop_times/s "
            f"(target ≥ {TARGET_ROWS_PER_S:,})"
        )
        write(
            f"database floor            {floor.floor_total_s:.2f} s: COPY of the same "
            f"{sum(floor.floor_rows.values()):,} rows into copies of the same tables, same "
            "indexes, checks and foreign keys (to the same parent tables, checked) (best of runs)"
        )
        for table, seconds in sorted(floor.floor_s.items(), key=lambda item: -item[1]):
            write(
                f"  {table.removeprefix('trajets_'):<40}{seconds:6.2f} s "
                f"{floor.floor_rows[table]:>9,} rows"
            )
        write(f"ratio pipeline / floor    {ratio:.1f}× (target ≤ {TARGET_RATIO:.0f}×)")


def _declared_options(name: str) -> dict[str, object]:
    """The format options of the declared source ``name`` (none when no name is given)."""
    if not name:
        return {}
    specs = load_sources(Path(settings.ETL_SOURCES_FILE), dataset="full")
    specs += load_sources(Path(settings.ETL_SOURCES_FILE), dataset="samples")
    for spec in specs:
        if spec.name == name:
            return dict(spec.options)
    raise CommandError(f"--source {name!r} is not declared in {settings.ETL_SOURCES_FILE}")
