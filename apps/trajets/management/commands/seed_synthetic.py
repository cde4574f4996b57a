"""Load a realistic synthetic European timetable into PostgreSQL, for benchmarks."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.trajets.synthetic import SyntheticDataError, seed_synthetic
from obrail import derived

DEFAULT_STATIONS_CSV = (
    settings.BASE_DIR / "data" / "samples" / "stations" / "trainline_stations_2016-11-30.csv"
)


class Command(BaseCommand):
    help = (
        "Generate N synthetic trajets (about 20 stops each, calendars, countries, provenance) "
        "on real station coordinates and operators, loaded with COPY in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trajets", type=int, required=True, help="number of services")
        parser.add_argument(
            "--stations", type=int, default=50_000, help="total stations (default 50000)"
        )
        parser.add_argument(
            "--stations-csv",
            type=Path,
            default=DEFAULT_STATIONS_CSV,
            help="reference stations CSV (name, latitude, longitude, country[, uic])",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--replace", action="store_true", help="delete a previous synthetic dataset first"
        )
        parser.add_argument(
            "--chunk-size", type=int, default=10_000, help="trajets per COPY batch (default 10000)"
        )

    def handle(self, *args: object, **options: object) -> None:
        csv_path = options["stations_csv"]
        if csv_path == DEFAULT_STATIONS_CSV and not csv_path.exists():
            csv_path = None  # fall back on the embedded city list
        if options["chunk_size"] < 1:
            raise CommandError(f"--chunk-size must be at least 1, got {options['chunk_size']}")

        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {done}/{total} trajets")

        try:
            report = seed_synthetic(
                trajets=options["trajets"],
                stations=options["stations"],
                stations_csv=csv_path,
                seed=options["seed"],
                replace=options["replace"],
                chunk_size=options["chunk_size"],
                progress=progress,
            )
        except SyntheticDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.trajets} trajets, {report.stops} stops, "
                f"{report.calendar_exceptions} calendar exceptions, "
                f"{report.stations_created} new stations in {report.seconds:.1f} s "
                f"(import run {report.run_id})."
            )
        )
        self.stdout.write(f"derived data: {derived.summary(report.derived)}")
