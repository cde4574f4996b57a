"""An independent reader of raw GTFS feeds (zip or folder), for the truth checks.

It shares no code with the ETL's extractors on purpose: a bug there must not hide here. It
reads with :mod:`csv` and :mod:`zipfile` only: UTF-8 with or without BOM, quoted fields,
CRLF, values padded with spaces (Renfe), members inside a sub-folder of the archive, one-digit
hours and hours past 24:00. Calendars are expanded to sets of service dates (as
``date.toordinal()`` numbers).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = [
    "RawFeed",
    "RawFeedError",
    "RawStopTime",
    "RawTrip",
    "parse_time",
    "read_feed",
]

DAY_S = 86_400
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class RawFeedError(ValueError):
    """The feed cannot be read (missing path or file, not a zip, undecodable)."""


@dataclass(frozen=True, slots=True)
class RawStopTime:
    """One ``stop_times.txt`` row: times in seconds after the service day's midnight, and its
    boarding rules (GTFS ``pickup_type``, ``drop_off_type``; empty is 0)."""

    sequence: int
    stop_id: str
    arrival_s: int | None
    departure_s: int | None
    pickup_type: str = "0"
    drop_off_type: str = "0"


@dataclass(frozen=True, slots=True)
class RawTrip:
    """One ``trips.txt`` row and what its route says."""

    trip_id: str
    line: int
    route_id: str
    service_id: str
    agency_id: str


@dataclass
class RawFeed:
    """What the truth checks need of a feed, read straight from its files."""

    path: Path
    agency_zones: dict[str, str]
    default_agency: str
    parent_of: dict[str, str]
    trips: dict[str, RawTrip]
    service_dates: dict[str, frozenset[int]]
    stop_times: dict[str, list[RawStopTime]]
    frequencies: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    bad_times: dict[str, str] = field(default_factory=dict)
    oddities: list[str] = field(default_factory=list)

    def zone_of(self, trip: RawTrip) -> str:
        """The zone a trip's times are counted in: its agency's."""
        return self.agency_zones.get(trip.agency_id) or self.agency_zones[self.default_agency]


def parse_time(text: str) -> int | None:
    """Seconds of a GTFS ``H:MM:SS`` time (hours may pass 24); None when empty.

    Raises ValueError when the text is not such a time.
    """
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"time {text!r} is not H:MM:SS")
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = int(parts[2]) if len(parts) == 3 else 0
    if minutes > 59 or seconds > 59:
        raise ValueError(f"time {text!r} has minutes or seconds above 59")
    return hours * 3600 + minutes * 60 + seconds


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


class _Members:
    """The files of a feed folder or archive, by base name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive: zipfile.ZipFile | None = None
        if path.is_dir():
            self.names = {p.name: str(p) for p in path.iterdir() if p.is_file()}
        elif path.is_file():
            try:
                self.archive = zipfile.ZipFile(path)
            except zipfile.BadZipFile as exc:
                raise RawFeedError(f"{path}: not a folder nor a zip archive ({exc})") from exc
            self.names = {
                info.filename.rsplit("/", 1)[-1]: info.filename
                for info in self.archive.infolist()
                if not info.is_dir()
            }
        else:
            raise RawFeedError(f"{path}: no such file or folder")

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def open(self, name: str) -> IO[bytes]:
        if self.archive is not None:
            return self.archive.open(self.names[name])
        return open(self.names[name], "rb")

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def _rows(members: _Members, name: str, encoding: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each data row of a member; cells and headers stripped."""
    if name not in members:
        return
    with members.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        reader = csv.reader(text)
        try:
            header = [cell.strip().lstrip("\ufeff") for cell in next(reader)]
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise RawFeedError(f"{members.path}/{name}: not {encoding}: {exc}") from exc
        try:
            for values in reader:
                if not values or not any(v.strip() for v in values):
                    continue
                yield (
                    reader.line_num,
                    {column: value.strip() for column, value in zip(header, values, strict=False)},
                )
        except UnicodeDecodeError as exc:
            raise RawFeedError(f"{members.path}/{name}: not {encoding}: {exc}") from exc


def _service_dates(
    members: _Members, encoding: str, oddities: list[str]
) -> dict[str, frozenset[int]]:
    """Every service's dates (ordinals): the weekly pattern of calendar.txt inside its
    period, plus the dates calendar_dates.txt adds, minus those it removes."""
    dates: dict[str, set[int]] = defaultdict(set)
    for line, row in _rows(members, "calendar.txt", encoding):
        start, end = _parse_date(row.get("start_date", "")), _parse_date(row.get("end_date", ""))
        service = row.get("service_id", "")
        if start is None or end is None:
            oddities.append(f"calendar.txt:{line}: service {service!r} has no valid period")
            continue
        days = dates[service]
        first, last = start.toordinal(), end.toordinal()
        for weekday, name in enumerate(_WEEKDAYS):
            if row.get(name, "") == "1":
                days.update(range(first + (weekday - start.weekday()) % 7, last + 1, 7))
    added: dict[str, set[int]] = defaultdict(set)
    removed: dict[str, set[int]] = defaultdict(set)
    for line, row in _rows(members, "calendar_dates.txt", encoding):
        day = _parse_date(row.get("date", ""))
        kind = row.get("exception_type", "")
        service = row.get("service_id", "")
        if day is None or kind not in ("1", "2"):
            oddities.append(f"calendar_dates.txt:{line}: date or exception_type unreadable")
            continue
        (added if kind == "1" else removed)[service].add(day.toordinal())
    for service in set(added) | set(removed):
        both = added[service] & removed[service]
        if both:
            shown = ", ".join(str(dt.date.fromordinal(day)) for day in sorted(both))
            oddities.append(
                f"calendar_dates.txt: service {service!r} both adds and removes {shown} "
                "(read as removed)"
            )
        dates[service] = (dates[service] | added[service]) - removed[service]
    return {service: frozenset(days) for service, days in dates.items()}


def read_feed(path: Path, *, encoding: str = "utf-8-sig") -> RawFeed:
    """Read the agencies, stops' parents, trips, calendars, stop times and frequencies."""
    members = _Members(path)
    try:
        for name in ("agency.txt", "trips.txt", "stop_times.txt"):
            if name not in members:
                raise RawFeedError(f"{path}: {name} is missing")
        oddities: list[str] = []
        zones: dict[str, str] = {}
        for _line, row in _rows(members, "agency.txt", encoding):
            key = row.get("agency_id") or row.get("agency_name", "")
            zones[key] = row.get("agency_timezone", "")
        if not zones:
            raise RawFeedError(f"{path}: agency.txt lists no agency")
        default_agency = next(iter(zones))
        parent_of = {
            row.get("stop_id", ""): row.get("parent_station") or row.get("stop_id", "")
            for _line, row in _rows(members, "stops.txt", encoding)
        }
        route_agency = {
            row.get("route_id", ""): row.get("agency_id") or default_agency
            for _line, row in _rows(members, "routes.txt", encoding)
        }
        trips: dict[str, RawTrip] = {}
        for line, row in _rows(members, "trips.txt", encoding):
            trip_id = row.get("trip_id", "")
            if trip_id in trips:
                oddities.append(f"trips.txt:{line}: trip_id {trip_id!r} repeated")
                continue
            route_id = row.get("route_id", "")
            trips[trip_id] = RawTrip(
                trip_id=trip_id,
                line=line,
                route_id=route_id,
                service_id=row.get("service_id", ""),
                agency_id=route_agency.get(route_id, default_agency),
            )
        service_dates = _service_dates(members, encoding, oddities)
        stop_times: dict[str, list[RawStopTime]] = defaultdict(list)
        bad_times: dict[str, str] = {}
        for line, row in _rows(members, "stop_times.txt", encoding):
            trip_id = row.get("trip_id", "")
            try:
                stop_times[trip_id].append(
                    RawStopTime(
                        sequence=int(row.get("stop_sequence", "")),
                        stop_id=row.get("stop_id", ""),
                        arrival_s=parse_time(row.get("arrival_time", "")),
                        departure_s=parse_time(row.get("departure_time", "")),
                        pickup_type=row.get("pickup_type") or "0",
                        drop_off_type=row.get("drop_off_type") or "0",
                    )
                )
            except ValueError as exc:
                bad_times.setdefault(trip_id, f"stop_times.txt:{line}: {exc}")
        for calls in stop_times.values():
            calls.sort(key=lambda call: call.sequence)
        frequencies: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for line, row in _rows(members, "frequencies.txt", encoding):
            try:
                start = parse_time(row.get("start_time", ""))
                end = parse_time(row.get("end_time", ""))
                headway = int(row.get("headway_secs", ""))
            except ValueError:
                oddities.append(f"frequencies.txt:{line}: unreadable row")
                continue
            if start is None or end is None or headway <= 0:
                oddities.append(f"frequencies.txt:{line}: unreadable row")
                continue
            frequencies[row.get("trip_id", "")].append((start, end, headway))
    finally:
        members.close()
    return RawFeed(
        path=path,
        agency_zones=zones,
        default_agency=default_agency,
        parent_of=parent_of,
        trips=trips,
        service_dates=service_dates,
        stop_times=dict(stop_times),
        frequencies=dict(frequencies),
        bad_times=bad_times,
        oddities=oddities,
    )
