"""Print the data-quality report: completeness per field and source, merges, rejects, and the
service-truth checks (run again and stored for the quality page unless ``--no-truth``)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from apps.trajets.etl.quality import compute_quality_report
from apps.trajets.truth_checks import check_truth, store_truth_report
from apps.trajets.truth_checks.report import summary_lines


class Command(BaseCommand):
    help = (
        "Completeness per field and source, duplicates merged, rejects by reason, and the "
        "service-truth checks (see check_truth)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        parser.add_argument(
            "--no-truth",
            action="store_true",
            help="Do not run the service-truth checks; show the stored ones.",
        )

    def handle(self, *args: object, **options: object) -> None:
        truth = None
        if not options["no_truth"]:
            truth = check_truth()
            store_truth_report(truth)
        report = compute_quality_report()
        if options["json"]:
            text = json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str)
            self.stdout.write(text)
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
                f"{source.rows_updated}, unchanged {source.rows_unchanged}, folded "
                f"{source.rows_folded}, rejected {source.rows_rejected}; {source.trajets} "
                f"trajets ({source.night_trajets} night), {source.stations} stations"
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
        self.stdout.write("")
        if truth is not None:
            self.stdout.write("Service truth (details: manage.py check_truth):")
            for line in summary_lines(truth):
                self.stdout.write(f"   {line}")
            return
        stored = report.service_truth
        if stored is None:
            self.stdout.write("Service truth: never checked (run manage.py check_truth).")
        else:
            state = "current" if stored["is_current"] else "STALE: the data changed since"
            self.stdout.write(
                f"Service truth checked {stored['generated_at']} ({state}): "
                + ("OK" if not stored["failures"] else "; ".join(stored["failures"]))
            )
