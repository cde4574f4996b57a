"""Repair station identity, countries, zones and operators of the warehouse (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.trajets.repair import repair_identity
from obrail import derived


class Command(BaseCommand):
    help = (
        "Regroup every source's station records into stations (moving stops to the right "
        "station), take each station's country, time zone and town from its coordinates, "
        "re-derive the trajets concerned and merge operators per the registry. Needs no "
        "reload; safe to run again. With --dry-run, report what would change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        repair = repair_identity(dry_run=options["dry_run"])
        prefix = "dry run, nothing written — " if repair.dry_run else ""
        self.stdout.write(f"{prefix}{repair.operators.summary()}")
        self.stdout.write(f"{prefix}stations: {repair.stations.summary()}")
        if not repair.dry_run and not repair.has_changes:
            self.stdout.write("the warehouse was already consistent: nothing changed")
        if repair.derived:
            self.stdout.write(f"derived data: {derived.summary(repair.derived)}")
