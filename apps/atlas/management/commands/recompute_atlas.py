"""Recompute every city pair of the atlas from the loaded data."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from apps.atlas.services import recompute_atlas


class Command(BaseCommand):
    help = "Recompute the rail-or-plane atlas (city pairs, rail times, flights) from the data."

    def handle(self, *args: object, **options: object) -> None:
        build = recompute_atlas(trigger="recompute_atlas command")
        days = ", ".join(build.reference_days) or "none"
        self.stdout.write(
            f"atlas: {build.pairs} city pairs in {build.duration_s:.1f} s (reference days: {days})"
        )
