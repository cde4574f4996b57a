"""Check or repair the stops summary stored on each trajet (cron-friendly)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.trajets.stop_summaries import refresh_stop_summaries


class Command(BaseCommand):
    help = (
        "Recompute every trajet's stop count and intermediate station names from its stops "
        "and write those that differ (after hand-written SQL on stops or station names). "
        "With --check, only count them and fail when any is out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="write nothing; exit 1 if any is out of date"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        outdated = refresh_stop_summaries(dry_run=options["check"])
        seconds = time.perf_counter() - started
        if options["check"]:
            if outdated:
                raise CommandError(
                    f"{outdated} trajet(s) have an out-of-date stops summary: run "
                    "manage.py refresh_stop_summaries"
                )
            self.stdout.write(f"every stops summary is up to date ({seconds:.1f} s)")
            return
        self.stdout.write(f"{outdated} stops summary(ies) refreshed ({seconds:.1f} s)")
