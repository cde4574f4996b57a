"""Load the OpenFlights airports and Eurostat air passengers, then rebuild the derived data."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.atlas.loading import air_source_paths, load_air_data
from apps.trajets.loading import EtlError
from obrail import derived


class Command(BaseCommand):
    help = (
        "Load airports (OpenFlights airports.dat) and air passengers per airport pair "
        "(Eurostat avia_par_fr), then rebuild the derived data (the city pairs). --set "
        "samples (bundled slices, default) or full (ETL_FULL_DATA_DIR); --airports/--traffic "
        "give files by path."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="dataset", choices=["samples", "full"], default="samples")
        parser.add_argument("--airports", type=Path, help="airports.dat to load instead")
        parser.add_argument("--traffic", type=Path, help="avia_par_fr CSV to load instead")
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="load only: the next etl or rebuild_derived rebuilds the derived data",
        )
        parser.add_argument(
            "--force", action="store_true", help="reload files unchanged since their last load"
        )

    def handle(self, *args: object, **options: object) -> None:
        paths = air_source_paths(str(options["dataset"]))
        airports = options["airports"] or paths["openflights-airports"]
        traffic = options["traffic"] or paths["eurostat-avia-par-fr"]
        try:
            load = load_air_data(
                airports=airports,
                traffic=traffic,
                dataset=str(options["dataset"]),
                force=bool(options["force"]),
                rebuild=not options["no_recompute"],
            )
        except (FileNotFoundError, ValueError, EtlError) as error:
            raise CommandError(str(error)) from error
        for run in (load.airports, load.traffic):
            if run.status == run.Status.SKIPPED:
                self.stdout.write(f"{run.source.name}: skipped, {run.message} (run {run.pk})")
                continue
            self.stdout.write(
                f"{run.source.name}: {run.rows_read} read, {run.rows_inserted} loaded, "
                f"{run.rows_rejected} rejected (run {run.pk})"
            )
        if load.derived:
            self.stdout.write(f"derived data: {derived.summary(load.derived)}")
