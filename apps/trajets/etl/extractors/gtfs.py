"""GTFS extractor (zip or folder), streaming stop_times one trip at a time."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ExtractError
from ..harmonise.codes import normalise_uic
from ..harmonise.times import DAY_S, parse_gtfs_time
from ..harmonise.timezones import repair_time_zone
from ..records import (
    CalendarRecord,
    Location,
    OperatorRecord,
    Record,
    RejectRecord,
    ServiceRecord,
    StationRecord,
    StopTimeRecord,
    TransferRecord,
)
from .text import FileSet, read_csv_rows

__all__ = ["extract_gtfs"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# gtfs.de cuts night trains at midnight: an evening half ends after this time and the morning
# half starts before MORNING_START_MAX_S at the same station within MAX_SPLIT_GAP_S.
EVENING_END_MIN_S = 21 * 3600
MORNING_START_MAX_S = 3 * 3600
MAX_SPLIT_GAP_S = 2 * 3600


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _rows(files: FileSet, name: str, options: Mapping[str, Any], required: tuple[str, ...]):
    with files.open_binary(name) as raw:
        rows = read_csv_rows(
            raw, name=name, encoding=options.get("encoding", "utf-8"), required=required
        )
        _, header, _ = next(rows)
        index = {column: position for position, column in enumerate(header)}
        for line, _, values in rows:
            yield line, index, values


def _get(values: list[str], index: Mapping[str, int], column: str) -> str:
    position = index.get(column)
    if position is None or position >= len(values):
        return ""
    return values[position]


def _float(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def _read_calendars(files: FileSet, options: Mapping[str, Any]) -> tuple[dict, list[RejectRecord]]:
    periods: dict[str, tuple[dt.date, dt.date, tuple[bool, ...]]] = {}
    added: dict[str, list[dt.date]] = {}
    removed: dict[str, list[dt.date]] = {}
    rejects: list[RejectRecord] = []
    if "calendar.txt" in files:
        required = ("service_id", *_WEEKDAYS, "start_date", "end_date")
        for line, index, values in _rows(files, "calendar.txt", options, required):
            if len(values) < len(index):
                values = values + [""] * (len(index) - len(values))
            start = _parse_date(values[index["start_date"]])
            end = _parse_date(values[index["end_date"]])
            if start is None or end is None:
                where = Location("calendar.txt", line)
                rejects.append(
                    RejectRecord(where, "start_date or end_date is not YYYYMMDD", ",".join(values))
                )
                continue
            flags = tuple(values[index[day]] == "1" for day in _WEEKDAYS)
            periods[values[index["service_id"]]] = (start, end, flags)
    if "calendar_dates.txt" in files:
        required = ("service_id", "date", "exception_type")
        for line, index, values in _rows(files, "calendar_dates.txt", options, required):
            if len(values) < len(index):
                values = values + [""] * (len(index) - len(values))
            day = _parse_date(values[index["date"]])
            kind = values[index["exception_type"]]
            target = added if kind == "1" else removed if kind == "2" else None
            if day is None or target is None:
                where = Location("calendar_dates.txt", line)
                reason = (
                    f"date {values[index['date']]!r} is not YYYYMMDD"
                    if day is None
                    else f"exception_type {kind!r} is not 1 or 2"
                )
                rejects.append(RejectRecord(where, reason, ",".join(values)))
                continue
            target.setdefault(values[index["service_id"]], []).append(day)
    calendars: dict[str, CalendarRecord] = {}
    for service_id in set(periods) | set(added) | set(removed):
        start, end, flags = periods.get(service_id, (None, None, (False,) * 7))
        calendars[service_id] = CalendarRecord(
            valid_from=start,
            valid_to=end,
            weekdays=flags,  # type: ignore[arg-type]
            added=tuple(sorted(added.get(service_id, ()))),
            removed=tuple(sorted(removed.get(service_id, ()))),
            label=service_id,
        )
    return calendars, rejects


def _stop_time_rows(
    files: FileSet, options: Mapping[str, Any]
) -> Iterator[tuple[int, list[str], dict]]:
    """Stop-time rows grouped by trip; rows of a non-contiguous file are sorted on disk."""
    required = ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")
    contiguous = _is_grouped_by_trip(files, options, required)
    if contiguous:
        with files.open_binary("stop_times.txt") as raw:
            rows = read_csv_rows(
                raw,
                name="stop_times.txt",
                encoding=options.get("encoding", "utf-8"),
                required=required,
                strip=False,
            )
            _, header, _ = next(rows)
            index = {column: position for position, column in enumerate(header)}
            for line, _, values in rows:
                yield line, values, index
        return
    # Bounded memory: an on-disk SQLite table does the sort instead of Python lists.
    with tempfile.TemporaryDirectory() as folder:
        database = sqlite3.connect(Path(folder) / "sort.sqlite3")
        database.execute("CREATE TABLE st (trip TEXT, seq INTEGER, line INTEGER, row TEXT)")
        index_seen: dict[str, int] = {}
        batch: list[tuple[str, int, int, str]] = []
        for line, index, values in _rows(files, "stop_times.txt", options, required):
            index_seen = index
            sequence = values[index["stop_sequence"]]
            batch.append(
                (
                    values[index["trip_id"]],
                    int(sequence) if sequence.isdigit() else -1,
                    line,
                    "\x1f".join(values),
                )
            )
            if len(batch) >= 50_000:
                database.executemany("INSERT INTO st VALUES (?, ?, ?, ?)", batch)
                batch.clear()
        database.executemany("INSERT INTO st VALUES (?, ?, ?, ?)", batch)
        cursor = database.execute("SELECT line, row FROM st ORDER BY trip, seq, line")
        for line, row in cursor:
            yield line, row.split("\x1f"), index_seen
        database.close()


def _is_grouped_by_trip(files: FileSet, options: Mapping[str, Any], required) -> bool:
    """Tell whether stop_times.txt lists each trip's rows together (a cheap first pass)."""
    seen: set[bytes | str] = set()
    previous: bytes | str | None = None
    with files.open_binary("stop_times.txt") as raw:
        header = raw.readline().decode("utf-8-sig", errors="replace")
        simple = header.split(",")[0].strip() == "trip_id" and '"' not in header
        if simple:
            for line in raw:
                if line.startswith(b'"'):
                    simple = False
                    break
                trip = line.split(b",", 1)[0].strip()
                if trip != previous:
                    if trip in seen:
                        return False
                    seen.add(trip)
                    previous = trip
    if simple:
        return True
    seen.clear()
    previous = None
    for _, index, values in _rows(files, "stop_times.txt", options, required):
        trip = values[index["trip_id"]]
        if trip != previous:
            if trip in seen:
                return False
            seen.add(trip)
            previous = trip
    return True


def extract_gtfs(path: Path, options: Mapping[str, Any]) -> Iterator[Record]:
    """Stream the operators, stations, services and rejects of a GTFS feed.

    Options: ``encoding``; ``uic_from_stop_id`` (stop ids embed an 8-digit UIC);
    ``category_pattern`` (regex with one group taking the category from ``route_id`` when
    ``route_short_name`` is empty); ``rejoin_midnight_splits`` (gtfs.de night trains).
    """
    files = FileSet(path, **_limits(options))
    try:
        yield from _extract(files, options)
    finally:
        files.close()


def _limits(options: Mapping[str, Any]) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    if "max_uncompressed_bytes" in options:
        limits["max_uncompressed_bytes"] = int(options["max_uncompressed_bytes"])
    if "max_compression_ratio" in options:
        limits["max_ratio"] = float(options["max_compression_ratio"])
    return limits


def _extract(files: FileSet, options: Mapping[str, Any]) -> Iterator[Record]:
    for name in ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"):
        if name not in files:
            raise ExtractError(f"{files.path.name}: required GTFS file {name} is missing")
    agency_zones: dict[str, str] = {}
    default_agency = ""
    for line, index, values in _rows(files, "agency.txt", options, ("agency_name",)):
        agency_id = _get(values, index, "agency_id") or _get(values, index, "agency_name")
        zone = repair_time_zone(_get(values, index, "agency_timezone"))
        agency_zones[agency_id] = zone or "UTC"
        default_agency = default_agency or agency_id
        yield OperatorRecord(
            source_id=agency_id,
            name=_get(values, index, "agency_name"),
            url=_get(values, index, "agency_url"),
            location=Location("agency.txt", line),
        )
    if not agency_zones:
        raise ExtractError(f"{files.path.name}/agency.txt: no agency")

    station_of: dict[str, str] = {}
    stop_zones: dict[str, str] = {}
    uic_from_id = bool(options.get("uic_from_stop_id"))
    for line, index, values in _rows(files, "stops.txt", options, ("stop_id", "stop_name")):
        stop_id = _get(values, index, "stop_id")
        where = Location("stops.txt", line)
        if stop_id in station_of:
            yield RejectRecord(where, f"duplicate stop_id {stop_id!r}", ",".join(values))
            continue
        parent = _get(values, index, "parent_station")
        station_of[stop_id] = parent or stop_id
        zone = _get(values, index, "stop_timezone")
        if zone:
            stop_zones[stop_id] = repair_time_zone(zone) or ""
        if parent:
            continue
        latitude = _float(_get(values, index, "stop_lat"))
        longitude = _float(_get(values, index, "stop_lon"))
        if (
            latitude is None
            or longitude is None
            or not -90 <= latitude <= 90
            or not -180 <= longitude <= 180
        ):
            yield RejectRecord(
                where, f"stop {stop_id!r} has no valid coordinates", ",".join(values)
            )
            continue
        yield StationRecord(
            source_id=stop_id,
            name=_get(values, index, "stop_name"),
            uic=normalise_uic(stop_id) if uic_from_id else None,
            latitude=latitude,
            longitude=longitude,
            time_zone=stop_zones.get(stop_id) or agency_zones[default_agency],
            location=where,
        )

    routes: dict[str, tuple[str, str, str]] = {}
    pattern = re.compile(options["category_pattern"]) if options.get("category_pattern") else None
    for _line, index, values in _rows(files, "routes.txt", options, ("route_id",)):
        route_id = _get(values, index, "route_id")
        category = _get(values, index, "route_short_name")
        if not category and pattern is not None:
            found = pattern.search(route_id)
            category = found.group(1) if found else ""
        routes[route_id] = (
            _get(values, index, "agency_id") or default_agency,
            category,
            _get(values, index, "route_long_name"),
        )

    calendars, rejects = _read_calendars(files, options)
    yield from rejects

    trips: dict[str, tuple[str, str, str, int]] = {}
    for line, index, values in _rows(
        files, "trips.txt", options, ("route_id", "service_id", "trip_id")
    ):
        trip_id = _get(values, index, "trip_id")
        where = Location("trips.txt", line)
        if trip_id in trips:
            yield RejectRecord(where, f"duplicate trip_id {trip_id!r}", ",".join(values))
            continue
        route_id = _get(values, index, "route_id")
        if route_id not in routes:
            yield RejectRecord(
                where, f"trip refers to unknown route {route_id!r}", ",".join(values)
            )
            continue
        number = _get(values, index, "trip_short_name") or _get(values, index, "trip_headsign")
        trips[trip_id] = (route_id, _get(values, index, "service_id"), number, line)

    frequencies: dict[str, list[tuple[int, int, int]]] = {}
    if "frequencies.txt" in files:
        required = ("trip_id", "start_time", "end_time", "headway_secs")
        for line, index, values in _rows(files, "frequencies.txt", options, required):
            try:
                start = parse_gtfs_time(_get(values, index, "start_time")) or 0
                end = parse_gtfs_time(_get(values, index, "end_time")) or 0
                headway = int(_get(values, index, "headway_secs"))
                if headway <= 0:
                    raise ExtractError("headway_secs must be positive")
            except (ExtractError, ValueError) as exc:
                yield RejectRecord(Location("frequencies.txt", line), str(exc), ",".join(values))
                continue
            frequencies.setdefault(_get(values, index, "trip_id"), []).append((start, end, headway))

    if "transfers.txt" in files:
        for line, index, values in _rows(
            files, "transfers.txt", options, ("from_stop_id", "to_stop_id")
        ):
            seconds = _get(values, index, "min_transfer_time")
            yield TransferRecord(
                from_station_id=station_of.get(_get(values, index, "from_stop_id"), ""),
                to_station_id=station_of.get(_get(values, index, "to_stop_id"), ""),
                min_transfer_s=int(seconds) if seconds.isdigit() else None,
                location=Location("transfers.txt", line),
            )

    rejoin = bool(options.get("rejoin_midnight_splits"))
    halves: list[tuple[ServiceRecord, str]] = []
    for service, route_id in _services(
        files, options, trips, routes, calendars, agency_zones, station_of, frequencies
    ):
        if isinstance(service, RejectRecord):
            yield service
        elif rejoin and _is_split_candidate(service):
            halves.append((service, route_id))
        else:
            yield service
    if halves:
        yield from _rejoin_halves(halves)


def _services(files, options, trips, routes, calendars, agency_zones, station_of, frequencies):
    current: str | None = None
    stops: list[StopTimeRecord] = []
    first_line = 0
    broken: str = ""
    positions: tuple[int, int, int, int, int] | None = None
    for line, values, index in _stop_time_rows(files, options):
        if positions is None:
            positions = (
                index["trip_id"], index["arrival_time"], index["departure_time"],
                index["stop_id"], index["stop_sequence"],
            )  # fmt: skip
        trip_at, arrival_at, departure_at, stop_at, sequence_at = positions
        if len(values) <= max(positions):
            values = values + [""] * (max(positions) + 1 - len(values))
        trip_id = values[trip_at].strip()
        if trip_id != current:
            if current is not None:
                yield from _finish(
                    current,
                    stops,
                    first_line,
                    broken,
                    trips,
                    routes,
                    calendars,
                    agency_zones,
                    frequencies,
                )
            current, stops, first_line, broken = trip_id, [], line, ""
        if broken:
            continue
        try:
            arrival = parse_gtfs_time(values[arrival_at])
            departure = parse_gtfs_time(values[departure_at])
            sequence = int(values[sequence_at])
        except (ExtractError, ValueError) as exc:
            broken = f"stop_times.txt:{line}: {exc}"
            continue
        stop_id = values[stop_at].strip()
        station = station_of.get(stop_id)
        if station is None:
            broken = f"stop_times.txt:{line}: unknown stop_id {stop_id!r}"
            continue
        stops.append(StopTimeRecord(station, sequence, arrival, departure))
    if current is not None:
        yield from _finish(
            current, stops, first_line, broken, trips, routes, calendars, agency_zones, frequencies
        )


def _finish(
    trip_id, stops, first_line, broken, trips, routes, calendars, agency_zones, frequencies
):
    where = Location("stop_times.txt", first_line, f"trip_id={trip_id}")
    trip = trips.get(trip_id)
    if trip is None:
        yield RejectRecord(where, f"stop_times refer to unknown trip {trip_id!r}"), ""
        return
    if broken:
        yield RejectRecord(where, f"trip {trip_id!r} rejected: {broken}"), ""
        return
    if len(stops) < 2:
        yield RejectRecord(where, f"trip {trip_id!r} has {len(stops)} stop (at least 2 needed)"), ""
        return
    stops.sort(key=lambda stop: stop.sequence)
    if len({stop.sequence for stop in stops}) != len(stops):
        yield RejectRecord(where, f"trip {trip_id!r} repeats a stop_sequence"), ""
        return
    route_id, service_id, number, _line = trip
    agency_id, category, route_name = routes[route_id]
    calendar = calendars.get(service_id)
    if calendar is None:
        yield RejectRecord(where, f"trip {trip_id!r} uses unknown service_id {service_id!r}"), ""
        return
    service = ServiceRecord(
        source_id=trip_id,
        operator_id=agency_id,
        stops=tuple(stops),
        location=where,
        train_number=number.strip('"'),
        category=category,
        route_name=route_name,
        calendar=calendar,
        time_zone=agency_zones.get(agency_id) or next(iter(agency_zones.values())),
        has_day_offsets=True,
    )
    windows = frequencies.get(trip_id)
    if not windows:
        yield service, route_id
        return
    offset0 = stops[0].departure_s if stops[0].departure_s is not None else stops[0].arrival_s or 0
    for start, end, headway in windows:
        for departure in range(start, end, headway):
            shift = departure - offset0
            shifted = tuple(
                StopTimeRecord(
                    stop.station_id,
                    stop.sequence,
                    None if stop.arrival_s is None else stop.arrival_s + shift,
                    None if stop.departure_s is None else stop.departure_s + shift,
                )
                for stop in stops
            )
            yield (
                replace(service, source_id=f"{trip_id}@{departure // 60:04d}", stops=shifted),
                route_id,
            )


def _is_split_candidate(service: ServiceRecord) -> bool:
    last = service.stops[-1].arrival_s or service.stops[-1].departure_s or 0
    first = service.stops[0].departure_s or service.stops[0].arrival_s or 0
    return EVENING_END_MIN_S <= last < DAY_S or first < MORNING_START_MAX_S


def _rejoin_halves(halves: list[tuple[ServiceRecord, str]]) -> Iterator[ServiceRecord]:
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
