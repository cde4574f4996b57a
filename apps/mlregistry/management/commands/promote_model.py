"""Put a model version in production, or roll back to the previous one (audited)."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.mlregistry.services import promote, rollback
from obrail.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "promote_model NAME VERSION --reason WHY puts VERSION in production; "
        "promote_model NAME --rollback --reason WHY puts back the previous one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("version", nargs="?", type=int)
        parser.add_argument("--rollback", action="store_true")
        parser.add_argument("--reason", required=True, help="why (audit log)")

    def handle(self, *args: object, **options: object) -> None:
        actor = f"{getpass.getuser()} (manage.py)"
        name = str(options["name"])
        if options["rollback"] == (options["version"] is not None):
            raise CommandError("give either VERSION or --rollback")
        try:
            if options["rollback"]:
                version = rollback(name, actor=actor, reason=str(options["reason"]))
            else:
                version = promote(
                    name, int(options["version"]), actor=actor, reason=str(options["reason"])
                )
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{name}: v{version.number} in production")
