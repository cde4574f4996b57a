"""Build the routing artefact (graph + timetables) from the database and publish it."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.routing.pathfinding import PathfindingError
from apps.routing.services import SERVICE_DAYS, artifact_root, build_routing_artifact


class Command(BaseCommand):
    """Build and atomically publish a new routing artefact version."""

    help = "Build the routing artefact from the harmonised data and switch to it atomically."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run-id", help="ETL run id recorded in the manifest")
        parser.add_argument(
            "--start", help="first service day, YYYY-MM-DD (default: today or first validity)"
        )
        parser.add_argument("--days", type=int, default=SERVICE_DAYS, help="service days to build")

    def handle(self, *args: object, **options: object) -> None:
        days = None
        if options["start"]:
            try:
                start = dt.date.fromisoformat(options["start"])
            except ValueError:
                raise CommandError(
                    f"--start={options['start']!r} is not a YYYY-MM-DD date"
                ) from None
            if options["days"] < 1:
                raise CommandError(f"--days={options['days']} must be >= 1")
            days = [start + dt.timedelta(days=offset) for offset in range(options["days"])]
        try:
            version = build_routing_artifact(run_id=options["run_id"], days=days)
        except (PathfindingError, OSError) as error:
            raise CommandError(f"could not build the routing artefact: {error}") from error
        self.stdout.write(f"routing artefact {version} published in {artifact_root()}")
