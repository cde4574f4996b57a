"""Calendar exactness: every GTFS trip's dates, expanded from the raw files, against the
warehouse's operating dates of the trajet it went into; and each record's stops and local
times against its trajet's.

The raw side is read by :mod:`.raw_gtfs` and resolved into source records by
:mod:`.records` (no ETL code). A trajet's expected dates are the union of the local
departure dates of the records its provenance lists; its stored dates are expanded from its
weekly flags and exceptions (:mod:`.stored`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Sum
from django.db.models.functions import Coalesce

from apps.trajets.calendars import Period, departures_expression
from apps.trajets.models import (
    DataSource,
    ImportRun,
    RejectedRecord,
    SourceStation,
    Stop,
    Trajet,
)
from apps.trajets.models import TrajetProvenance as Provenance

from .raw_gtfs import RawFeed, RawFeedError, read_feed
from .records import Key, Resolver, StopRow
from .stored import StoredCalendar, format_dates, stored_calendars

__all__ = [
    "CalendarCheck",
    "CalendarDifference",
    "MissingRecord",
    "TimetableDifference",
    "check_calendars",
]

# Listed items per kind (the counts are always complete).
LIST_LIMIT = 200
_TRIP_IN_LOCATION = re.compile(r"\[trip_id=(.*)\]\s*$")
_TRIPS_LINE = re.compile(r"^trips\.txt:(\d+)")
_QUOTED = re.compile(r"'([^']+)'")


@dataclass(frozen=True)
class CalendarDifference:
    """A trajet whose stored dates are not its source records' dates."""

    trajet_id: int
    source_record_id: str
    records: list[str]
    only_in_source: str
    only_in_source_count: int
    only_in_warehouse: str
    only_in_warehouse_count: int
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MissingRecord:
    """A source record (trip, part of a trip, departure) no trajet carries."""

    record: str
    trip_id: str
    explanation: str


@dataclass(frozen=True)
class TimetableDifference:
    """A source record folded into a trajet whose stops or times are not the trajet's."""

    trajet_id: int
    record: str
    difference: str


@dataclass(frozen=True)
class WeekDepartures:
    """Departures of a source in its typical week: counted from the raw files (every trip
    not rejected, running that week, one per agency, ends, end times and date: a same-day
    twin is one train) and as the indicators count them from the warehouse."""

    week_start: dt.date
    raw_departures: int
    raw_trip_days: int
    warehouse_departures: int

    @property
    def equal(self) -> bool:
        return self.raw_departures == self.warehouse_departures


@dataclass(frozen=True)
class CalendarCheck:
    """Calendar exactness of one GTFS source against its raw files."""

    source: str
    path: str
    readable: bool
    message: str = ""
    trips_read: int = 0
    records_expected: int = 0
    trajets_checked: int = 0
    trajets_equal: int = 0
    trajets_different: int = 0
    records_in_warehouse: int = 0
    records_missing_explained: int = 0
    records_missing_unexplained: int = 0
    explained_by_reason: dict[str, int] = field(default_factory=dict)
    differences: list[CalendarDifference] = field(default_factory=list)
    unexplained: list[MissingRecord] = field(default_factory=list)
    unknown_records: list[str] = field(default_factory=list)
    raw_oddities: list[str] = field(default_factory=list)
    records_timetable_compared: int = 0
    records_timetable_different: int = 0
    timetable_differences: list[TimetableDifference] = field(default_factory=list)
    records_twins: int = 0
    twin_differences: list[TimetableDifference] = field(default_factory=list)
    change_night_differences: list[TimetableDifference] = field(default_factory=list)
    week: WeekDepartures | None = None

    @property
    def exactness(self) -> float | None:
        """Percentage of the source's trajets whose dates are exactly the source's."""
        if not self.trajets_checked:
            return None
        return 100.0 * self.trajets_equal / self.trajets_checked

    @property
    def is_exact(self) -> bool:
        """Every trajet exact, every record present or explained by a reject."""
        return (
            self.readable
            and self.trajets_equal == self.trajets_checked
            and not self.records_missing_unexplained
            and not self.unknown_records
            and not self.records_timetable_different
        )


def _stored_stops(source: DataSource) -> dict[int, list[StopRow]]:
    stops: dict[int, list[StopRow]] = defaultdict(list)
    for pk, station, arrival, arrival_offset, departure, departure_offset, *rules in (
        Stop.objects.filter(trajet__source=source)
        .order_by("trajet_id", "sequence")
        .values_list(
            "trajet_id", "station_id", "arrival_time", "arrival_day_offset", "departure_time",
            "departure_day_offset", "pickup_type", "drop_off_type",
        )
        .iterator(chunk_size=20_000)
    ):  # fmt: skip
        stops[pk].append(
            (
                station,
                None if arrival is None else (arrival, arrival_offset),
                None if departure is None else (departure, departure_offset),
                tuple(rules),
            )
        )
    return stops


def _first_difference(expected: list[StopRow], stored: list[StopRow]) -> str:
    """Where a record's stops and the trajet's stops part, or ""."""
    if len(expected) != len(stored):
        return f"{len(expected)} stops in the source, {len(stored)} in the warehouse"
    for position, (mine, theirs) in enumerate(zip(expected, stored, strict=True), start=1):
        rules_differ = mine[3] is not None and mine[3] != theirs[3]
        if mine[:3] != theirs[:3] or rules_differ:
            return f"stop {position}: source {_describe(mine)}, warehouse {_describe(theirs)}"
    return ""


def _same_ends(expected: list[StopRow], stored: list[StopRow]) -> bool:
    """Same first station and departure, same last station and arrival."""
    if not expected or not stored:
        return False
    return (expected[0][0], expected[0][2], expected[-1][0], expected[-1][1]) == (
        stored[0][0],
        stored[0][2],
        stored[-1][0],
        stored[-1][1],
    )


def _describe(stop: StopRow) -> str:
    def text(value: tuple[dt.time, int] | None) -> str:
        if value is None:
            return "—"
        return f"{value[0].isoformat()}" + (f"+{value[1]}" if value[1] else "")

    rules = "" if stop[3] is None else f" rules {stop[3][0]}/{stop[3][1]}"
    return f"station #{stop[0]} {text(stop[1])}/{text(stop[2])}{rules}"


def _latest_run(source: DataSource) -> ImportRun | None:
    return (
        ImportRun.objects.filter(source=source, status=ImportRun.Status.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )


def _rejects_by_trip(run: ImportRun | None, feed: RawFeed, resolver: Resolver) -> dict[str, str]:
    """One explanation per trip the latest run rejected: ``reason_code: location``."""
    if run is None:
        return {}
    by_line = {trip.line: trip.trip_id for trip in feed.trips.values()}
    explained: dict[str, str] = {}
    for location, code, reason in RejectedRecord.objects.filter(run=run).values_list(
        "location", "reason_code", "reason"
    ):
        trips: set[str] = set()
        found = _TRIP_IN_LOCATION.search(location)
        if found:
            trips.add(found[1])
        found = _TRIPS_LINE.match(location)
        if found and int(found[1]) in by_line:
            trips.add(by_line[int(found[1])])
        # Ids quoted in the reason name the trip only when the location does not (a reason
        # may quote a route id that is also some other trip's id).
        for quoted in [] if trips else _QUOTED.findall(reason):
            key = resolver.parse(quoted)
            if quoted in feed.trips:
                trips.add(quoted)
            elif key is not None:
                trips.update(str(part) for part in key[0][1:] if isinstance(part, str))
        for trip_id in trips:
            explained.setdefault(trip_id, f"{code}: {location}")
    return explained


def _station_index(source: DataSource) -> dict[str, tuple[int, str]]:
    return {
        record: (station, zone)
        for record, station, zone in SourceStation.objects.filter(
            source=source, station__isnull=False
        ).values_list("source_record_id", "station_id", "station__time_zone")
    }


def check_calendars(
    source: DataSource,
    path: Path | None = None,
    *,
    encoding: str = "utf-8-sig",
    stored: Mapping[int, StoredCalendar] | None = None,
) -> CalendarCheck:
    """Compare every trajet's stored dates of ``source`` with its raw GTFS files.

    ``path`` defaults to the source's recorded location; ``stored`` is the source's stored
    calendars when the caller already read them.
    """
    path = Path(path or source.location)
    try:
        feed = read_feed(path, encoding=encoding)
    except (RawFeedError, OSError) as exc:
        return CalendarCheck(source.name, str(path), readable=False, message=str(exc))
    resolver = Resolver(feed, _station_index(source))
    expected = resolver.expected_keys()
    provenance: dict[int, list[str]] = defaultdict(list)
    for pk, record in (
        Provenance.objects.filter(source=source, trajet__source=source)
        .order_by("source_record_id")
        .values_list("trajet_id", "source_record_id")
    ):
        provenance[pk].append(record)
    if stored is None:
        stored = stored_calendars(source=source)
    own_ids = dict(Trajet.objects.filter(source=source).values_list("pk", "source_record_id"))
    stored_stops = _stored_stops(source)
    compared = 0
    timetables: list[TimetableDifference] = []
    twins: list[TimetableDifference] = []
    change_nights: list[TimetableDifference] = []
    present: set[Key] = set()
    # Each record's dates and stops, read once (the typical-week count reuses them).
    resolved: dict[Key, tuple[frozenset[int], list]] = {}
    joined_trips: set[str] = set()
    unknown: list[str] = []
    differences: list[CalendarDifference] = []
    equal = 0
    for pk in sorted(own_ids):
        records = provenance.get(pk, [])
        days: set[int] = set()
        notes: list[str] = [] if records else ["the trajet has no provenance row"]
        # Records whose timetable is not the trajet's: same-day twins when they have its
        # ends and end times and share a date with another record of the trajet.
        other_timetables: list[tuple[str, str, set[int], list[StopRow]]] = []
        days_of: dict[str, set[int]] = {}
        for record in records:
            key = resolver.parse(record)
            if key is None:
                unknown.append(record)
                notes.append(f"record {record!r} is no trip of the source")
                continue
            present.add(key)
            if key[0][0] == "join":
                joined_trips.update((str(key[0][1]), str(key[0][2])))
            record_days, record_notes = resolver.record_dates(key)
            days |= record_days
            days_of[record] = record_days
            versions = resolver.record_stops(key)
            resolved[key] = (record_days, versions)
            if versions:
                compared += 1
                first = versions[0][2]
                difference = _first_difference(first, stored_stops.get(pk, []))
                for day, is_change_night, later in versions[1:]:
                    other = _first_difference(later, first)
                    if not other:
                        continue
                    text = (
                        f"on service day {dt.date.fromordinal(day)}"
                        + (
                            ", across a daylight-saving change, "
                            if is_change_night
                            else " and after (zones with other daylight-saving rules), "
                        )
                        + f"local times differ from the stored ones: {other}"
                    )
                    if is_change_night:
                        change_nights.append(TimetableDifference(pk, record, text))
                    elif not difference:
                        difference = "one trajet cannot hold both timetables: " + text
                if difference:
                    other_timetables.append((record, difference, record_days, first))
            notes.extend(f"{record}: {note}" for note in record_notes)
        # A timetable's records (calendar variants) fold as one: the twin is the timetable.
        timetable_days: dict[tuple, set[int]] = defaultdict(set)
        timetable_records: dict[tuple, set[str]] = defaultdict(set)
        for record, _, record_days, first in other_timetables:
            timetable_days[tuple(first)] |= record_days
            timetable_records[tuple(first)].add(record)
        for record, difference, _, first in other_timetables:
            mine = timetable_records[tuple(first)]
            others = set().union(*(d for r, d in days_of.items() if r not in mine))
            if (
                _same_ends(first, stored_stops.get(pk, []))
                and timetable_days[tuple(first)] & others
            ):
                twins.append(TimetableDifference(pk, record, "same-day twin: " + difference))
            else:
                timetables.append(TimetableDifference(pk, record, difference))
        calendar = stored[pk]
        notes.extend(calendar.problems)
        if days == calendar.days and not notes:
            equal += 1
            continue
        differences.append(
            CalendarDifference(
                trajet_id=pk,
                source_record_id=own_ids[pk],
                records=records,
                only_in_source=format_dates(days - calendar.days),
                only_in_source_count=len(days - calendar.days),
                only_in_warehouse=format_dates(calendar.days - days),
                only_in_warehouse_count=len(calendar.days - days),
                notes=notes,
            )
        )
    rejects = _rejects_by_trip(_latest_run(source), feed, resolver)
    explained: Counter[str] = Counter()
    unexplained: list[MissingRecord] = []
    missing_explained = 0
    for key, trip_id in expected.items():
        if key in present or trip_id in joined_trips:
            continue
        record = _record_id(key)
        if trip_id in rejects:
            missing_explained += 1
            explained[rejects[trip_id].split(":", 1)[0]] += 1
            continue
        hint = "no reject names this trip"
        if trip_id not in feed.stop_times:
            hint = "the trip has no stop_times rows, and no reject names it"
        elif trip_id in feed.bad_times:
            hint = f"unreadable time ({feed.bad_times[trip_id]}), and no reject names it"
        unexplained.append(MissingRecord(record, trip_id, hint))
    week = (
        _week_departures(source, feed, resolver, expected, rejects, resolved)
        if source.reference_week
        else None
    )
    return CalendarCheck(
        source=source.name,
        path=str(path),
        readable=True,
        week=week,
        trips_read=len(feed.trips),
        records_expected=len(expected),
        trajets_checked=len(own_ids),
        trajets_equal=equal,
        trajets_different=len(differences),
        records_in_warehouse=sum(len(r) for r in provenance.values()),
        records_missing_explained=missing_explained,
        records_missing_unexplained=len(unexplained),
        explained_by_reason=dict(explained.most_common()),
        differences=differences[:LIST_LIMIT],
        unexplained=unexplained[:LIST_LIMIT],
        unknown_records=unknown[:LIST_LIMIT],
        raw_oddities=(feed.oddities + sorted(set(resolver.notes)))[:LIST_LIMIT],
        records_timetable_compared=compared,
        records_timetable_different=len(timetables),
        timetable_differences=timetables[:LIST_LIMIT],
        records_twins=len(twins),
        twin_differences=twins[:LIST_LIMIT],
        change_night_differences=change_nights[:LIST_LIMIT],
    )


def _week_departures(
    source: DataSource,
    feed: RawFeed,
    resolver: Resolver,
    expected: Mapping[Key, str],
    rejects: Mapping[str, str],
    resolved: Mapping[Key, tuple[frozenset[int], list]],
) -> WeekDepartures:
    """The source's typical-week departures from its raw files and from the warehouse
    (``resolved``: the dates and stops of the records already read)."""
    assert source.reference_week is not None
    period = Period(source.reference_week, source.reference_week + dt.timedelta(days=6))
    first, last = period.start.toordinal(), period.end.toordinal()
    trains: set[tuple] = set()
    trip_days = 0
    for key, trip_id in expected.items():
        if trip_id in rejects:
            continue
        record_days, versions = resolved.get(key) or (resolver.record_dates(key)[0], None)
        days = [day for day in record_days if first <= day <= last]
        if versions is None:
            versions = resolver.record_stops(key) if days else []
        if not versions:
            continue
        stops = versions[0][2]
        ends = (feed.trips[trip_id].agency_id, stops[0][0], stops[0][2], stops[-1][0])
        trains.update((*ends, stops[-1][1], day) for day in days)
        trip_days += len(days)
    stored = Trajet.objects.filter(source=source).aggregate(
        departures=Coalesce(Sum(departures_expression(period)), 0)
    )
    return WeekDepartures(period.start, len(trains), trip_days, stored["departures"])


def _record_id(key: Key) -> str:
    (kind, first, second), part = key
    text = f"{first}+{second}" if kind == "join" else str(first)
    if kind == "trip" and second is not None:
        text += f"@{int(second) // 3600:02d}{int(second) % 3600 // 60:02d}"  # type: ignore[call-overload]
    return f"{text}#{part}" if part else text
