"""Normalised records streamed by every extractor (no ORM: testable alone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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

    def running_dates(self) -> list[dt.date]:
        """Every date the service runs, sorted."""
        dates: set[dt.date] = set()
        if self.valid_from and self.valid_to:
            day = self.valid_from
            while day <= self.valid_to:
                if self.weekdays[day.weekday()]:
                    dates.add(day)
                day += dt.timedelta(days=1)
        dates.update(self.added)
        dates.difference_update(self.removed)
        return sorted(dates)

    def first_running_date(self) -> dt.date | None:
        """The first date the service runs, or None when it never runs."""
        first: dt.date | None = None
        if self.valid_from and self.valid_to and any(self.weekdays):
            removed = set(self.removed)
            day = self.valid_from
            while day <= self.valid_to:
                if self.weekdays[day.weekday()] and day not in removed:
                    first = day
                    break
                day += dt.timedelta(days=1)
        added = [d for d in self.added if d not in self.removed]
        if added and (first is None or added[0] < first):
            first = min(added)
        return first


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One scheduled service with its ordered stops.

    ``time_zone`` is the zone every stop time is expressed in (GTFS: the agency zone); None
    means each stop's own local zone (night-train database, European Sleeper).
    ``has_day_offsets`` is False when times are clock times that wrap after midnight and the
    day offsets must be inferred from the order of the stops.
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
    source_distance_km: float | None = None
    merged_source_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """A GTFS transfer between two stations, with its minimum time in seconds when given."""

    from_station_id: str
    to_station_id: str
    min_transfer_s: int | None
    location: Location


@dataclass(frozen=True, slots=True)
class RejectRecord:
    """A row that could not be used, with its place in the input and a human reason."""

    location: Location
    reason: str
    raw: str = ""


Record = OperatorRecord | StationRecord | ServiceRecord | TransferRecord | RejectRecord
