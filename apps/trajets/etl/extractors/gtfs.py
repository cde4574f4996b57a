"""GTFS extractor (zip or folder), streaming stop_times one trip at a time."""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import ExtractError, reject_code_of
from ..harmonise.codes import normalise_uic
from ..harmonise.labels import line_category, split_label
from ..harmonise.times import parse_gtfs_time
from ..harmonise.timezones import repair_time_zone
from ..records import (
    Location,
    OperatorRecord,
    Record,
    RejectCode,
    RejectRecord,
    ServiceRecord,
    StationRecord,
    StopTimeRecord,
    TransferRecord,
)
from .gtfs_night import is_split_candidate, rejoin_halves
from .gtfs_tables import cell, decimal, read_calendars, rows, stop_time_rows
from .text import FileSet

__all__ = ["extract_gtfs"]

_by_sequence = operator.attrgetter("sequence")


class _Route(NamedTuple):
    agency_id: str
    category: str
    name: str
    short_name: str
    type: str


class _Trip(NamedTuple):
    route_id: str
    service_id: str
    number: str
    category: str
    labels: tuple[str, ...]
    mode: str


# GTFS route types that are not trains (basic and extended types).
_NOT_RAIL = {
    "3": "bus", "4": "ferry", "5": "cable tram", "6": "aerial lift", "7": "funicular",
    "11": "trolleybus",
}  # fmt: skip


def _not_rail(route_type: str) -> str:
    """The mode of a route type that is not a train (bus, coach, ferry…), or ""."""
    if route_type in _NOT_RAIL:
        return _NOT_RAIL[route_type]
    if route_type.isdecimal() and len(route_type) >= 3:
        code = int(route_type)
        for low, high, mode in _NOT_RAIL_RANGES:
            if low <= code <= high:
                return mode
    return ""


# Modes a source may keep (``route_type_modes``): stored with their mode, never counted as
# trains unless asked for. Other route types that are not trains are rejected.
_KEPT_MODES = ("rail", "tram_train", "coach")


def _kept_modes(options: Mapping[str, Any]) -> dict[str, str]:
    """``route_type_modes`` (route type → mode kept), checked against the known modes."""
    table = options.get("route_type_modes") or {}
    if not isinstance(table, Mapping):
        raise ExtractError("option route_type_modes must be a table of route_type = mode")
    for route_type, mode in table.items():
        if mode not in _KEPT_MODES:
            raise ExtractError(
                f"option route_type_modes: route_type {route_type} has mode {mode!r}; "
                f"the modes are {', '.join(_KEPT_MODES)}"
            )
    return {str(k): str(v) for k, v in table.items()}


_NOT_RAIL_RANGES = (
    (200, 299, "coach"), (700, 899, "bus"), (1000, 1099, "water"), (1100, 1199, "air"),
    (1200, 1299, "ferry"), (1300, 1399, "aerial lift"), (1400, 1499, "funicular"),
    (1500, 1599, "taxi"), (1700, 1799, "other"),
)  # fmt: skip
# GTFS pickup_type / drop_off_type: empty means 0 (regular).
_BOARDING = {"": 0, "0": 0, "1": 1, "2": 2, "3": 3}


def extract_gtfs(path: Path, options: Mapping[str, Any]) -> Iterator[Record]:
    """Stream the operators, stations, services and rejects of a GTFS feed.

    Options: ``encoding``; ``uic_from_stop_id`` (stop ids embed a UIC code, or a national
    code that ``uic_prefix`` completes);
    ``category_pattern`` (regex with one group taking the category from ``route_id`` when
    ``route_short_name`` is empty); ``rejoin_midnight_splits`` (gtfs.de night trains);
    ``route_type_modes`` (route types kept with their mode, e.g. ``{"3" = "coach"}``: a trip
    of another route type that is not a train is rejected).
    """
    files = FileSet(path, **_limits(options))
    try:
        yield from _extract(files, options)
    finally:
        files.close()


def _digits_of(stop_id: str) -> str:
    """The last group of digits of a stop id (``StopPoint:OCETrain TER-87571240`` → the code)."""
    groups = re.findall(r"\d+", stop_id)
    return groups[-1] if groups else ""


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
    if "calendar.txt" not in files and "calendar_dates.txt" not in files:
        # GTFS requires one of them: without, no trip has a date (each would be rejected).
        raise ExtractError(
            f"{files.path.name}: required GTFS file calendar.txt or calendar_dates.txt is "
            "missing (no trip would have a running date)"
        )
    agency_zones: dict[str, str] = {}
    default_agency = ""
    for line, index, values in rows(files, "agency.txt", options, ("agency_name",)):
        agency_id = cell(values, index, "agency_id") or cell(values, index, "agency_name")
        zone = repair_time_zone(cell(values, index, "agency_timezone"))
        agency_zones[agency_id] = zone or "UTC"
        default_agency = default_agency or agency_id
        yield OperatorRecord(
            source_id=agency_id,
            name=cell(values, index, "agency_name"),
            url=cell(values, index, "agency_url"),
            location=Location("agency.txt", line),
        )
    if not agency_zones:
        raise ExtractError(f"{files.path.name}/agency.txt: no agency")

    station_of: dict[str, str] = {}
    stop_zones: dict[str, str] = {}
    stations: list[StationRecord] = []
    uic_from_id = bool(options.get("uic_from_stop_id"))
    uic_prefix = str(options.get("uic_prefix", ""))
    child_names: dict[str, list[str]] = {}
    for line, index, values in rows(files, "stops.txt", options, ("stop_id", "stop_name")):
        stop_id = cell(values, index, "stop_id")
        where = Location("stops.txt", line)
        if stop_id in station_of:
            yield RejectRecord(
                where, RejectCode.DUPLICATE_ID, f"duplicate stop_id {stop_id!r}", ",".join(values)
            )
            continue
        parent = cell(values, index, "parent_station")
        station_of[stop_id] = parent or stop_id
        zone = cell(values, index, "stop_timezone")
        if zone:
            stop_zones[stop_id] = repair_time_zone(zone) or ""
        if parent:
            # Platforms often carry the operator's own name of the station (gtfs.de: parent
            # "Hamburg, Hamburg Hbf", platforms "Hamburg Hbf"): the parent gets them as names.
            child_names.setdefault(parent, []).append(cell(values, index, "stop_name"))
            continue
        latitude = decimal(cell(values, index, "stop_lat"))
        longitude = decimal(cell(values, index, "stop_lon"))
        if (
            latitude is None
            or longitude is None
            or not -90 <= latitude <= 90
            or not -180 <= longitude <= 180
        ):
            yield RejectRecord(
                where,
                RejectCode.MISSING_COORDINATES
                if latitude is None or longitude is None
                else RejectCode.INVALID_COORDINATES,
                f"stop {stop_id!r} has no valid coordinates",
                ",".join(values),
            )
            continue
        stations.append(
            StationRecord(
                source_id=stop_id,
                name=cell(values, index, "stop_name"),
                uic=normalise_uic(uic_prefix + _digits_of(stop_id)) if uic_from_id else None,
                latitude=latitude,
                longitude=longitude,
                time_zone=stop_zones.get(stop_id) or agency_zones[default_agency],
                location=where,
            )
        )
    for station in stations:
        names = dict.fromkeys(n for n in child_names.get(station.source_id, ()) if n)
        names.pop(station.name, None)
        yield replace(station, alt_names=tuple(names)) if names else station

    routes: dict[str, _Route] = {}
    pattern = re.compile(options["category_pattern"]) if options.get("category_pattern") else None
    for _line, index, values in rows(files, "routes.txt", options, ("route_id",)):
        route_id = cell(values, index, "route_id")
        short_name = cell(values, index, "route_short_name")
        category = line_category(short_name)
        if not category and pattern is not None:
            found = pattern.search(route_id)
            category = found.group(1) if found else ""
        long_name = cell(values, index, "route_long_name")
        routes[route_id] = _Route(
            agency_id=cell(values, index, "agency_id") or default_agency,
            category=category or str(options.get("category", "")),
            name=long_name or (short_name if any(c.isdigit() for c in short_name) else ""),
            short_name=short_name,
            type=cell(values, index, "route_type"),
        )

    calendars, rejects = read_calendars(files, options)
    yield from rejects

    trips: dict[str, _Trip] = {}
    not_rail: set[str] = set()
    kept_modes = _kept_modes(options)
    number_pattern = (
        re.compile(options["number_from_trip_id"]) if options.get("number_from_trip_id") else None
    )
    for line, index, values in rows(
        files, "trips.txt", options, ("route_id", "service_id", "trip_id")
    ):
        trip_id = cell(values, index, "trip_id")
        # The trip id in the location: a reject names its trip without the raw file.
        where = Location("trips.txt", line, f"trip_id={trip_id}")
        if trip_id in trips or trip_id in not_rail:
            yield RejectRecord(
                where, RejectCode.DUPLICATE_ID, f"duplicate trip_id {trip_id!r}", ",".join(values)
            )
            continue
        route_id = cell(values, index, "route_id")
        route = routes.get(route_id)
        if route is None:
            yield RejectRecord(
                where,
                RejectCode.BROKEN_REFERENCE,
                f"trip refers to unknown route {route_id!r}",
                ",".join(values),
            )
            continue
        mode = kept_modes.get(route.type, "") or _not_rail(route.type)
        if mode and route.type not in kept_modes:
            not_rail.add(trip_id)
            yield RejectRecord(
                where,
                RejectCode.NOT_RAIL,
                f"trip {trip_id!r} is not a train: route {route_id!r} has route_type "
                f"{route.type} ({mode})",
                ",".join(values),
            )
            continue
        label = split_label(cell(values, index, "trip_short_name"))
        headsign = cell(values, index, "trip_headsign").strip('"')
        number = label.number or (headsign if headsign.isdecimal() else "")
        if not number and number_pattern is not None:
            found = number_pattern.search(trip_id)
            number = found.group(1) if found else ""
        trips[trip_id] = _Trip(
            route_id=route_id,
            service_id=cell(values, index, "service_id"),
            number=number,
            category=label.category or route.category,
            labels=tuple(
                t for t in (cell(values, index, "trip_short_name"), route.short_name) if t
            ),
            mode=mode or "rail",
        )

    frequencies: dict[str, list[tuple[int, int, int]]] = {}
    if "frequencies.txt" in files:
        required = ("trip_id", "start_time", "end_time", "headway_secs")
        for line, index, values in rows(files, "frequencies.txt", options, required):
            try:
                start = parse_gtfs_time(cell(values, index, "start_time")) or 0
                end = parse_gtfs_time(cell(values, index, "end_time")) or 0
                headway = int(cell(values, index, "headway_secs"))
                if headway <= 0:
                    raise ExtractError(
                        "headway_secs must be positive", code=RejectCode.INVALID_TIME
                    )
            except ValueError as exc:
                yield RejectRecord(
                    Location("frequencies.txt", line),
                    reject_code_of(exc),
                    str(exc),
                    ",".join(values),
                )
                continue
            frequencies.setdefault(cell(values, index, "trip_id"), []).append((start, end, headway))

    if "transfers.txt" in files:
        for line, index, values in rows(
            files, "transfers.txt", options, ("from_stop_id", "to_stop_id")
        ):
            seconds = cell(values, index, "min_transfer_time")
            yield TransferRecord(
                from_station_id=station_of.get(cell(values, index, "from_stop_id"), ""),
                to_station_id=station_of.get(cell(values, index, "to_stop_id"), ""),
                min_transfer_s=int(seconds) if seconds.isdecimal() else None,
                location=Location("transfers.txt", line),
            )

    rejoin = bool(options.get("rejoin_midnight_splits"))
    halves: list[tuple[ServiceRecord, str]] = []
    for service, route_id in _services(
        files, options, trips, routes, calendars, agency_zones, station_of, frequencies, not_rail
    ):
        if isinstance(service, RejectRecord):
            yield service
        elif rejoin and is_split_candidate(service):
            halves.append((service, route_id))
        else:
            yield service
    if halves:
        yield from rejoin_halves(halves)


def _services(
    files, options, trips, routes, calendars, agency_zones, station_of, frequencies, not_rail
):
    """Group the stop_times rows by trip in one tight loop over plain lists of cells."""
    current: str | None = None
    stops: list[StopTimeRecord] = []
    first_line = 0
    broken: tuple[RejectCode, str] | None = None
    positions: tuple[int, int, int, int, int] | None = None
    width = 0
    for line, values, index in stop_time_rows(files, options):
        if positions is None:
            positions = (
                index["trip_id"], index["arrival_time"], index["departure_time"],
                index["stop_id"], index["stop_sequence"], index.get("pickup_type", -1),
                index.get("drop_off_type", -1),
            )  # fmt: skip
            width = max(positions) + 1
        trip_at, arrival_at, departure_at, stop_at, sequence_at, pickup_at, drop_off_at = positions
        if len(values) < width:
            values = values + [""] * (width - len(values))
        trip_id = values[trip_at].strip()
        if trip_id in not_rail:
            continue
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
            current, stops, first_line, broken = trip_id, [], line, None
        if broken:
            continue
        try:
            arrival = parse_gtfs_time(values[arrival_at])
            departure = parse_gtfs_time(values[departure_at])
            sequence = int(values[sequence_at])
        except ValueError as exc:  # an ExtractError, or a stop_sequence that is no number
            broken = (reject_code_of(exc), f"stop_times.txt:{line}: {exc}")
            continue
        stop_id = values[stop_at].strip()
        station = station_of.get(stop_id)
        if station is None:
            broken = (
                RejectCode.UNKNOWN_STATION,
                f"stop_times.txt:{line}: unknown stop_id {stop_id!r}",
            )
            continue
        pickup = _BOARDING.get(values[pickup_at].strip(), -1) if pickup_at >= 0 else 0
        drop_off = _BOARDING.get(values[drop_off_at].strip(), -1) if drop_off_at >= 0 else 0
        if pickup < 0 or drop_off < 0:
            column, at = (
                ("pickup_type", pickup_at) if pickup < 0 else ("drop_off_type", drop_off_at)
            )
            broken = (
                RejectCode.INVALID_BOARDING_RULE,
                f"stop_times.txt:{line}: {column} {values[at]!r} is not a boarding rule "
                "(expected empty, 0, 1, 2 or 3)",
            )
            continue
        stops.append(StopTimeRecord(station, sequence, arrival, departure, pickup, drop_off))
    if current is not None:
        yield from _finish(
            current, stops, first_line, broken, trips, routes, calendars, agency_zones, frequencies
        )


def _clock(*seconds: int | None) -> str:
    value = next((s for s in seconds if s is not None), None)
    if value is None:
        return "no time"
    return f"{value // 3600:02d}:{value % 3600 // 60:02d}"


def _finish(
    trip_id, stops, first_line, broken, trips, routes, calendars, agency_zones, frequencies
):
    where = Location("stop_times.txt", first_line, f"trip_id={trip_id}")
    trip = trips.get(trip_id)
    if trip is None:
        yield (
            RejectRecord(
                where, RejectCode.BROKEN_REFERENCE, f"stop_times refer to unknown trip {trip_id!r}"
            ),
            "",
        )
        return
    if broken is not None:
        code, problem = broken
        yield RejectRecord(where, code, f"trip {trip_id!r} rejected: {problem}"), ""
        return
    if len(stops) < 2:
        yield (
            RejectRecord(
                where,
                RejectCode.FRAGMENT,
                f"fragment: trip {trip_id!r} has {len(stops)} stop ("
                + ", ".join(
                    f"{s.station_id} at {_clock(s.departure_s, s.arrival_s)}" for s in stops
                )
                + "); at least 2 needed for a journey",
            ),
            "",
        )
        return
    if any(a.sequence >= b.sequence for a, b in itertools.pairwise(stops)):
        stops.sort(key=_by_sequence)
        if len({stop.sequence for stop in stops}) != len(stops):
            yield (
                RejectRecord(
                    where, RejectCode.INVALID_RECORD, f"trip {trip_id!r} repeats a stop_sequence"
                ),
                "",
            )
            return
    route = routes[trip.route_id]
    calendar = calendars.get(trip.service_id)
    if calendar is None:
        yield (
            RejectRecord(
                where,
                RejectCode.BROKEN_REFERENCE,
                f"trip {trip_id!r} uses unknown service_id {trip.service_id!r}",
            ),
            "",
        )
        return
    service = ServiceRecord(
        source_id=trip_id,
        operator_id=route.agency_id,
        stops=tuple(stops),
        location=where,
        train_number=trip.number,
        category=trip.category,
        route_name=route.name,
        calendar=calendar,
        time_zone=agency_zones.get(route.agency_id) or next(iter(agency_zones.values())),
        has_day_offsets=True,
        labels=trip.labels,
        mode=trip.mode,
    )
    route_id = trip.route_id
    windows = frequencies.get(trip_id)
    if not windows:
        yield service, route_id
        return
    offset0 = stops[0].departure_s if stops[0].departure_s is not None else stops[0].arrival_s or 0
    for start, end, headway in windows:
        for departure in range(start, end, headway):
            shift = departure - offset0
            shifted = tuple(
                replace(
                    stop,
                    arrival_s=None if stop.arrival_s is None else stop.arrival_s + shift,
                    departure_s=None if stop.departure_s is None else stop.departure_s + shift,
                )
                for stop in stops
            )
            clock = f"{departure // 3600:02d}{departure % 3600 // 60:02d}"
            yield replace(service, source_id=f"{trip_id}@{clock}", stops=shifted), route_id
