"""Build the routing artefact (graph + schedule) from the database and publish it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.routing.pathfinding import PathfindingError
from apps.routing.services import artifact_root, build_routing_artifact


class Command(BaseCommand):
    """Build and atomically publish a new routing artefact version."""

    help = (
        "Build the routing artefact from the harmonised data (graph, trip patterns, calendars "
        "and covered periods: every covered date can then be answered) and switch to it "
        "atomically."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run-id", help="ETL run id recorded in the manifest")

    def handle(self, *args: object, **options: object) -> None:
        try:
            version = build_routing_artifact(run_id=options["run_id"])
        except (PathfindingError, OSError) as error:
            raise CommandError(f"could not build the routing artefact: {error}") from error
        self.stdout.write(f"routing artefact {version} published in {artifact_root()}")
