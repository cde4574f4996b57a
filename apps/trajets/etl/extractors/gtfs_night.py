"""Re-assembly of trains that a feed cuts at midnight (gtfs.de), only when provably one train.

gtfs.de stores no time after 23:59: a train running through midnight is published as an
evening trip and a morning trip. The two are joined only when the morning trip continues the
evening one: same route, it leaves from the station where the evening trip ends, at most
MAX_SPLIT_GAP_S after it, on exactly the days after the evening trip's days, with a train
number that agrees, and without calling again at a station the evening trip called at. A
half with several possible partners is left alone. Everything else stays as published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..harmonise.times import DAY_S
from ..records import ServiceRecord, StopTimeRecord

__all__ = ["RejoinReport", "is_split_candidate", "rejoin_halves"]

EVENING_END_MIN_S = 22 * 3600
MORNING_START_MAX_S = 1 * 3600
MAX_SPLIT_GAP_S = 30 * 60


@dataclass
class RejoinReport:
    """Halves joined, and halves left alone (listed in the load's message)."""

    joined: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def _start(service: ServiceRecord) -> int:
    first = service.stops[0]
    return first.departure_s if first.departure_s is not None else first.arrival_s or 0


def _end(service: ServiceRecord) -> int:
    last = service.stops[-1]
    return last.arrival_s if last.arrival_s is not None else last.departure_s or 0


def is_split_candidate(service: ServiceRecord) -> bool:
    """Whether a trip may be half of a train cut at midnight."""
    return EVENING_END_MIN_S <= _end(service) < DAY_S or _start(service) < MORNING_START_MAX_S


def _continues(evening: ServiceRecord, morning: ServiceRecord) -> bool:
    if morning.stops[0].station_id != evening.stops[-1].station_id:
        return False
    if not 0 <= _start(morning) + DAY_S - _end(evening) <= MAX_SPLIT_GAP_S:
        return False
    numbers = {evening.train_number, morning.train_number} - {""}
    if len(numbers) > 1:
        return False
    called = {stop.station_id for stop in evening.stops}
    if any(stop.station_id in called for stop in morning.stops[1:]):
        return False
    assert evening.calendar is not None
    assert morning.calendar is not None
    next_days = {day + 1 for day in evening.calendar.day_numbers()}
    return next_days == morning.calendar.day_numbers()


def rejoin_halves(
    halves: list[tuple[ServiceRecord, str]], report: RejoinReport | None = None
) -> Iterator[ServiceRecord]:
    """Yield the halves, each pair that is provably one train joined into one service."""
    report = report if report is not None else RejoinReport()
    evenings = [(s, r) for s, r in halves if EVENING_END_MIN_S <= _end(s) < DAY_S]
    mornings = [(s, r) for s, r in halves if _start(s) < MORNING_START_MAX_S]
    by_start: dict[tuple[str, str], list[int]] = defaultdict(list)
    for m, (morning, route) in enumerate(mornings):
        by_start[(route, morning.stops[0].station_id)].append(m)
    partners: dict[int, list[int]] = defaultdict(list)
    claimed: dict[int, list[int]] = defaultdict(list)
    for e, (evening, route) in enumerate(evenings):
        for m in by_start.get((route, evening.stops[-1].station_id), ()):
            morning = mornings[m][0]
            if morning is not evening and _continues(evening, morning):
                partners[e].append(m)
                claimed[m].append(e)
    pairs = {
        e: found[0]
        for e, found in partners.items()
        if len(found) == 1 and len(claimed[found[0]]) == 1
    }
    for e, _found in partners.items():
        if e not in pairs:
            report.ambiguous.append(evenings[e][0].source_id)
    joined_mornings = {id(mornings[m][0]) for m in pairs.values()}
    used = {id(evenings[e][0]) for e in pairs} | joined_mornings
    for e, m in pairs.items():
        evening, morning = evenings[e][0], mornings[m][0]
        report.joined.append(f"{evening.source_id}+{morning.source_id}")
        yield _joined(evening, morning)
    for service, _route in halves:
        if id(service) not in used:
            yield service


def _joined(evening: ServiceRecord, morning: ServiceRecord) -> ServiceRecord:
    last = evening.stops[-1]
    junction = replace(
        last,
        departure_s=_start(morning) + DAY_S,
        pickup_type=morning.stops[0].pickup_type,
    )
    tail = tuple(
        StopTimeRecord(
            stop.station_id,
            last.sequence + 1 + position,
            None if stop.arrival_s is None else stop.arrival_s + DAY_S,
            None if stop.departure_s is None else stop.departure_s + DAY_S,
            stop.pickup_type,
            stop.drop_off_type,
        )
        for position, stop in enumerate(morning.stops[1:])
    )
    return replace(
        evening,
        source_id=f"{evening.source_id}+{morning.source_id}",
        stops=(*evening.stops[:-1], junction, *tail),
        merged_source_ids=(evening.source_id, morning.source_id),
    )
