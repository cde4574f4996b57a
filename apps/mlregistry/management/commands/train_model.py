"""Train a model of the registry into a new candidate version."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.mlregistry.families import TrainingDataError
from apps.mlregistry.modal_share import FitError, ParameterError
from apps.mlregistry.services import DEFAULT_SEED, train_model


class Command(BaseCommand):
    help = (
        "Train NAME (e.g. modal-share) into a candidate version: the same data and seed give "
        "the same artefact (an identical one already stored is reported, not duplicated)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="model name, e.g. modal-share")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="bootstrap seed")
        parser.add_argument("--reason", default="entraînement", help="why (audit log)")
        parser.add_argument(
            "--promote", action="store_true", help="also put it in production if none is"
        )

    def handle(self, *args: object, **options: object) -> None:
        actor = f"{getpass.getuser()} (manage.py)"
        try:
            version = train_model(
                str(options["name"]), seed=int(options["seed"]), actor=actor,
                reason=str(options["reason"]),
            )  # fmt: skip
        except (LookupError, TrainingDataError, FitError, ParameterError) as error:
            raise CommandError(str(error)) from error
        metrics = version.metrics
        self.stdout.write(
            f"{version.model.name} v{version.number} ({version.status}) sha256 {version.sha256}\n"
            f"  {metrics['observations']} observations; leave-one-out error "
            f"{metrics['loo_mae_pp']:.2f} pp mean absolute, {metrics['loo_rmse_pp']:.2f} pp RMS"
        )
        has_production = version.model.versions.filter(status="production").exists()
        if options["promote"] and not has_production:
            from apps.mlregistry.services import promote

            promote(
                version.model.name,
                version.number,
                actor=actor,
                reason="première mise en production",
            )
            self.stdout.write(f"  v{version.number} put in production (none was)")
