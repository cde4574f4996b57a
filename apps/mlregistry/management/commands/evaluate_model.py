"""Print the leave-one-out error of a model version."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.mlregistry.artefacts import ArtefactError
from apps.mlregistry.services import evaluate_version


class Command(BaseCommand):
    help = (
        "Recompute and print the leave-one-out error of NAME [VERSION] (default: the version "
        "in production, else the latest), observation by observation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("version", nargs="?", type=int)

    def handle(self, *args: object, **options: object) -> None:
        try:
            found = evaluate_version(str(options["name"]), options["version"])
        except (LookupError, ArtefactError) as error:
            raise CommandError(str(error)) from error
        version, loo = found.version, found.loo
        self.stdout.write(f"{version.model.name} v{version.number} ({version.status})")
        self.stdout.write(
            f"{'observation':32} {'rail min':>8} {'observed %':>10} {'LOO %':>7} {'error pp':>8}"
        )
        for obs, predicted, error in zip(
            found.observations, loo.predicted, loo.errors_pp, strict=True
        ):
            self.stdout.write(
                f"{obs['id']:32} {obs['rail_time_min']:8.0f} {obs['rail_share_pct']:10.1f} "
                f"{predicted * 100:7.1f} {error:+8.1f}"
            )
        self.stdout.write(
            f"leave-one-out error over {len(found.observations)} observations: "
            f"MAE {loo.mae_pp:.2f} pp, RMSE {loo.rmse_pp:.2f} pp, max {loo.max_abs_pp:.2f} pp"
        )
