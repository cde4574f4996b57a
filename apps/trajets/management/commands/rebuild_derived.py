"""Bring the derived data up to date with the warehouse (cron-friendly; a no-op when current)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from obrail import derived


class Command(BaseCommand):
    help = (
        "Rebuild every derived artefact (volume summary, indicator caches, routing artefact, "
        "atlas, model staleness) that is older than the data, in dependency order; artefacts "
        "already current are left alone (--force rebuilds them). Exits 1 if one failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="NAME",
            help="Rebuild only this artefact (repeatable; see --list).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Rebuild even the artefacts that are current."
        )
        parser.add_argument(
            "--list", action="store_true", help="List the artefacts in order and exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for artefact in derived.registered():
                after = f" (after {', '.join(artefact.after)})" if artefact.after else ""
                weight = " [heavy]" if artefact.is_heavy else ""
                self.stdout.write(f"{artefact.name}{after}{weight}: {artefact.description}")
            return
        try:
            outcomes = derived.rebuild_after_change(
                "rebuild_derived command",
                force=options["force"],
                only=options["only"] or None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.name}: {outcome.status} in {outcome.duration_s:.1f} s — {outcome.detail}"
            )
        failed = [o.name for o in outcomes if o.status in ("failed", "blocked")]
        if failed:
            raise CommandError(f"derived data not rebuilt: {', '.join(failed)} (see the log)")
