"""Normalised records streamed by every extractor (no ORM: testable alone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record sits in its input: file, line (1-based, header = 1) and optional field."""

    file: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        if self.field:
            text += f" [{self.field}]"
        return text


@dataclass(frozen=True, slots=True)
class OperatorRecord:
    """An operator (agency) as one source names it."""

    source_id: str
    name: str
    location: Location
    url: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class StationRecord:
    """A station as one source describes it; coordinates in WGS84 degrees.

    ``alt_names`` are other names the source gives the same station (the platform names of a
    GTFS parent station, a romanised form); ``place_name`` the town it says the station
    serves; ``same_as_source_id`` another record of the source for the same station.
    """

    source_id: str
    name: str
    location: Location
    uic: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    time_zone: str | None = None
    parent_source_id: str | None = None
    same_as_source_id: str | None = None
    alt_names: tuple[str, ...] = ()
    place_name: str = ""


@dataclass(frozen=True, slots=True)
class StopTimeRecord:
    """One call of a service at a station.

    Times are seconds after midnight of the service day in the service's time reference
    (see ``ServiceRecord.time_zone``); they may exceed 86,400 when the source counts past
    midnight (GTFS), and wrap when the source only gives clock times.
    """

    station_id: str
    sequence: int
    arrival_s: int | None
    departure_s: int | None
    pickup_type: int = 0
    drop_off_type: int = 0


@dataclass(frozen=True, slots=True)
class CalendarRecord:
    """When a service runs: a period with weekday flags plus dated additions and removals."""

    valid_from: dt.date | None
    valid_to: dt.date | None
    weekdays: tuple[bool, bool, bool, bool, bool, bool, bool]
    added: tuple[dt.date, ...] = ()
    removed: tuple[dt.date, ...] = ()
    label: str = ""

    def shifted(self, days: int) -> CalendarRecord:
        """The same calendar ``days`` later (earlier when negative): dates move, and so do
        the weekdays the service runs on."""
        delta = dt.timedelta(days=days)
        turn = days % 7
        return CalendarRecord(
            valid_from=self.valid_from + delta if self.valid_from else None,
            valid_to=self.valid_to + delta if self.valid_to else None,
            weekdays=self.weekdays[-turn:] + self.weekdays[:-turn] if turn else self.weekdays,  # type: ignore[arg-type]
            added=tuple(day + delta for day in self.added),
            removed=tuple(day + delta for day in self.removed),
            label=self.label,
        )

    def day_numbers(self) -> frozenset[int]:
        """Every date the service runs, as proleptic ordinals (``date.toordinal()``): the
        weekly pattern inside its period, plus the dates added, minus the dates removed (an
        added date outside the period is one more day, never a reason to widen the period)."""
        days: set[int] = set()
        if self.valid_from and self.valid_to:
            first, last = self.valid_from.toordinal(), self.valid_to.toordinal()
            for weekday, runs in enumerate(self.weekdays):
                if runs:
                    start = first + (weekday - self.valid_from.weekday()) % 7
                    days.update(range(start, last + 1, 7))
        days.update(day.toordinal() for day in self.added)
        days.difference_update(day.toordinal() for day in self.removed)
        return frozenset(days)

    def running_dates(self) -> list[dt.date]:
        """Every date the service runs, sorted."""
        return [dt.date.fromordinal(day) for day in sorted(self.day_numbers())]

    def first_running_date(self) -> dt.date | None:
        """The first date the service runs, or None when it never runs."""
        days = self.day_numbers()
        return dt.date.fromordinal(min(days)) if days else None

    @classmethod
    def of_days(cls, days: Iterable[int], *, label: str = "") -> CalendarRecord:
        """The calendar running exactly on ``days`` (ordinals), in a short form.

        The weekly pattern covers the stretch of dates (runs separated by more than two weeks
        are stretches) that needs the fewest dated exceptions, a weekday being in the pattern
        when the service runs on more than half of that weekday's dates there; every other
        day is a dated addition or removal. Any set of dates round-trips exactly
        (``day_numbers``), and a stray date months away does not turn the pattern into
        a list of additions.
        """
        chosen = frozenset(days)
        if not chosen:
            return cls(None, None, (False,) * 7, label=label)  # type: ignore[arg-type]
        ordered = sorted(chosen)
        starts = [0, *(i for i in range(1, len(ordered)) if ordered[i] - ordered[i - 1] > 14)]
        ends = [*starts[1:], len(ordered)]
        bounds = [(ordered[a], ordered[b - 1]) for a, b in zip(starts, ends, strict=True)]
        best: tuple[int, int, int, tuple[bool, ...]] | None = None
        for i in range(len(bounds)):
            for j in range(i, len(bounds)):
                first, last = bounds[i][0], bounds[j][1]
                weekdays, cost = _pattern(chosen, first, last)
                cost += sum(1 for day in ordered if day < first or day > last)
                key = (cost, -(last - first))
                if best is None or key < (best[0], -(best[2] - best[1])):
                    best = (cost, first, last, weekdays)
        _, first, last, weekdays = best  # type: ignore[misc]
        pattern: set[int] = set()
        for weekday, runs in enumerate(weekdays):
            if runs:  # the first date of that weekday from ``first``, then every 7 days
                pattern.update(range(first + (weekday - first + 1) % 7, last + 1, 7))
        return cls(
            valid_from=dt.date.fromordinal(first),
            valid_to=dt.date.fromordinal(last),
            weekdays=weekdays,  # type: ignore[arg-type]
            added=tuple(dt.date.fromordinal(d) for d in sorted(chosen - pattern)),
            removed=tuple(dt.date.fromordinal(d) for d in sorted(pattern - chosen)),
            label=label,
        )


def _pattern(days: frozenset[int], first: int, last: int) -> tuple[tuple[bool, ...], int]:
    """The weekdays run on more than half of their dates in [first, last], and the number of
    exceptions that pattern needs there. Ordinal 1 (0001-01-01) is a Monday."""
    counts = [0] * 7
    for day in days:
        if first <= day <= last:
            counts[(day - 1) % 7] += 1
    weeks, extra = divmod(last - first + 1, 7)
    totals = [weeks] * 7
    for day in range(first, first + extra):
        totals[(day - 1) % 7] += 1
    weekdays = tuple(2 * count > total for count, total in zip(counts, totals, strict=True))
    cost = sum(
        total - count if runs else count
        for runs, count, total in zip(weekdays, counts, totals, strict=True)
    )
    return weekdays, cost


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One scheduled service with its ordered stops.

    ``time_zone`` is the zone every stop time is expressed in (GTFS: the agency zone); None
    means each stop's own local zone (night-train database, European Sleeper).
    ``has_day_offsets`` is False when times are clock times that wrap after midnight and the
    day offsets must be inferred from the order of the stops. ``train_number`` is the number
    alone and ``category`` the product (``EN``, ``ICE``); ``labels`` the source's own texts
    they came from (``EN 442 Slovakia``, a line ``ICE 28``), read for night-train products.
    ``mode`` is ``rail``, ``tram_train`` or ``coach`` (TransportMode).
    """

    source_id: str
    operator_id: str
    stops: tuple[StopTimeRecord, ...]
    location: Location
    train_number: str = ""
    category: str = ""
    route_name: str = ""
    calendar: CalendarRecord | None = None
    time_zone: str | None = None
    has_day_offsets: bool = True
    night_hint: str = ""
    labels: tuple[str, ...] = ()
    source_distance_km: float | None = None
    merged_source_ids: tuple[str, ...] = field(default_factory=tuple)
    mode: str = "rail"


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """A GTFS transfer between two stations, with its minimum time in seconds when given."""

    from_station_id: str
    to_station_id: str
    min_transfer_s: int | None
    location: Location


class RejectCode(StrEnum):
    """Why a record was rejected, in one word the quality report groups by.

    Chosen where the rejection happens (an extractor, the transform, the loader), never read
    back from the reason's text: a reason quotes the source's ids and names, which may say
    anything. The values are what ``RejectedRecord.reason_code`` stores; the pages explain
    each in :data:`apps.trajets.reject_reasons.REJECT_REASONS`.
    """

    INVALID_TEXT = "invalid_text"  # a NUL character, or longer than the warehouse stores
    FRAGMENT = "fragment"  # part of a train described whole elsewhere (one stop)
    NOT_RAIL = "not_rail"  # a coach, a ferry…: not a train
    IMPLAUSIBLE_TIME = "implausible_time"  # a dwell, hop or speed no train has
    INVALID_BOARDING_RULE = "invalid_boarding_rule"  # pickup/drop-off type outside 0-3
    UNKNOWN_STATION = "unknown_station"  # a stop the source does not describe
    MISSING_COORDINATES = "missing_coordinates"  # a station without coordinates
    INVALID_COORDINATES = "invalid_coordinates"  # coordinates outside ±90° / ±180°
    DUPLICATE_ID = "duplicate_id"  # an id given twice in one source
    INVALID_TIME = "invalid_time"  # unreadable or impossible, missing, or going backwards
    TOO_FEW_STOPS = "too_few_stops"  # fewer than two stops
    NOT_A_STATION = "not_a_station"  # a city's meta-station grouping stations
    NOT_A_RECORD = "not_a_record"  # a section header row
    INACTIVE = "inactive"  # marked inactive by the source
    BROKEN_REFERENCE = "broken_reference"  # refers to an element absent from the input
    INVALID_CALENDAR = "invalid_calendar"  # a calendar that cannot be read or never runs
    INVALID_DATE = "invalid_date"  # an unreadable date
    MISSING_NAME = "missing_name"  # a station without a name
    MISSING_COUNTRY = "missing_country"  # no usable country (nor coordinates to find one)
    INVALID_RECORD = "invalid_record"  # any other problem


@dataclass(frozen=True, slots=True)
class RejectRecord:
    """A row that could not be used: its place in the input, why in one code, and a human
    reason naming what was wrong."""

    location: Location
    code: RejectCode
    reason: str
    raw: str = ""


Record = OperatorRecord | StationRecord | ServiceRecord | TransferRecord | RejectRecord


# Longest name or id the warehouse stores (the model fields' max_length).
NAME_MAX_LENGTH = 200


def text_problem(what: str, text: str, max_length: int) -> str:
    """Why ``text`` cannot be stored as it is ("" when it can): a NUL character, which
    PostgreSQL text cannot hold (one such row failed the whole source), or a length beyond
    the field's (a 50,000-character name was silently cut to 200)."""
    if "\x00" in text:
        return f"{what} contains a NUL character (U+0000)"
    if len(text) > max_length:
        return f"{what} is {len(text):,} characters long (at most {max_length})"
    return ""
