"""Every truth check at once, its verdict, and the stored result the quality page reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from apps.trajets.models import (
    CalendarException,
    DataSource,
    ImportRun,
    SourceFormat,
    Trajet,
    TrajetProvenance,
)
from obrail.caching import data_version

from .calendars import CalendarCheck, check_calendars
from .duplicates import DuplicateCheck, LoopCheck, find_duplicates, find_loops
from .fragments import FragmentCheck, fragments
from .night import NightAgreement, night_agreement
from .stored import stored_calendars

__all__ = [
    "NIGHT_AGREEMENT_MIN",
    "RunningOnCheck",
    "SourceTruth",
    "TruthReport",
    "check_truth",
    "load_truth_report",
    "store_truth_report",
    "summary_lines",
    "to_plain",
    "truth_report_path",
]

logger = logging.getLogger(__name__)

# Share of matched trains (in %) the timetables alone must call night (issue #13).
NIGHT_AGREEMENT_MIN = 97.0
# Days with the most calendar exceptions checked with ``running_on``, besides the typical week.
EXCEPTION_DAYS = 3


@dataclass(frozen=True)
class RunningOnCheck:
    """``Trajet.objects.running_on(day)`` against the stored calendars expanded here."""

    days: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceTruth:
    """Truth figures of one source."""

    source: str
    format: str
    dataset: str
    location: str
    trajets: int
    counted: int
    linked_to_other_source: int
    provenance_records: int
    folded: int
    folded_reported: int | None
    running_on: RunningOnCheck
    fragments: FragmentCheck
    calendar: CalendarCheck | None = None


@dataclass(frozen=True)
class TruthReport:
    """Every check, with the failures that make the verdict."""

    generated_at: str
    database: str
    data_version: int
    seconds: float
    sources: list[SourceTruth]
    duplicates: DuplicateCheck
    loops: LoopCheck
    night: NightAgreement
    failures: list[str]
    warnings: list[str]

    @property
    def is_ok(self) -> bool:
        """No failure."""
        return not self.failures


def to_plain(value: Any) -> Any:
    """JSON-ready data of a check: dataclass fields and properties, dates as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        plain = {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name, member in vars(type(value)).items():
            if isinstance(member, property):
                plain[name] = to_plain(getattr(value, name))
        return plain
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _running_on(source: DataSource, days_of: dict[int, frozenset[int]]) -> RunningOnCheck:
    """Compare the queryset's answer with the expanded calendars on a typical week and on the
    days with the most exceptions (holidays)."""
    start = source.reference_week or source.runs_from
    if start is None and days_of:
        start = dt.date.fromordinal(min(min(d) for d in days_of.values() if d))
    if start is None:
        return RunningOnCheck()
    days = [start + dt.timedelta(days=n) for n in range(7)]
    busy = (
        CalendarException.objects.filter(trajet__source=source)
        .values("date")
        .annotate(count=Count("id"))
        .order_by("-count", "date")[:EXCEPTION_DAYS]
    )
    days += [row["date"] for row in busy if row["date"] not in days]
    mismatches = []
    for day in days:
        queried = Trajet.objects.filter(source=source).running_on(day).count()
        expanded = sum(1 for dates in days_of.values() if day.toordinal() in dates)
        if queried != expanded:
            mismatches.append(
                f"{day}: running_on finds {queried} trajets, their calendars say {expanded}"
            )
    return RunningOnCheck([day.isoformat() for day in days], mismatches)


def _source_truth(source: DataSource, path: Path | None) -> SourceTruth:
    trajets = Trajet.objects.filter(source=source)
    count = trajets.count()
    records = TrajetProvenance.objects.filter(source=source, trajet__source=source).count()
    run = (
        ImportRun.objects.filter(source=source, status=ImportRun.Status.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )
    stored = stored_calendars(source=source)
    calendar = None
    if source.format == SourceFormat.GTFS:
        started = time.perf_counter()
        calendar = check_calendars(source, path, stored=stored)
        logger.info(
            "calendar check source=%s trajets=%s seconds=%.1f",
            source.name,
            calendar.trajets_checked,
            time.perf_counter() - started,
        )
    return SourceTruth(
        source=source.name,
        format=source.format,
        dataset=source.dataset,
        location=str(path or source.location),
        trajets=count,
        counted=trajets.counted().count(),
        linked_to_other_source=trajets.filter(same_train_as__isnull=False).count(),
        provenance_records=records,
        folded=records - count,
        folded_reported=run.rows_folded if run else None,
        running_on=_running_on(source, {pk: c.days for pk, c in stored.items()}),
        fragments=fragments(source),
        calendar=calendar,
    )


def _verdict(
    sources: Sequence[SourceTruth],
    duplicates: DuplicateCheck,
    loops: LoopCheck,
    night: NightAgreement,
    required: set[str],
) -> tuple[list[str], list[str]]:
    failures: list[str] = []
    warnings: list[str] = []
    for truth in sources:
        check = truth.calendar
        if check is not None and not check.readable:
            (failures if truth.source in required else warnings).append(
                f"{truth.source}: calendars not checked, {check.message}"
            )
        elif check is not None:
            if check.trajets_different:
                failures.append(
                    f"{truth.source}: calendar exactness {check.exactness or 0:.2f} % "
                    f"({check.trajets_different} of {check.trajets_checked} trajets differ)"
                )
            if check.records_timetable_different:
                failures.append(
                    f"{truth.source}: {check.records_timetable_different} source records folded "
                    "into a trajet whose stops or times are not theirs"
                )
            if check.week is not None and not check.week.equal:
                failures.append(
                    f"{truth.source}: {check.week.warehouse_departures} departures in the "
                    f"typical week from {check.week.week_start} in the warehouse, "
                    f"{check.week.raw_departures} in the raw files"
                )
            if check.records_missing_unexplained:
                failures.append(
                    f"{truth.source}: {check.records_missing_unexplained} source records "
                    "missing from the warehouse without a reject"
                )
        if truth.running_on.mismatches:
            failures.append(
                f"{truth.source}: running_on disagrees with the stored calendars on "
                f"{len(truth.running_on.mismatches)} day(s)"
            )
        if truth.fragments.halves_missed:
            warnings.append(
                f"{truth.source}: {truth.fragments.halves_missed} pairs of an evening and a "
                "morning trajet meet at a station within an hour on following days with "
                "nothing else to tell them apart, yet were not rejoined (same route not "
                "checked: see the listing)"
            )
        if truth.folded_reported is not None and truth.folded_reported != truth.folded:
            warnings.append(
                f"{truth.source}: the last run reports {truth.folded_reported} folded records, "
                f"the provenance shows {truth.folded}"
            )
    if duplicates.duplicate_groups:
        failures.append(
            f"{duplicates.duplicate_groups} groups of duplicate trajets "
            f"({duplicates.duplicate_trajets} trajets)"
        )
    if loops.count:
        failures.append(f"{loops.count} trajets call twice at a station")
    share = night.timetable_share
    if night.reference_sources and share is None:
        reasons = ", ".join(f"{n} {reason}" for reason, n in night.unlinked_by_reason.items())
        warnings.append(
            "night agreement not measurable: no trajet of another source is linked to the "
            f"night-train database ({night.unlinked_count} pairs agree on number and ends but "
            f"differ: {reasons or 'none'})"
        )
    # The agreement required is the warehouse's: the kind a user reads. The timetable alone
    # cannot know that a regional train carries a night train's couchette coaches (CFR R-E
    # 4007) or that a train labelled IR has sleepers: those disagreements are listed.
    final = night.final_share
    if final is not None and final < NIGHT_AGREEMENT_MIN:
        failures.append(
            f"night agreement {final:.1f} % of {night.matched_trajets} matched trajets "
            f"(at least {NIGHT_AGREEMENT_MIN:.0f} % required)"
        )
    if share is not None and share < NIGHT_AGREEMENT_MIN:
        warnings.append(
            f"by their timetable alone, {share:.1f} % of the {night.matched_trajets} trajets "
            "matched to the night-train database are night trains (listed: what the source "
            "does not say)"
        )
    if night.unlinked_by_reason.get("missed"):
        failures.append(
            f"{night.unlinked_by_reason['missed']} reference trains match another source's "
            "trajet on stations, times and a date without being linked"
        )
    if night.final_disagreements:
        failures.append(
            f"{len(night.final_disagreements)} trajets linked to the night-train database "
            "are not night trains"
        )
    return failures, warnings


def check_truth(
    *, sources: Sequence[str] = (), paths: Mapping[str, Path] | None = None
) -> TruthReport:
    """Run every truth check; ``sources`` limits the per-source checks (all by default) and
    ``paths`` gives the raw files of sources whose recorded location is not readable."""
    started = time.perf_counter()
    paths = dict(paths or {})
    chosen = DataSource.objects.order_by("name")
    if sources:
        chosen = chosen.filter(name__in=sources)
        unknown = set(sources) - set(chosen.values_list("name", flat=True))
        if unknown:
            raise LookupError(f"unknown source(s): {', '.join(sorted(unknown))}")
    selected = [
        source
        for source in chosen
        if sources or source.format == SourceFormat.GTFS or source.trajets.exists()
    ]
    truths = [_source_truth(source, paths.get(source.name)) for source in selected]
    duplicates, loops, night = find_duplicates(), find_loops(), night_agreement()
    failures, warnings = _verdict(truths, duplicates, loops, night, set(sources) | set(paths))
    return TruthReport(
        generated_at=timezone.now().isoformat(timespec="seconds"),
        database=_database(),
        data_version=data_version(),
        seconds=round(time.perf_counter() - started, 1),
        sources=truths,
        duplicates=duplicates,
        loops=loops,
        night=night,
        failures=failures,
        warnings=warnings,
    )


def _database() -> str:
    return Path(str(connection.settings_dict.get("NAME") or "default")).name


def truth_report_path() -> Path:
    """Where the report of this database is stored (shared by the web and ETL processes)."""
    return Path(settings.VAR_DIR) / "truth" / f"{_database()}.json"


def store_truth_report(report: TruthReport) -> Path:
    """Write the report atomically (a page never reads half a file)."""
    path = truth_report_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(to_plain(report), stream, ensure_ascii=False)
    # Readable by the web processes, which may run as another user of the group.
    os.chmod(temporary, 0o644)
    Path(temporary).replace(path)
    return path


def load_truth_report() -> dict[str, Any] | None:
    """The stored report, with ``is_current`` telling whether the data changed since and
    ``generated`` its time as a datetime; None when no report was stored for this database."""
    path = truth_report_path()
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        logger.warning("unreadable truth report %s", path, exc_info=True)
        return None
    report["is_current"] = report.get("data_version") == data_version()
    report["generated"] = dt.datetime.fromisoformat(report["generated_at"])
    return report


def summary_lines(report: TruthReport) -> list[str]:
    """The verdict and the main figures, one line each (the quality report's text form)."""
    lines = []
    for truth in report.sources:
        check = truth.calendar
        if check is None:
            calendar = "no GTFS calendar to check"
        elif not check.readable:
            calendar = f"calendars not checked ({check.message})"
        else:
            exactness = "n/a" if check.exactness is None else f"{check.exactness:.2f} %"
            calendar = (
                f"calendars exact for {check.trajets_equal}/{check.trajets_checked} trajets "
                f"({exactness}), {check.records_missing_unexplained} records missing without "
                f"a reject, {check.records_timetable_different} records with other stops or "
                "times than their trajet"
            )
            if check.week is not None:
                calendar += (
                    f", typical-week departures {check.week.warehouse_departures} "
                    f"(raw files {check.week.raw_departures})"
                )
        lines.append(
            f"{truth.source}: {calendar}; {truth.fragments.rejected_fragments} fragments "
            f"rejected; running_on {'exact' if not truth.running_on.mismatches else 'WRONG'}"
        )
    night = report.night
    final = "n/a" if night.final_share is None else f"{night.final_share:.1f} %"
    share = "n/a" if night.timetable_share is None else f"{night.timetable_share:.1f} %"
    lines.append(
        f"duplicates {report.duplicates.duplicate_groups}, same-day twins "
        f"{report.duplicates.twin_groups}, loops {report.loops.count}; night agreement {final} "
        f"of {night.matched_trajets} trajets matched to the night-train database ({share} by "
        "their timetable alone)"
    )
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    lines.extend(f"FAILED: {failure}" for failure in report.failures)
    return lines
