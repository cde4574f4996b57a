"""Store each source's running dates and typical week (warehouses loaded before they were)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.trajets.calendars import refresh_source_calendar
from apps.trajets.models import DataSource
from apps.trajets.rebuild import rebuild_after_internal_change
from obrail import derived

#: The internal source whose runs record the calendars this command changed.
CALENDARS_SOURCE = "source-calendars"


class Command(BaseCommand):
    help = (
        "Recompute the first and last running date and the typical week of every source "
        "(or of the named ones) from its trains; each load does it for the source it loads. "
        "When one changed, the derived data is rebuilt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help="Source names (default: every source).")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = DataSource.objects.order_by("name")
        if options["sources"]:
            sources = sources.filter(name__in=options["sources"])
            unknown = set(options["sources"]) - set(sources.values_list("name", flat=True))
            if unknown:
                raise CommandError(f"unknown source(s): {', '.join(sorted(unknown))}")
        changed = []
        with derived.bulk_change():
            for source in sources:
                before = (source.runs_from, source.runs_until, source.reference_week)
                with transaction.atomic():
                    refresh_source_calendar(source)
                if (source.runs_from, source.runs_until, source.reference_week) != before:
                    changed.append(source.name)
                span = (
                    f"{source.runs_from} → {source.runs_until}, "
                    f"typical week {source.reference_week}"
                    if source.runs_from
                    else "no running dates"
                )
                self.stdout.write(f"{source.name}: {span}")
        if changed:
            _run, outcomes = rebuild_after_internal_change(
                CALENDARS_SOURCE,
                title="Recalcul des calendriers des sources",
                location="manage.py refresh_source_calendars",
                rows_updated=len(changed),
                message=f"calendars changed: {', '.join(changed)}",
            )
            self.stdout.write(f"derived data: {derived.summary(outcomes)}")
