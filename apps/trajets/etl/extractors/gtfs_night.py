"""Re-assembly of night trains that a feed cuts at midnight (gtfs.de)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

from ..harmonise.times import DAY_S
from ..records import (
    ServiceRecord,
    StopTimeRecord,
)

__all__ = ["is_split_candidate", "rejoin_halves"]

# gtfs.de cuts night trains at midnight: an evening half ends after this time and the morning
# half starts before MORNING_START_MAX_S at the same station within MAX_SPLIT_GAP_S.
EVENING_END_MIN_S = 21 * 3600
MORNING_START_MAX_S = 3 * 3600
MAX_SPLIT_GAP_S = 2 * 3600


def is_split_candidate(service: ServiceRecord) -> bool:
    last = service.stops[-1].arrival_s or service.stops[-1].departure_s or 0
    first = service.stops[0].departure_s or service.stops[0].arrival_s or 0
    return EVENING_END_MIN_S <= last < DAY_S or first < MORNING_START_MAX_S


def rejoin_halves(halves: list[tuple[ServiceRecord, str]]) -> Iterator[ServiceRecord]:
    """Pair evening and morning halves of the same night train and yield the joined services.

    Same route, the morning half starts where the evening half ends, within two hours after
    it, on the next day of at least one of the evening half's running days.
    """
    evenings: list[tuple[ServiceRecord, str]] = []
    mornings: list[tuple[ServiceRecord, str]] = []
    for half in halves:
        is_evening = (half[0].stops[-1].arrival_s or 0) >= EVENING_END_MIN_S
        (evenings if is_evening else mornings).append(half)
    used: set[int] = set()
    for evening, route_id in evenings:
        end = evening.stops[-1].arrival_s or 0
        evening_days = {d + dt.timedelta(days=1) for d in evening.calendar.running_dates()}
        best: tuple[int, int] | None = None
        for position, (morning, morning_route) in enumerate(mornings):
            if position in used or morning_route != route_id:
                continue
            if morning.stops[0].station_id != evening.stops[-1].station_id:
                continue
            gap = (morning.stops[0].departure_s or 0) + DAY_S - end
            if not 0 <= gap <= MAX_SPLIT_GAP_S:
                continue
            if not evening_days.intersection(morning.calendar.running_dates()):
                continue
            if best is None or gap < best[0]:
                best = (gap, position)
        if best is None:
            yield evening
            continue
        used.add(best[1])
        morning = mornings[best[1]][0]
        junction = StopTimeRecord(
            evening.stops[-1].station_id,
            evening.stops[-1].sequence,
            evening.stops[-1].arrival_s,
            (morning.stops[0].departure_s or 0) + DAY_S,
        )
        tail = tuple(
            StopTimeRecord(
                stop.station_id,
                evening.stops[-1].sequence + 1 + position,
                None if stop.arrival_s is None else stop.arrival_s + DAY_S,
                None if stop.departure_s is None else stop.departure_s + DAY_S,
            )
            for position, stop in enumerate(morning.stops[1:])
        )
        yield replace(
            evening,
            source_id=f"{evening.source_id}+{morning.source_id}",
            stops=(*evening.stops[:-1], junction, *tail),
            merged_source_ids=(evening.source_id, morning.source_id),
        )
    for position, (morning, _route) in enumerate(mornings):
        if position not in used:
            yield morning
