"""Night agreement: what the timetables say of the trains the night-train database lists.

A trajet of another source is "matched" to a reference train when ``same_train_as`` puts
them in one group (the same train on common dates), or when its kind reason says the
reference made it a night train (the same number and stations at times close enough, in
another timetable year). Each matched trajet's kind from its own timetable
(``timetable_kind``) should be night, and its final kind is; each matched trajet the
timetable alone does not call night is listed with its reason. Coverage: reference trains
that another source's trajet matches by train number and ends (or, without a number, by its
ends) while that trajet is matched to no reference train, with what differs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.trajets.models import DataSource, ServiceKind, Stop, Trajet
from apps.trajets.same_train import REFERENCE_MARK, TIMETABLE_MARK

from .listing import TrajetLine, clock, trajet_lines
from .stored import format_dates, stored_calendars

__all__ = ["NightAgreement", "NightDisagreement", "UnlinkedMatch", "night_agreement"]

LIST_LIMIT = 200
TOLERANCE_MIN = 2
# Categories of what keeps a reference train and a matching trajet apart, listed last first.
UNLINKED_REASONS = ("dates", "stations", "order", "times", "offsets", "missed")
_DIGITS = re.compile(r"\d{2,}")
# The reference trajet a kind reason names: "night-train database: 457 (trajet 60154 of …".
_REFERENCE_TRAJET = re.compile(r"\(trajet (\d+) of ")


@dataclass(frozen=True)
class NightDisagreement:
    """A matched trajet whose kind is not night, with why its timetable says so."""

    trajet: TrajetLine
    reference: TrajetLine
    timetable_reason: str


@dataclass(frozen=True)
class UnlinkedMatch:
    """A reference train and another source's trajet with an agreeing number and common ends
    (or, for a trajet without a number, the same ends) that are not linked, and what tells
    them apart."""

    reference: TrajetLine
    candidate: TrajetLine
    reason: str
    why: str


@dataclass(frozen=True)
class NightAgreement:
    """Agreement of the timetables with the night-train database on matched trains.

    ``groups`` counts the reference trains matched by at least one trajet; ``matched_by_link``
    the matched trajets linked by ``same_train_as`` (the others are matched by the reason
    the reference gave their kind)."""

    reference_sources: list[str] = field(default_factory=list)
    reference_trajets: int = 0
    reference_trajets_linked: int = 0
    groups: int = 0
    matched_trajets: int = 0
    matched_by_link: int = 0
    timetable_night: int = 0
    final_night: int = 0
    groups_timetable_night: int = 0
    by_source: dict[str, list[int]] = field(default_factory=dict)
    disagreements: list[NightDisagreement] = field(default_factory=list)
    final_disagreements: list[NightDisagreement] = field(default_factory=list)
    unlinked_count: int = 0
    unlinked_by_reason: dict[str, int] = field(default_factory=dict)
    unlinked: list[UnlinkedMatch] = field(default_factory=list)
    date_blind_trajets: int = 0
    date_blind_timetable_night: int = 0

    @property
    def timetable_share(self) -> float | None:
        """Percentage of matched trajets that their timetable alone calls night."""
        return 100.0 * self.timetable_night / self.matched_trajets if self.matched_trajets else None

    @property
    def date_blind_share(self) -> float | None:
        """Percentage of the trajets that differ from a reference train by their dates only
        that their timetable alone calls night."""
        if not self.date_blind_trajets:
            return None
        return 100.0 * self.date_blind_timetable_night / self.date_blind_trajets

    @property
    def final_share(self) -> float | None:
        """Percentage of matched trajets whose final kind is night."""
        return 100.0 * self.final_night / self.matched_trajets if self.matched_trajets else None


def _groups() -> list[set[int]]:
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        parent.setdefault(pk, pk)
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for pk, target in Trajet.objects.filter(same_train_as__isnull=False).values_list(
        "pk", "same_train_as_id"
    ):
        parent[root(pk)] = root(target)
    groups: dict[int, set[int]] = defaultdict(set)
    for pk in parent:
        groups[root(pk)].add(pk)
    return list(groups.values())


def timetable_reason(kind_reason: str) -> str:
    """The timetable's own reason inside a kind reason the reference may have rewritten."""
    if kind_reason.startswith(REFERENCE_MARK) and TIMETABLE_MARK in kind_reason:
        return kind_reason.partition(TIMETABLE_MARK)[2]
    return kind_reason


def _numbers(text: str) -> set[str]:
    return set(_DIGITS.findall(text))


def _numbers_agree(a: set[str], b: set[str]) -> bool:
    return any(x.endswith(y) or y.endswith(x) for x in a for y in b)


_Calls = list[tuple[int, int | None, int | None]]  # (station, arrival min, departure min)


def _calls(ids: Iterable[int]) -> dict[int, _Calls]:
    calls: dict[int, _Calls] = defaultdict(list)
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 5000):
        for pk, station, arrival, arrival_offset, departure, departure_offset in (
            Stop.objects.filter(trajet_id__in=wanted[start : start + 5000])
            .order_by("trajet_id", "sequence")
            .values_list(
                "trajet_id", "station_id", "arrival_time", "arrival_day_offset",
                "departure_time", "departure_day_offset",
            )
        ):  # fmt: skip
            calls[pk].append(
                (
                    station,
                    None if arrival is None else arrival_offset * 1440 + arrival.hour * 60
                    + arrival.minute,
                    None if departure is None else departure_offset * 1440 + departure.hour * 60
                    + departure.minute,
                )
            )  # fmt: skip
    return calls


def _pair_times(a: tuple, b: tuple) -> tuple[int, int]:
    if a[2] is not None and b[2] is not None:
        return a[2], b[2]
    if a[1] is not None and b[1] is not None:
        return a[1], b[1]
    return (a[2] if a[2] is not None else a[1]), (b[2] if b[2] is not None else b[1])


def _what_differs(
    reference: _Calls,
    other: _Calls,
    days: dict[int, frozenset[int]],
    pks: tuple[int, int],
    names: dict[int, str],
) -> tuple[str, str]:
    """Why two trains with agreeing numbers and common ends are not the same train: a
    category (one of ``UNLINKED_REASONS``) and the detail."""
    position = {station: i for i, (station, *_rest) in enumerate(other)}
    common = [call for call in reference if call[0] in position]
    if len(common) < 2:
        return "stations", f"{len(common)} common station(s) only"
    order = [position[call[0]] for call in common]
    if order != sorted(order):
        return "order", "the common stations come in another order"
    gaps, shifts = [], set()
    for call in common:
        mine, theirs = _pair_times(call, other[position[call[0]]])
        if mine is None or theirs is None:
            continue
        gap = (theirs - mine) % 1440
        gap = gap - 1440 if gap > 720 else gap
        if abs(gap) > TOLERANCE_MIN:
            gaps.append(
                f"{names.get(call[0], call[0])} {clock_of(mine)} vs {clock_of(theirs)} "
                f"({gap:+d} min)"
            )
        shifts.add(round((mine - theirs) / 1440))
    if gaps:
        return "times", "times differ at " + "; ".join(gaps[:3]) + (" …" if len(gaps) > 3 else "")
    if len(shifts) > 1:
        return "offsets", "the day offsets at the common stations disagree"
    shift = shifts.pop() if shifts else 0
    mine_days, their_days = days.get(pks[0], frozenset()), days.get(pks[1], frozenset())
    if not {day + shift for day in mine_days} & their_days:
        return "dates", (
            f"same stations and times, no common date (reference {format_dates(mine_days, 2)}; "
            f"other {format_dates(their_days, 2)})"
        )
    return "missed", "same stations, times and a common date: the linking missed it"


def clock_of(minutes: int) -> str:
    """``HH:MM`` of minutes after the departure day's midnight (``+n`` for later days)."""
    days, rest = divmod(minutes, 1440)
    return clock(dt.time(rest // 60, rest % 60), days)


def _matched(
    groups: list[set[int]], reference_ids: set[int]
) -> tuple[dict[int, int], list[set[int]], dict[int, tuple]]:
    """Trajets of other sources that the night-train reference matched, each with its
    reference trajet: the members of ``same_train_as`` groups holding a reference trajet,
    and the trajets whose kind reason names one (the same train in another timetable year,
    not linked since they share no date); with the groups kept and each trajet's row."""
    rows: dict[int, tuple] = {}

    def read(ids: Iterable[int]) -> None:
        wanted = sorted(set(ids) - set(rows))
        for start in range(0, len(wanted), 5000):
            for pk, *row in Trajet.objects.filter(pk__in=wanted[start : start + 5000]).values_list(
                "pk", "source_id", "kind", "timetable_kind", "source__name"
            ):
                rows[pk] = tuple(row)

    read(pk for group in groups for pk in group)
    kept = [g for g in groups if any(rows[pk][0] in reference_ids for pk in g)]
    matched: dict[int, int] = {}
    for group in kept:
        reference = min(pk for pk in group if rows[pk][0] in reference_ids)
        for pk in sorted(group):
            if rows[pk][0] not in reference_ids:
                matched[pk] = reference
    for pk, reason in (
        Trajet.objects.filter(kind_reason__startswith=REFERENCE_MARK)
        .exclude(source_id__in=reference_ids)
        .values_list("pk", "kind_reason")
    ):
        found = _REFERENCE_TRAJET.search(reason)
        if found and pk not in matched:
            matched[pk] = int(found[1])
    read([*matched, *matched.values()])
    return matched, kept, rows


def night_agreement() -> NightAgreement:
    """Agreement on the trains the night-train reference matched, and the matches it lacks."""
    references = list(DataSource.objects.filter(is_night_reference=True).values_list("pk", "name"))
    reference_ids = {pk for pk, _ in references}
    if not reference_ids:
        return NightAgreement()
    matched, groups, rows = _matched(_groups(), reference_ids)
    by_reference: dict[int, list[int]] = defaultdict(list)
    for pk, reference in matched.items():
        by_reference[reference].append(pk)
    groups_night = sum(
        any(rows[pk][2] == ServiceKind.NIGHT for pk in members) for members in by_reference.values()
    )
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk in matched:
        by_source[rows[pk][3]][0] += 1
        by_source[rows[pk][3]][1] += rows[pk][2] == ServiceKind.NIGHT
    off = [(pk, ref) for pk, ref in sorted(matched.items()) if rows[pk][2] != ServiceKind.NIGHT]
    final_off = [
        (pk, ref) for pk, ref in sorted(matched.items()) if rows[pk][1] != ServiceKind.NIGHT
    ]
    priority = {reason: rank for rank, reason in enumerate(UNLINKED_REASONS[::-1])}
    unlinked = sorted(
        _unlinked(reference_ids, groups, set(matched)), key=lambda item: priority[item[2]]
    )
    lines = trajet_lines(
        {pk for pair in off[:LIST_LIMIT] + final_off[:LIST_LIMIT] for pk in pair}
        | {pk for item in unlinked[:LIST_LIMIT] for pk in item[:2]}
    )
    date_blind = {pk for _, pk, reason, _ in unlinked if reason == "dates"}
    date_blind_night = set(
        Trajet.objects.filter(pk__in=date_blind, timetable_kind=ServiceKind.NIGHT).values_list(
            "pk", flat=True
        )
    )

    def disagreement(pk: int, ref: int) -> NightDisagreement:
        return NightDisagreement(lines[pk], lines[ref], timetable_reason(lines[pk].kind_reason))

    linked = {pk for group in groups for pk in group}
    return NightAgreement(
        reference_sources=[name for _, name in references],
        reference_trajets=Trajet.objects.filter(source_id__in=reference_ids).count(),
        reference_trajets_linked=len(by_reference),
        groups=len(by_reference),
        matched_trajets=len(matched),
        matched_by_link=sum(1 for pk in matched if pk in linked),
        timetable_night=len(matched) - len(off),
        final_night=len(matched) - len(final_off),
        groups_timetable_night=groups_night,
        by_source=dict(sorted(by_source.items())),
        disagreements=[disagreement(pk, ref) for pk, ref in off[:LIST_LIMIT]],
        final_disagreements=[disagreement(pk, ref) for pk, ref in final_off[:LIST_LIMIT]],
        unlinked_count=len(unlinked),
        unlinked_by_reason=dict(Counter(reason for _, _, reason, _ in unlinked).most_common()),
        unlinked=[
            UnlinkedMatch(lines[ref], lines[pk], reason, why)
            for ref, pk, reason, why in unlinked[:LIST_LIMIT]
        ],
        date_blind_trajets=len(date_blind),
        date_blind_timetable_night=len(date_blind_night),
    )


def _unlinked(
    reference_ids: set[int], groups: list[set[int]], matched: set[int]
) -> list[tuple[int, int, str, str]]:
    """(reference trajet, other trajet, reason, detail) for each reference train and trajet of
    another source that agree on the number and share an end (or, for a trajet without a
    number, have the same origin and destination), the trajet matched to no reference
    train."""
    group_of = {pk: index for index, group in enumerate(groups) for pk in group}
    references = list(
        Trajet.objects.filter(source_id__in=reference_ids).values_list(
            "pk", "train_number", "origin_id", "destination_id"
        )
    )
    by_suffix: dict[str, set[int]] = defaultdict(set)
    by_number: dict[str, set[int]] = defaultdict(set)
    by_ends: dict[tuple[int, int], set[int]] = defaultdict(set)
    for pk, number, origin, destination in (
        Trajet.objects.exclude(source_id__in=reference_ids)
        .values_list("pk", "train_number", "origin_id", "destination_id")
        .iterator(chunk_size=20_000)
    ):
        numbers = _numbers(number)
        if not numbers:
            by_ends[(origin, destination)].add(pk)
        for group in numbers:
            by_number[group].add(pk)
            for start in range(len(group) - 1):
                by_suffix[group[start:]].add(pk)
    by_number_found: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int]] = []
    for ref, number, origin, destination in references:
        found: set[int] = set()
        for group in _numbers(number):
            found |= by_suffix.get(group, set())
            for start in range(len(group) - 1):
                found |= by_number.get(group[start:], set())
        by_number_found.update((ref, pk) for pk in found)
        found |= by_ends.get((origin, destination), set())
        pairs.extend(
            (ref, pk)
            for pk in sorted(found)
            if pk not in matched
            and (group_of.get(pk) is None or group_of.get(pk) != group_of.get(ref))
        )
    calls = _calls({pk for pair in pairs for pk in pair})
    ends = {pk: {found[0][0], found[-1][0]} for pk, found in calls.items() if found}
    pairs = [
        (ref, pk)
        for ref, pk in pairs
        if (ref, pk) not in by_number_found
        or (
            ends.get(pk, set()) & {call[0] for call in calls[ref]}
            and ends.get(ref, set()) & {call[0] for call in calls[pk]}
        )
    ]
    days = {pk: c.days for pk, c in stored_calendars({pk for pair in pairs for pk in pair}).items()}
    names = dict(
        Stop.objects.filter(trajet_id__in={pk for pair in pairs for pk in pair})
        .values_list("station_id", "station__name")
        .distinct()
    )
    return [
        (ref, pk, *_what_differs(calls[ref], calls[pk], days, (ref, pk), names))
        for ref, pk in pairs
    ]
