"""Check that the warehouse tells the truth about its sources' services (issue #13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.trajets.truth_checks import TruthReport, check_truth, store_truth_report, to_plain
from apps.trajets.truth_checks.report import NIGHT_AGREEMENT_MIN


class Command(BaseCommand):
    help = (
        "Calendar exactness against the raw GTFS files, duplicates, same-day twins, loops, "
        "fragments and night agreement; exit status 1 when a check fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            dest="sources",
            metavar="NAME",
            help="Check this source only (repeatable; default: every source).",
        )
        parser.add_argument(
            "--path",
            default="",
            help="Raw files of the one --source whose recorded location is not readable.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        parser.add_argument(
            "--limit", type=int, default=20, help="Items listed per check (default 20)."
        )
        parser.add_argument(
            "--no-store",
            action="store_true",
            help="Do not store the result for the quality page.",
        )

    def handle(self, *args: object, **options: Any) -> None:
        sources: list[str] = options["sources"]
        paths = {}
        if options["path"]:
            if len(sources) != 1:
                raise CommandError("--path applies to exactly one --source")
            paths[sources[0]] = Path(options["path"])
        try:
            report = check_truth(sources=sources, paths=paths)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if not options["no_store"]:
            store_truth_report(report)
        if options["json"]:
            self.stdout.write(json.dumps(to_plain(report), indent=2, ensure_ascii=False))
        else:
            self._print(report, max(options["limit"], 0))
        if report.failures:
            raise CommandError("truth checks failed: " + "; ".join(report.failures))

    def _print(self, report: TruthReport, limit: int) -> None:
        write = self.stdout.write
        write(
            f"Truth checks of {report.database} (data version {report.data_version}), "
            f"{report.seconds:.1f} s"
        )
        for truth in report.sources:
            write("")
            write(
                f"== {truth.source} ({truth.format}, {truth.dataset}): {truth.trajets} trajets, "
                f"{truth.counted} counted, {truth.linked_to_other_source} the same train as "
                f"another source's; {truth.provenance_records} source records, {truth.folded} "
                f"folded (last run says {truth.folded_reported})"
            )
            check = truth.calendar
            if check is not None and not check.readable:
                write(f"   calendars: not checked — {check.message}")
            elif check is not None:
                exactness = "n/a" if check.exactness is None else f"{check.exactness:.2f} %"
                write(
                    f"   calendars ({check.path}): {check.trips_read} trips, "
                    f"{check.records_expected} records; {check.trajets_equal}/"
                    f"{check.trajets_checked} trajets exact ({exactness}), "
                    f"{check.trajets_different} differ; records missing: "
                    f"{check.records_missing_explained} rejected "
                    f"{_counts(check.explained_by_reason)}, "
                    f"{check.records_missing_unexplained} unexplained"
                )
                for difference in check.differences[:limit]:
                    write(
                        f"     ≠ trajet #{difference.trajet_id} {difference.source_record_id}: "
                        f"only in source {difference.only_in_source_count} "
                        f"[{difference.only_in_source}], only in warehouse "
                        f"{difference.only_in_warehouse_count} [{difference.only_in_warehouse}]"
                        + (f"; {'; '.join(difference.notes)}" if difference.notes else "")
                    )
                write(
                    f"   timetables: {check.records_timetable_compared} records compared stop "
                    f"by stop with their trajet, {check.records_timetable_different} differ; "
                    f"{check.records_twins} same-day twins folded into another record's train"
                )
                if check.week is not None:
                    week = check.week
                    write(
                        f"   typical week from {week.week_start}: {week.warehouse_departures} "
                        f"departures in the warehouse, {week.raw_departures} in the raw files "
                        f"({week.raw_trip_days} trip-days, same-day twins counted once): "
                        + ("equal" if week.equal else "DIFFERENT")
                    )
                for item in check.twin_differences[:limit]:
                    write(f"     twin: trajet #{item.trajet_id} {item.record}: {item.difference}")
                for item in check.timetable_differences[:limit]:
                    write(f"     ≠ trajet #{item.trajet_id} {item.record}: {item.difference}")
                for item in check.change_night_differences[:limit]:
                    write(f"     note: trajet #{item.trajet_id} {item.record} {item.difference}")
                for missing in check.unexplained[:limit]:
                    write(f"     missing {missing.record}: {missing.explanation}")
                for record in check.unknown_records[:limit]:
                    write(f"     record {record!r} of the warehouse is no trip of the files")
                for oddity in check.raw_oddities[:limit]:
                    write(f"     raw: {oddity}")
            running = truth.running_on
            write(
                f"   running_on on {len(running.days)} days: "
                + ("; ".join(running.mismatches) if running.mismatches else "exact")
            )
            found = truth.fragments
            write(f"   fragments rejected: {found.rejected_fragments}")
            for fragment in found.fragments[:limit]:
                write(f"     {fragment.location}: {fragment.reason}")
            if found.checks_midnight_halves:
                write(
                    f"   halves of midnight-cut trains left apart: {found.unjoined_halves} "
                    f"({found.halves_with_partner} with a possible other half)"
                )
                for half in found.halves[:limit]:
                    partners = "; ".join(half.partners) or "no trajet continues or precedes it"
                    write(f"     {half.side} {half.trajet}: {partners}")
        duplicates = report.duplicates
        write("")
        write(
            f"Duplicates: {duplicates.duplicate_groups} groups ({duplicates.duplicate_trajets} "
            f"trajets); same-day twins: {duplicates.twin_groups} groups "
            f"({duplicates.twin_trajets} trajets); same timetable never on the same day "
            f"(not folded): {duplicates.unfolded_groups}"
        )
        for title, groups in (
            ("duplicate", duplicates.duplicates),
            ("twins", duplicates.twins),
            ("not folded", duplicates.unfolded),
        ):
            for group in groups[:limit]:
                write(
                    f"   {title} ({group.detail}; {group.common_days} common dates "
                    f"{group.common_dates}):"
                )
                for line in group.trajets:
                    write(f"     {line}")
        write(f"Loops: {report.loops.count}")
        for loop in report.loops.loops[:limit]:
            write(f"   {loop.trajet}: twice at {', '.join(loop.stations)}")
        self._print_night(report, limit)
        for warning in report.warnings:
            write(f"warning: {warning}")
        write("OK" if report.is_ok else f"FAILED: {len(report.failures)} check(s)")

    def _print_night(self, report: TruthReport, limit: int) -> None:
        write = self.stdout.write
        night = report.night
        if not night.reference_sources:
            write("Night agreement: no night-train reference source")
            return
        timetable = "n/a" if night.timetable_share is None else f"{night.timetable_share:.1f} %"
        final = "n/a" if night.final_share is None else f"{night.final_share:.1f} %"
        write(
            f"Night agreement ({', '.join(night.reference_sources)}): "
            f"{night.reference_trajets_linked}/{night.reference_trajets} reference trajets "
            f"linked in {night.groups} groups; {night.matched_trajets} matched trajets of "
            f"other sources, night in the end {night.final_night} ({final}, required "
            f"{NIGHT_AGREEMENT_MIN:.0f} %), night by their timetable alone "
            f"{night.timetable_night} ({timetable}); groups with a timetable night train "
            f"{night.groups_timetable_night}/{night.groups}"
        )
        for name, (matched, agreeing) in night.by_source.items():
            write(f"   {name}: {agreeing}/{matched} night by timetable")
        for item in night.disagreements[:limit]:
            write(
                f"   not night by timetable: {item.trajet} [{item.trajet.timetable_kind}: "
                f"{item.timetable_reason}] — reference {item.reference}"
            )
        for item in night.final_disagreements[:limit]:
            write(f"   NOT NIGHT although linked: {item.trajet} — reference {item.reference}")
        reasons = ", ".join(f"{reason} {n}" for reason, n in night.unlinked_by_reason.items())
        write(
            f"Reference trains matching another source's trajet by number and ends but not "
            f"linked: {night.unlinked_count} pairs ({reasons or 'none'})"
        )
        if night.date_blind_trajets:
            write(
                f"   trajets differing from a reference train by their dates only: "
                f"{night.date_blind_trajets}, night by their timetable alone "
                f"{night.date_blind_timetable_night} ({night.date_blind_share:.1f} %)"
            )
        for item in night.unlinked[:limit]:
            write(f"   {item.reference}\n     ~ {item.candidate}: {item.why}")


def _counts(counts: dict[str, int]) -> str:
    return "(" + ", ".join(f"{code} {n}" for code, n in counts.items()) + ")" if counts else ""
