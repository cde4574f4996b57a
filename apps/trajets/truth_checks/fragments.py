"""Fragments: one-stop trips the ETL refused, and halves of trains cut at midnight that stayed
apart (gtfs.de publishes no time after 23:59: a night train is an evening and a morning trip).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.trajets.models import DataSource, ImportRun, RejectedRecord, Stop, Trajet

from .listing import TrajetLine, trajet_lines
from .stored import stored_calendars

__all__ = ["FragmentCheck", "MidnightHalf", "RejectedFragment", "fragments", "is_cut_at_midnight"]

LIST_LIMIT = 200
EVENING_FROM = dt.time(22, 0)
MORNING_UNTIL = dt.time(1, 0)
# A morning trajet is a possible other half of an evening one when it leaves the station
# where the evening one ends at most this long after it arrived, on the day after one of its
# dates, without calling again at a station the evening one called at.
PARTNER_WINDOW_MIN = 60
PARTNERS_LISTED = 3
MISSED = "should have been rejoined"


@dataclass(frozen=True)
class RejectedFragment:
    """A record the ETL refused as a fragment."""

    location: str
    reason: str


@dataclass(frozen=True)
class MidnightHalf:
    """A trajet ending late or starting just after midnight that was not rejoined, with the
    trajets that could continue it (or precede it) and why each is not its other half."""

    trajet: TrajetLine
    side: str
    partners: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FragmentCheck:
    """Fragments of one source's latest successful run."""

    source: str
    run_id: int | None = None
    rejected_fragments: int = 0
    fragments: list[RejectedFragment] = field(default_factory=list)
    checks_midnight_halves: bool = False
    unjoined_halves: int = 0
    halves_with_partner: int = 0
    halves_missed: int = 0
    halves: list[MidnightHalf] = field(default_factory=list)


def _source_options(name: str) -> dict[str, Any]:
    """The options the sources file declares for ``name`` (empty when it is not declared)."""
    try:
        data = tomllib.loads(Path(settings.ETL_SOURCES_FILE).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return next((entry for entry in data.get("source", []) if entry.get("name") == name), {})


def is_cut_at_midnight(source: DataSource) -> bool:
    """Whether the source cuts trains at midnight (declared ``rejoin_midnight_splits``)."""
    return bool(_source_options(source.name).get("rejoin_midnight_splits"))


def _minutes(value: dt.time, offset: int = 0) -> int:
    return offset * 1440 + value.hour * 60 + value.minute


@dataclass(frozen=True, slots=True)
class _Half:
    pk: int
    origin: int
    destination: int
    departure: int
    arrival: int
    number: str


def _why_apart(evening: _Half, morning: _Half, days: dict[int, frozenset[int]]) -> str:
    """Why an evening and a morning trajet are not one train, or that nothing tells them
    apart."""
    gap = morning.departure + 1440 - evening.arrival
    reasons = []
    if evening.number and morning.number and evening.number != morning.number:
        reasons.append(f"train numbers {evening.number} and {morning.number}")
    next_days = {day + 1 for day in days.get(evening.pk, frozenset())}
    morning_days = days.get(morning.pk, frozenset())
    if next_days != morning_days:
        reasons.append(
            f"dates: {len(next_days - morning_days)} evening date(s) without the morning the "
            f"next day, {len(morning_days - next_days)} morning date(s) without the evening "
            "before"
        )
    if not reasons:
        return f"{gap} min apart and nothing else tells them apart: {MISSED}"
    return f"{gap} min apart; " + "; ".join(reasons)


def _midnight_halves(source: DataSource) -> tuple[int, int, int, list[MidnightHalf]]:
    rows = (
        Trajet.objects.filter(source=source)
        .exclude(source_record_id__contains="+")
        .values_list(
            "pk", "origin_id", "destination_id", "departure_time", "arrival_time",
            "arrival_day_offset", "train_number",
        )
    )  # fmt: skip
    evenings, mornings = [], []
    for pk, origin, destination, departure, arrival, offset, number in rows:
        half = _Half(
            pk, origin, destination, _minutes(departure), _minutes(arrival, offset), number
        )
        if offset == 0 and arrival >= EVENING_FROM:
            evenings.append(half)
        if departure < MORNING_UNTIL:
            mornings.append(half)
    mornings_from: dict[int, list[_Half]] = defaultdict(list)
    for half in mornings:
        mornings_from[half.origin].append(half)
    pairs: list[tuple[_Half, _Half]] = [
        (evening, morning)
        for evening in evenings
        for morning in mornings_from.get(evening.destination, [])
        if morning.pk != evening.pk
        and 0 <= morning.departure + 1440 - evening.arrival <= PARTNER_WINDOW_MIN
    ]
    involved = {half.pk for pair in pairs for half in pair}
    days = {pk: calendar.days for pk, calendar in stored_calendars(involved).items()}
    stations: dict[int, list[int]] = defaultdict(list)
    for pk, station in (
        Stop.objects.filter(trajet_id__in=involved)
        .order_by("trajet_id", "sequence")
        .values_list("trajet_id", "station_id")
    ):
        stations[pk].append(station)
    pairs = [
        (evening, morning)
        for evening, morning in pairs
        if not set(stations[evening.pk]) & set(stations[morning.pk][1:])
        and {day + 1 for day in days.get(evening.pk, ())} & days.get(morning.pk, frozenset())
    ]
    pairs.sort(key=lambda pair: pair[1].departure + 1440 - pair[0].arrival)
    partners: dict[int, list[str]] = defaultdict(list)
    for evening, morning in pairs:
        why = _why_apart(evening, morning, days)
        partners[evening.pk].append(f"morning trajet #{morning.pk}: {why}")
        partners[morning.pk].append(f"evening trajet #{evening.pk}: {why}")
    for pk, found in partners.items():
        if len(found) > PARTNERS_LISTED:
            partners[pk] = [*found[:PARTNERS_LISTED], f"and {len(found) - PARTNERS_LISTED} more"]
    halves = [(half, "evening") for half in evenings] + [(half, "morning") for half in mornings]
    halves.sort(key=lambda item: (not partners.get(item[0].pk), item[0].pk))
    shown = halves[:LIST_LIMIT]
    lines = trajet_lines(half.pk for half, _ in shown)
    missed = sum(
        1 for evening, morning in pairs if _why_apart(evening, morning, days).endswith(MISSED)
    )
    return (
        len(halves),
        sum(1 for half, _ in halves if partners.get(half.pk)),
        missed,
        [MidnightHalf(lines[half.pk], side, partners.get(half.pk, [])) for half, side in shown],
    )


def fragments(source: DataSource) -> FragmentCheck:
    """The fragments the latest successful run of ``source`` refused, and, for a source that
    cuts trains at midnight, the halves left apart with their possible other halves."""
    run = (
        ImportRun.objects.filter(source=source, status=ImportRun.Status.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )
    rejected = RejectedRecord.objects.filter(run=run, reason_code="fragment").order_by("id")
    listed = [RejectedFragment(r.location, r.reason) for r in rejected[:LIST_LIMIT]]
    cut = is_cut_at_midnight(source)
    halves, with_partner, missed, listed_halves = _midnight_halves(source) if cut else (0, 0, 0, [])
    return FragmentCheck(
        source=source.name,
        run_id=run.pk if run else None,
        rejected_fragments=rejected.count() if run else 0,
        fragments=listed if run else [],
        checks_midnight_halves=cut,
        unjoined_halves=halves,
        halves_with_partner=with_partner,
        halves_missed=missed,
        halves=listed_halves,
    )
