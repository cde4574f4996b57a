"""Print the data-quality report: completeness per field and source, merges, rejects."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from apps.trajets.etl.quality import compute_quality_report


class Command(BaseCommand):
    help = "Completeness per field and source, duplicates merged, rejects by reason."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")

    def handle(self, *args: object, **options: object) -> None:
        report = compute_quality_report()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"services merged across sources: {report.services_merged_across_sources}; "
            f"stations shared by several sources: {report.stations_shared_by_sources}; "
            f"stations created unmatched: {report.stations_unmatched}"
        )
        for source in report.sources:
            self.stdout.write("")
            self.stdout.write(
                f"== {source.source} ({source.licence}) — last run {source.last_run_status} "
                f"{source.last_run_at[:19]}"
            )
            self.stdout.write(
                f"   read {source.rows_read}, inserted {source.rows_inserted}, updated "
                f"{source.rows_updated}, unchanged {source.rows_unchanged}, rejected "
                f"{source.rows_rejected}; {source.trajets} trajets ({source.night_trajets} "
                f"night), {source.stations} stations"
            )
            for label, rates in (
                ("trajet fields", source.trajet_completeness),
                ("station fields", source.station_completeness),
            ):
                if rates:
                    filled = ", ".join(f"{name} {rate:.1f}%" for name, rate in rates.items())
                    self.stdout.write(f"   {label}: {filled}")
            for group in source.rejects:
                self.stdout.write(
                    f"   rejected {group.count:>6} × {group.reason_code}: e.g. "
                    f"{group.example_location}: {group.example_reason}"
                )
