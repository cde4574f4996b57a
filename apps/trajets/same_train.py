"""The same train published by two sources: found, linked, counted once.

Two trajets of different sources are the same train when they call at two or more common
stations in the same order, at the same clock times there (within ``TIME_TOLERANCE_MIN``,
with one constant day shift), and do not carry different train numbers. When they also run on
a common date they are one train counted twice: matched trajets form groups, each group keeps
the trajet calling at most stations as the one that is counted, and the others point to it
with ``same_train_as`` (their own data stays, so each source's calendar is still exactly what
it published).

A trajet that is a train of a night-train reference source (the Back-on-Track night-train
database), in any timetable year, is a night train, with the reason stored; the kind the
timetable alone gives stays in ``timetable_kind``. Timetables move by a few minutes from one
year to the next (CFR's IRN 1920 left Constanța at 16:43 in 2024 and leaves at 18:43 in
2026), so a train with the same number as a reference train matches it when it calls at two
common stations in the same order with times within ``SAME_NUMBER_TOLERANCE_MIN``.

Links are recomputed over the whole warehouse after each load, but only from the stops at
stations that two sources or more call at: the result does not depend on the order in
which sources were loaded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from apps.trajets.etl.records import CalendarRecord
from apps.trajets.models import CalendarException, DataSource, ServiceKind, Stop, Trajet

__all__ = [
    "REFERENCE_MARK",
    "TIME_TOLERANCE_MIN",
    "Call",
    "LinkReport",
    "TrainCalls",
    "connected_groups",
    "find_same_numbers",
    "find_same_trains",
    "link_same_trains",
]

logger = logging.getLogger(__name__)

TIME_TOLERANCE_MIN = 3
SAME_NUMBER_TOLERANCE_MIN = 180
MIN_COMMON_STATIONS = 2
DAY_MIN = 1440
# kind_reason of a trajet classified by the night-train reference starts with this; the
# timetable's own reason follows TIMETABLE_MARK.
REFERENCE_MARK = "night-train database: "
TIMETABLE_MARK = " — timetable alone: "
_NUMBER = re.compile(r"\d{2,}")


@dataclass(frozen=True, slots=True)
class Call:
    """A call at a station, in minutes after midnight of the train's departure day."""

    station: int
    arrival: int | None
    departure: int | None


@dataclass(slots=True)
class TrainCalls:
    """What matching needs of one trajet."""

    pk: int
    source: int
    number: str
    stop_count: int
    calls: dict[int, tuple[int, Call]] = field(default_factory=dict)
    days: frozenset[int] = frozenset()


@dataclass
class LinkReport:
    """What a linking pass found and changed."""

    pairs: int = 0
    groups: int = 0
    linked: int = 0
    changed_links: int = 0
    night_by_reference: int = 0
    kinds_changed: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"same trains: {self.pairs} matched pairs in {self.groups} groups, "
            f"{self.linked} trajets counted in another source's trajet "
            f"({self.changed_links} links changed), {self.night_by_reference} night trains "
            f"by the night-train database ({self.kinds_changed} kinds changed) "
            f"({self.seconds:.1f} s)"
        )


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(text))


def numbers_agree(a: str, b: str) -> bool:
    """Whether two train numbers may name the same train: either is missing, they share a
    number, or one ends with the other (``NJ 40490`` and ``490``)."""
    first, second = _numbers(a), _numbers(b)
    if not first or not second:
        return True
    return any(x.endswith(y) or y.endswith(x) for x in first for y in second)


def _clock_gap(a: int, b: int) -> int:
    gap = abs(a - b) % DAY_MIN
    return min(gap, DAY_MIN - gap)


def _time_pair(a: Call, b: Call) -> tuple[int, int]:
    """The two times to compare at a common station: departures when both depart there,
    arrivals when both arrive, otherwise the one time each has."""
    if a.departure is not None and b.departure is not None:
        return a.departure, b.departure
    if a.arrival is not None and b.arrival is not None:
        return a.arrival, b.arrival
    return (
        a.departure if a.departure is not None else a.arrival,  # type: ignore[return-value]
        b.departure if b.departure is not None else b.arrival,
    )


def match(a: TrainCalls, b: TrainCalls, tolerance: int = TIME_TOLERANCE_MIN) -> int | None:
    """The day shift (days to add to ``a``'s dates to get ``b``'s) when ``a`` and ``b`` call
    at two common stations or more in the same order at the same times (within
    ``tolerance`` minutes), with numbers that agree; else None. Dates are not compared."""
    if not numbers_agree(a.number, b.number):
        return None
    common = [station for station in a.calls if station in b.calls]
    if len(common) < MIN_COMMON_STATIONS:
        return None
    common.sort(key=lambda station: a.calls[station][0])
    order_b = [b.calls[station][0] for station in common]
    if any(x >= y for x, y in itertools.pairwise(order_b)):
        return None
    shift: int | None = None
    for station in common:
        time_a, time_b = _time_pair(a.calls[station][1], b.calls[station][1])
        if _clock_gap(time_a, time_b) > tolerance:
            return None
        days = round((time_a - time_b) / DAY_MIN)
        if shift is None:
            shift = days
        elif days != shift:
            return None
    return shift


def run_together(a: TrainCalls, b: TrainCalls, shift: int) -> bool:
    """Whether ``a`` and ``b`` run on a common date (``b``'s dates are ``a``'s + shift)."""
    return bool({day + shift for day in a.days} & b.days)


def same_numbers(a: str, b: str) -> bool:
    """Whether two train numbers are given and equal (``IRN 1952`` and ``1952``)."""
    first, second = _numbers(a), _numbers(b)
    return bool(first) and first == second


def find_same_trains(trains: Mapping[int, TrainCalls]) -> list[tuple[int, int]]:
    """Pairs of trajet ids (of different sources) that are the same train.

    Candidates are pairs calling at two stations at clock times within the tolerance (a
    sweep over each station's calls sorted by time), then checked by :func:`match` (dates
    only for trains whose ``days`` are known).
    """
    by_station: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for train in trains.values():
        for station, (_, call) in train.calls.items():
            minute = call.departure if call.departure is not None else call.arrival
            by_station[station].append((minute % DAY_MIN, train.pk))  # type: ignore[operator]
    hits: dict[tuple[int, int], int] = defaultdict(int)
    for calls in by_station.values():
        if len({trains[pk].source for _, pk in calls}) < 2:
            continue
        calls.sort()
        # Wrap around midnight: calls just after 00:00 also meet calls just before.
        extended = calls + [(minute + DAY_MIN, pk) for minute, pk in calls]
        for position, (minute, pk) in enumerate(calls):
            for other_minute, other in extended[position + 1 :]:
                if other_minute - minute > TIME_TOLERANCE_MIN:
                    break
                if other != pk and trains[other].source != trains[pk].source:
                    hits[(min(pk, other), max(pk, other))] += 1
    return sorted(
        pair
        for pair, count in hits.items()
        if count >= MIN_COMMON_STATIONS and match(trains[pair[0]], trains[pair[1]]) is not None
    )


def find_same_numbers(
    trains: Mapping[int, TrainCalls], references: set[int]
) -> list[tuple[int, int]]:
    """Pairs (reference trajet, other source's trajet) with the same train number that call
    at common stations in the same order within ``SAME_NUMBER_TOLERANCE_MIN``."""
    by_number: dict[str, list[int]] = defaultdict(list)
    for train in trains.values():
        if train.source in references:
            for number in _numbers(train.number):
                by_number[number].append(train.pk)
    pairs = set()
    for train in trains.values():
        if train.source in references:
            continue
        for number in _numbers(train.number):
            for reference in by_number.get(number, ()):
                found = match(trains[reference], train, SAME_NUMBER_TOLERANCE_MIN)
                if found is not None and same_numbers(trains[reference].number, train.number):
                    pairs.add((reference, train.pk))
    return sorted(pairs)


def connected_groups(pairs: Iterable[tuple[int, int]]) -> list[set[int]]:
    """The groups of nodes the pairs join, directly or through others (union-find)."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, set[int]] = defaultdict(set)
    for node in parent:
        groups[root(node)].add(node)
    return list(groups.values())


def _minutes(value: dt.time | None, offset: int) -> int | None:
    if value is None:
        return None
    return offset * DAY_MIN + value.hour * 60 + value.minute


def _load_trains(station_ids: set[int]) -> dict[int, TrainCalls]:
    """The calls at ``station_ids`` of every trajet calling there, with its dates."""
    trains: dict[int, TrainCalls] = {}
    rows = (
        Stop.objects.filter(station_id__in=station_ids)
        .order_by()
        .values_list(
            "trajet_id", "sequence", "station_id", "arrival_time", "arrival_day_offset",
            "departure_time", "departure_day_offset", "trajet__source_id",
            "trajet__train_number", "trajet__stop_count",
        )
    )  # fmt: skip
    repeated: set[int] = set()
    for (
        pk,
        sequence,
        station,
        arrival,
        arrival_offset,
        departure,
        departure_offset,
        *rest,
    ) in rows.iterator(chunk_size=20_000):
        train = trains.get(pk)
        if train is None:
            train = trains[pk] = TrainCalls(pk, rest[0], rest[1], rest[2])
        if station in train.calls:
            repeated.add(pk)  # a loop: no single time at that station
            continue
        train.calls[station] = (
            sequence,
            Call(
                station,
                _minutes(arrival, arrival_offset),
                _minutes(departure, departure_offset),
            ),
        )
    for pk in repeated:
        del trains[pk]
    return trains


def _attach_days(trains: Mapping[int, TrainCalls], ids: set[int]) -> None:
    """Read the running dates of trajets ``ids`` (only those of candidate pairs)."""
    exceptions: dict[int, tuple[list[dt.date], list[dt.date]]] = defaultdict(lambda: ([], []))
    for pk, date, is_added in CalendarException.objects.filter(trajet_id__in=ids).values_list(
        "trajet_id", "date", "is_added"
    ):
        exceptions[pk][0 if is_added else 1].append(date)
    for row in Trajet.objects.filter(pk__in=ids).values_list(
        "pk", "valid_from", "valid_to", *Trajet.WEEKDAY_FIELDS
    ):
        added, removed = exceptions.get(row[0], ([], []))
        calendar = CalendarRecord(row[1], row[2], tuple(row[3:]), tuple(added), tuple(removed))  # type: ignore[arg-type]
        trains[row[0]].days = calendar.day_numbers()


def shared_stations() -> set[int]:
    """Stations that trajets of two sources or more call at."""
    return set(
        Stop.objects.order_by()
        .values("station_id")
        .annotate(sources=Count("trajet__source_id", distinct=True))
        .filter(sources__gte=2)
        .values_list("station_id", flat=True)
    )


def link_same_trains() -> LinkReport:
    """Recompute every ``same_train_as`` link and the kinds the night-train reference gives.

    Runs in the caller's transaction (the ETL's), or in its own.
    """
    started = time.perf_counter()
    report = LinkReport()
    with transaction.atomic():
        references = set(
            DataSource.objects.filter(is_night_reference=True).values_list("pk", flat=True)
        )
        trains = _load_trains(shared_stations())
        candidates = find_same_trains(trains)
        # Dates are read only for trajets that match on stations and times.
        _attach_days(trains, {pk for pair in candidates for pk in pair})
        linked = []
        for a, b in candidates:
            shift = match(trains[a], trains[b])
            if shift is not None and run_together(trains[a], trains[b], shift):
                linked.append((a, b))
        report.pairs = len(linked)
        groups = connected_groups(linked)
        report.groups = len(groups)
        wanted: dict[int, int] = {}
        for group in groups:
            counted = max(group, key=lambda pk: _precedence(trains[pk], references))
            for pk in group:
                if pk != counted:
                    wanted[pk] = counted
        night: dict[int, int] = {}
        for a, b in sorted([*candidates, *find_same_numbers(trains, references)]):
            for reference, other in ((a, b), (b, a)):
                is_reference = trains[reference].source in references
                if is_reference and trains[other].source not in references:
                    night.setdefault(other, reference)
        report.linked = len(wanted)
        report.changed_links = _store_links(wanted)
        report.night_by_reference = len(night)
        report.kinds_changed = _store_reference_kinds(night)
    report.seconds = time.perf_counter() - started
    logger.info(report.summary())
    return report


def _precedence(train: TrainCalls, references: set[int]) -> tuple:
    """Which trajet of a group is counted: the one calling at most stations, then a
    timetable's over the night-train database's (exact dates), then the oldest."""
    return (train.stop_count, train.source not in references, -train.pk)


def _store_links(wanted: Mapping[int, int]) -> int:
    current = dict(
        Trajet.objects.filter(same_train_as__isnull=False).values_list("pk", "same_train_as_id")
    )
    cleared = [pk for pk in current if pk not in wanted]
    if cleared:
        Trajet.objects.filter(pk__in=cleared).update(same_train_as=None)
    by_target: dict[int, list[int]] = defaultdict(list)
    for pk, target in wanted.items():
        if current.get(pk) != target:
            by_target[target].append(pk)
    for target, pks in by_target.items():
        Trajet.objects.filter(pk__in=pks).update(same_train_as_id=target)
    return len(cleared) + sum(len(pks) for pks in by_target.values())


def _store_reference_kinds(night: Mapping[int, int]) -> int:
    """Night kind, and the reference train (``night_reference``), for trajets of a group with
    a night-train database trajet; the timetable's own kind and reason back for those no
    longer in such a group."""
    changed = 0
    references = dict(
        Trajet.objects.filter(pk__in=set(night.values())).values_list("pk", "source__name")
    )
    numbers = dict(
        Trajet.objects.filter(pk__in=set(night.values())).values_list("pk", "train_number")
    )
    rows = (
        Trajet.objects.filter(pk__in=set(night))
        | Trajet.objects.filter(kind_reason__startswith=REFERENCE_MARK)
        | Trajet.objects.filter(night_reference__isnull=False)
    )
    for trajet in rows.only("pk", "kind", "kind_reason", "timetable_kind", "night_reference"):
        own_reason = trajet.kind_reason
        if own_reason.startswith(REFERENCE_MARK):
            own_reason = own_reason.partition(TIMETABLE_MARK)[2]
        if trajet.pk in night:
            reference = night[trajet.pk]
            label = f"{numbers[reference]} " if numbers[reference] else ""
            kind = ServiceKind.NIGHT
            reason = (
                f"{REFERENCE_MARK}{label}(trajet {reference} of {references[reference]}) is the "
                f"same train{TIMETABLE_MARK}{own_reason}"
            )[:300]
        else:
            kind, reason = trajet.timetable_kind or trajet.kind, own_reason
        reference_id = night.get(trajet.pk)
        if (kind, reason, reference_id) != (
            trajet.kind,
            trajet.kind_reason,
            trajet.night_reference_id,
        ):
            Trajet.objects.filter(pk=trajet.pk).update(
                kind=kind, kind_reason=reason, night_reference_id=reference_id
            )
            changed += 1
    return changed
