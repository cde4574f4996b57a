"""Duplicates, same-day twins and loops among the warehouse's trajets.

One trajet is one train of one source: two trajets of a source with the same operator and
the same stops at the same times (stations, arrivals, departures, day offsets) running on a
common date are one train stored twice (a duplicate); two that leave the same station at the
same time and reach the same station at the same time on a common date, by other stops, are
same-day twins (listed, for a person to judge). A loop is a trajet calling twice at a
station, or ending where it started.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F

from apps.trajets.models import Station, Stop, Trajet

from .listing import TrajetLine, clock, trajet_lines
from .stored import format_dates, stored_calendars

__all__ = [
    "DuplicateCheck",
    "Loop",
    "LoopCheck",
    "TrajetGroup",
    "find_duplicates",
    "find_loops",
]

LIST_LIMIT = 200
_CHUNK = 5000


@dataclass(frozen=True)
class TrajetGroup:
    """Trajets of one source that describe one train on common dates."""

    source: str
    trajets: list[TrajetLine]
    common_days: int
    common_dates: str
    detail: str = ""


@dataclass(frozen=True)
class DuplicateCheck:
    """Duplicates (same stops and times) and same-day twins (same ends and times)."""

    duplicate_groups: int = 0
    duplicate_trajets: int = 0
    twin_groups: int = 0
    twin_trajets: int = 0
    unfolded_groups: int = 0
    duplicates: list[TrajetGroup] = field(default_factory=list)
    twins: list[TrajetGroup] = field(default_factory=list)
    unfolded: list[TrajetGroup] = field(default_factory=list)


@dataclass(frozen=True)
class Loop:
    """A trajet calling twice at a station (or ending where it starts)."""

    trajet: TrajetLine
    stations: list[str]


@dataclass(frozen=True)
class LoopCheck:
    """Every loop of the warehouse."""

    count: int = 0
    loops: list[Loop] = field(default_factory=list)


_StopRow = tuple  # (trajet, station, arrival, arrival offset, departure, departure offset, …)
_STOP_FIELDS = (
    "trajet_id", "station_id", "arrival_time", "arrival_day_offset", "departure_time",
    "departure_day_offset", "pickup_type", "drop_off_type",
)  # fmt: skip


def _stop_rows(ids: list[int] | None = None) -> Iterator[tuple[int, list[_StopRow]]]:
    """Each trajet's stops in order (all trajets, or ``ids``)."""
    if ids is None:
        rows = Stop.objects.order_by("trajet_id", "sequence").values_list(*_STOP_FIELDS)
        yield from (
            (pk, list(group))
            for pk, group in itertools.groupby(rows.iterator(chunk_size=20_000), lambda r: r[0])
        )
        return
    for start in range(0, len(ids), _CHUNK):
        rows = (
            Stop.objects.filter(trajet_id__in=ids[start : start + _CHUNK])
            .order_by("trajet_id", "sequence")
            .values_list(*_STOP_FIELDS)
        )
        yield from ((pk, list(group)) for pk, group in itertools.groupby(rows, lambda r: r[0]))


def _digest(values: Iterable[object]) -> bytes:
    return hashlib.blake2b(repr(tuple(values)).encode(), digest_size=16).digest()


def _overlap_groups(
    members: list[int], days: dict[int, frozenset[int]]
) -> list[tuple[list[int], set[int]]]:
    """Members joined by a common date (connected groups), with the dates two share."""
    parent = {pk: pk for pk in members}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    shared: dict[int, set[int]] = defaultdict(set)
    for a, b in itertools.combinations(members, 2):
        common = days[a] & days[b]
        if common:
            parent[root(a)] = root(b)
            shared[a] |= common
            shared[b] |= common
    groups: dict[int, list[int]] = defaultdict(list)
    for pk in members:
        groups[root(pk)].append(pk)
    return [
        (sorted(group), set().union(*(shared[pk] for pk in group)))
        for group in groups.values()
        if len(group) > 1
    ]


def _station_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Station.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _how_stops_differ(a: list[_StopRow], b: list[_StopRow], names: dict[int, str]) -> str:
    """What tells two trajets with the same ends apart: stations or times in between."""
    stations_a = {row[1]: row for row in a}
    stations_b = {row[1]: row for row in b}
    parts = []
    only_a = [names.get(s, str(s)) for s in stations_a if s not in stations_b]
    only_b = [names.get(s, str(s)) for s in stations_b if s not in stations_a]
    if only_a:
        parts.append(f"only the first calls at {', '.join(only_a[:6])}")
    if only_b:
        parts.append(f"only the second calls at {', '.join(only_b[:6])}")
    for station, row in stations_a.items():
        other = stations_b.get(station)
        if other is not None and row[2:6] != other[2:6]:
            parts.append(
                f"at {names.get(station, station)}: {clock(row[2], row[3])}/"
                f"{clock(row[4], row[5])} vs {clock(other[2], other[3])}/"
                f"{clock(other[4], other[5])}"
            )
            break
    if not parts and [r[6:] for r in a] != [r[6:] for r in b]:
        parts.append("same calls, other boarding rules")
    return "; ".join(parts) or "same calls"


def find_duplicates() -> DuplicateCheck:
    """Duplicates, same-day twins, and same-timetable trajets left unfolded."""
    meta = {
        pk: row
        for pk, *row in Trajet.objects.order_by().values_list(
            "pk", "source_id", "operator_id", "origin_id", "departure_time", "destination_id",
            "arrival_time", "arrival_day_offset", "source__name",
        ).iterator(chunk_size=20_000)
    }  # fmt: skip
    by_timetable: dict[tuple, list[int]] = defaultdict(list)
    rules: dict[int, bytes] = {}
    for pk, rows in _stop_rows():
        source, operator = meta[pk][0], meta[pk][1]
        by_timetable[(source, operator, _digest(r[1:6] for r in rows))].append(pk)
        rules[pk] = _digest(r[6:] for r in rows)
    by_ends: dict[tuple, list[int]] = defaultdict(list)
    for pk, row in meta.items():
        by_ends[tuple(row[:7])].append(pk)
    same_timetable = [group for group in by_timetable.values() if len(group) > 1]
    end_groups = [group for group in by_ends.values() if len(group) > 1]
    timetable_of = {pk: key for key, group in by_timetable.items() for pk in group}
    candidates = {pk for group in same_timetable + end_groups for pk in group}
    days = {pk: calendar.days for pk, calendar in stored_calendars(candidates).items()}
    calls = dict(_stop_rows(sorted(candidates)))
    names = _station_names(row[1] for pk in candidates for row in calls.get(pk, []))
    lines = trajet_lines(candidates)
    duplicates, unfolded, twins = [], [], []
    for group in same_timetable:
        overlapping = _overlap_groups(group, days)
        for members, common in overlapping:
            differ = len({rules[pk] for pk in members}) > 1
            duplicates.append(
                TrajetGroup(
                    meta[members[0]][7],
                    [lines[pk] for pk in members],
                    len(common),
                    format_dates(common, 10),
                    "other boarding rules" if differ else "same calls and boarding rules",
                )
            )
        if not overlapping:
            unfolded.append(
                TrajetGroup(
                    meta[group[0]][7],
                    [lines[pk] for pk in sorted(group)],
                    0,
                    "",
                    "same stops and times, never on the same day: not folded into one train"
                    if len({rules[pk] for pk in group}) == 1
                    else "same stops and times, other boarding rules, never on the same day",
                )
            )
    for group in end_groups:
        for members, common in _overlap_groups(group, days):
            if len({timetable_of[pk] for pk in members}) == 1:
                continue  # one timetable: a duplicate, listed above
            twins.append(
                TrajetGroup(
                    meta[members[0]][7],
                    [lines[pk] for pk in members],
                    len(common),
                    format_dates(common, 10),
                    _how_stops_differ(calls.get(members[0], []), calls.get(members[1], []), names),
                )
            )
    return DuplicateCheck(
        duplicate_groups=len(duplicates),
        duplicate_trajets=sum(len(g.trajets) for g in duplicates),
        twin_groups=len(twins),
        twin_trajets=sum(len(g.trajets) for g in twins),
        unfolded_groups=len(unfolded),
        duplicates=duplicates[:LIST_LIMIT],
        twins=twins[:LIST_LIMIT],
        unfolded=unfolded[:LIST_LIMIT],
    )


def find_loops() -> LoopCheck:
    """Trajets calling twice at a station, or whose origin is their destination."""
    repeated: dict[int, set[int]] = defaultdict(set)
    for pk, station in (
        Stop.objects.order_by()
        .values("trajet_id", "station_id")
        .annotate(calls=Count("id"))
        .filter(calls__gt=1)
        .values_list("trajet_id", "station_id")
    ):
        repeated[pk].add(station)
    for pk, station in Trajet.objects.filter(origin_id=F("destination_id")).values_list(
        "pk", "origin_id"
    ):
        repeated[pk].add(station)
    names = _station_names(s for stations in repeated.values() for s in stations)
    shown = sorted(repeated)[:LIST_LIMIT]
    lines = trajet_lines(shown)
    loops = [Loop(lines[pk], sorted(names.get(s, str(s)) for s in repeated[pk])) for pk in shown]
    return LoopCheck(count=len(repeated), loops=loops)
