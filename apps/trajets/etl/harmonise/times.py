"""Time parsing for the three past-midnight conventions and DST-correct local times."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..errors import ExtractError
from ..records import RejectCode

__all__ = [
    "ResolvedStop",
    "ResolvedTimes",
    "check_order",
    "clock_or_none",
    "duration_between",
    "parse_clock_time",
    "parse_gtfs_time",
    "parse_sheets_time",
    "resolve_times",
]

DAY_S = 86_400
_GTFS_TIME = re.compile(r"^\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*$")
_SHEETS_TIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?Z?\s*$"
)
# Google Sheets counts days from 1899-12-30: a bare time of day is stored on that date.
_SHEETS_EPOCH = dt.date(1899, 12, 30)


@lru_cache(maxsize=8192)
def parse_gtfs_time(value: str) -> int | None:
    """Return seconds after service-day midnight for a GTFS ``H:MM:SS`` time, None when empty.

    Accepts one-digit hours (``8:30:00``), padding spaces and hours ≥ 24 (service past
    midnight). Raises ExtractError for impossible values such as ``25:61:00``.
    """
    if not value or not value.strip():
        return None
    match = _GTFS_TIME.match(value)
    if not match:
        raise ExtractError(f"time {value.strip()!r} is not H:MM:SS", code=RejectCode.INVALID_TIME)
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59 or hours > 71:
        raise ExtractError(
            f"impossible time {value.strip()!r} (minutes/seconds > 59 or > 72 h)",
            code=RejectCode.INVALID_TIME,
        )
    return hours * 3600 + minutes * 60 + seconds


def parse_clock_time(value: str) -> int | None:
    """Return seconds after midnight for a clock time ``HH:MM`` (< 24 h), None when empty."""
    seconds = parse_gtfs_time(value)
    if seconds is not None and seconds >= DAY_S:
        raise ExtractError(
            f"clock time {value.strip()!r} is not below 24:00", code=RejectCode.INVALID_TIME
        )
    return seconds


def parse_sheets_time(value: object) -> int | None:
    """Return the local clock time in seconds of a Google-Sheets datetime, None when empty.

    ``"1899-12-30T19:06:00.000Z"`` is 19:06 local time of the stop: the ``Z`` is wrong (not
    UTC) and the date carries no day offset. Later dates (sheets durations of more than one
    day) add whole days.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = _SHEETS_TIME.match(str(value))
    if not match:
        raise ExtractError(
            f"time {value!r} is not a 1899-12-30T…Z sheets datetime", code=RejectCode.INVALID_TIME
        )
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ExtractError(
            f"time {value!r} has an impossible date", code=RejectCode.INVALID_DATE
        ) from exc
    hours, minutes, seconds = int(match[4]), int(match[5]), int(match[6] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ExtractError(f"impossible time {value!r}", code=RejectCode.INVALID_TIME)
    extra_days = max(0, (day - _SHEETS_EPOCH).days)
    return extra_days * DAY_S + hours * 3600 + minutes * 60 + seconds


@dataclass(frozen=True, slots=True)
class ResolvedStop:
    """Local times of one stop in its own zone, with day offsets from the departure day (built
    from two (clock time, day offset) pairs and the two UTC instants, in this order)."""

    arrival: dt.time | None
    arrival_day_offset: int
    departure: dt.time | None
    departure_day_offset: int
    arrival_utc: dt.datetime | None
    departure_utc: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ResolvedTimes:
    """Every stop resolved, plus the DST-correct end-to-end duration in minutes."""

    stops: tuple[ResolvedStop, ...]
    duration_min: int
    reference_date: dt.date


@lru_cache(maxsize=256)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _to_utc(day: dt.date, seconds: int, zone: str) -> dt.datetime:
    """UTC instant of ``seconds`` after local midnight of ``day`` in ``zone``.

    GTFS defines times from "noon minus 12 h" so that DST days keep their meaning; wall-clock
    arithmetic on the local date gives the same result except inside the skipped hour.
    """
    days, rest = divmod(seconds, DAY_S)
    local = dt.datetime.combine(day + dt.timedelta(days=days), dt.time()) + dt.timedelta(
        seconds=rest
    )
    return local.replace(tzinfo=_zone(zone)).astimezone(dt.UTC)


def duration_between(start_s: int, end_s: int, zone: str, reference_date: dt.date) -> int:
    """Minutes between two service-day times of ``zone`` on ``reference_date`` (DST-correct)."""
    start = _to_utc(reference_date, start_s, zone)
    end = _to_utc(reference_date, end_s, zone)
    return round((end - start).total_seconds() / 60)


def _local(instant: dt.datetime, zone: str, day: dt.date) -> tuple[dt.time, int]:
    local = instant.astimezone(_zone(zone))
    return local.time().replace(tzinfo=None), (local.date() - day).days


def resolve_times(
    times: Sequence[tuple[int | None, int | None]],
    zones: Sequence[str],
    *,
    reference_date: dt.date,
    time_zone: str | None,
    has_day_offsets: bool,
) -> ResolvedTimes:
    """Turn source stop times into local times with day offsets and a DST-correct duration.

    Parameters
    ----------
    times
        ``(arrival_s, departure_s)`` per stop, in seconds after service-day midnight.
    zones
        IANA zone of each stop.
    reference_date
        A day the service departs on; durations across DST changes are computed on it.
    time_zone
        Zone the times are expressed in (GTFS agency zone) or None for each stop's zone.
    has_day_offsets
        False when times are clock times that wrap after midnight: each time is then moved
        to the first day that keeps the instants in order.

    Returns
    -------
    ResolvedTimes
        Local times of each stop in its zone and the duration in minutes.

    Raises
    ------
    ExtractError
        When a stop has no time at all, or times go backwards in a source with day offsets.
    """
    if has_day_offsets and time_zone and all(zone == time_zone for zone in zones):
        return _resolve_in_one_zone(times, time_zone, reference_date)
    instants: list[tuple[dt.datetime | None, dt.datetime | None]] = []
    previous: dt.datetime | None = None
    day_shift = 0
    for index, ((arrival_s, departure_s), zone) in enumerate(zip(times, zones, strict=True)):
        source_zone = time_zone or zone
        pair: list[dt.datetime | None] = []
        for seconds in (arrival_s, departure_s):
            if seconds is None:
                pair.append(None)
                continue
            instant = _to_utc(reference_date, seconds + day_shift * DAY_S, source_zone)
            if previous is not None and instant < previous:
                if has_day_offsets:
                    raise ExtractError(
                        f"stop {index + 1}: time goes backwards", code=RejectCode.INVALID_TIME
                    )
                while instant < previous:
                    day_shift += 1
                    instant = _to_utc(reference_date, seconds + day_shift * DAY_S, source_zone)
            pair.append(instant)
            previous = instant
        if pair[0] is None and pair[1] is None:
            raise ExtractError(
                f"stop {index + 1} has neither arrival nor departure time",
                code=RejectCode.INVALID_TIME,
            )
        instants.append((pair[0], pair[1]))
    resolved = []
    for (arrival, departure), zone in zip(instants, zones, strict=True):
        arrival_local = _local(arrival, zone, reference_date) if arrival else (None, 0)
        departure_local = _local(departure, zone, reference_date) if departure else (None, 0)
        resolved.append(ResolvedStop(*arrival_local, *departure_local, arrival, departure))
    start = instants[0][1] or instants[0][0]
    end = instants[-1][0] or instants[-1][1]
    duration = round((end - start).total_seconds() / 60) if start and end else 0
    return ResolvedTimes(
        stops=tuple(resolved), duration_min=duration, reference_date=reference_date
    )


@lru_cache(maxsize=DAY_S)
def clock_or_none(seconds: int | None) -> tuple[dt.time | None, int]:
    """Local clock time and day offset of ``seconds`` after service-day midnight in the zone
    of the times; ``(None, 0)`` for None. Cached: feeds reuse a few thousand times."""
    if seconds is None:
        return None, 0
    days, rest = divmod(seconds, DAY_S)
    hours, rest = divmod(rest, 3600)
    return dt.time(hours, *divmod(rest, 60)), days


def check_order(times: Sequence[tuple[int | None, int | None]]) -> None:
    """Raise ExtractError when a stop has no time or times go backwards (one zone)."""
    previous = -1
    for index, (arrival_s, departure_s) in enumerate(times):
        if arrival_s is None and departure_s is None:
            raise ExtractError(
                f"stop {index + 1} has neither arrival nor departure time",
                code=RejectCode.INVALID_TIME,
            )
        if arrival_s is not None:
            if arrival_s < previous:
                raise ExtractError(
                    f"stop {index + 1}: time goes backwards", code=RejectCode.INVALID_TIME
                )
            previous = arrival_s
        if departure_s is not None:
            if departure_s < previous:
                raise ExtractError(
                    f"stop {index + 1}: time goes backwards", code=RejectCode.INVALID_TIME
                )
            previous = departure_s


def _resolve_in_one_zone(
    times: Sequence[tuple[int | None, int | None]], zone: str, reference_date: dt.date
) -> ResolvedTimes:
    """Fast path: every stop in the zone of the times; only the duration needs UTC."""
    check_order(times)
    resolved = []
    for arrival_s, departure_s in times:
        arrival = clock_or_none(arrival_s)
        departure = clock_or_none(departure_s)
        resolved.append(ResolvedStop(*arrival, *departure, None, None))
    start_s = times[0][1] if times[0][1] is not None else times[0][0]
    end_s = times[-1][0] if times[-1][0] is not None else times[-1][1]
    start = _to_utc(reference_date, start_s, zone)  # type: ignore[arg-type]
    end = _to_utc(reference_date, end_s, zone)  # type: ignore[arg-type]
    return ResolvedTimes(
        stops=tuple(resolved),
        duration_min=round((end - start).total_seconds() / 60),
        reference_date=reference_date,
    )
