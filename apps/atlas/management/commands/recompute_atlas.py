"""Recompute every city pair of the atlas from the loaded data, when it has changed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from apps.atlas.refresh import refresh_atlas


class Command(BaseCommand):
    help = (
        "Recompute the rail-or-plane atlas (city pairs, rail times, flights) from the data; "
        "skipped when the latest computation started from the same imports, rules and day "
        "(--force recomputes anyway). Safe to run from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="recompute even if the atlas is up to date"
        )

    def handle(self, *args: object, **options: object) -> None:
        refresh = refresh_atlas(trigger="recompute_atlas command", force=bool(options["force"]))
        build = refresh.build
        days = ", ".join(build.reference_days) or "none"
        if not refresh.recomputed:
            self.stdout.write(
                f"atlas: up to date ({build.pairs} city pairs computed "
                f"{build.started_at:%Y-%m-%d %H:%M} from the same data); --force to recompute"
            )
            return
        self.stdout.write(
            f"atlas: {build.pairs} city pairs in {build.duration_s:.1f} s (reference days: {days})"
        )
