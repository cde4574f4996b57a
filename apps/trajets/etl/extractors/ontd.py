"""Back-on-Track Open Night Train Database extractor (folder of JSON objects keyed by id)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import ExtractError
from ..harmonise.labels import split_label
from ..harmonise.times import parse_sheets_time
from ..harmonise.timezones import repair_country, repair_time_zone
from ..records import (
    CalendarRecord,
    Location,
    OperatorRecord,
    Record,
    RejectCode,
    RejectRecord,
    ServiceRecord,
    StationRecord,
    StopTimeRecord,
)

__all__ = ["extract_ontd", "parse_ontd_date"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MAX_JSON_BYTES = 200 * 1024 * 1024


def _load(folder: Path, name: str, *, required: bool = True) -> dict[str, Any]:
    path = folder / name
    if not path.exists():
        if required:
            raise ExtractError(f"{folder.name}: required file {name} is missing")
        return {}
    if path.stat().st_size > _MAX_JSON_BYTES:
        raise ExtractError(f"{name}: larger than {_MAX_JSON_BYTES} bytes, refused")
    text = path.read_bytes()
    if not text.strip():
        raise ExtractError(f"{name}: empty file")
    head = text.lstrip()[:200].lower()
    if head.startswith(b"<"):
        raise ExtractError(
            f"{name}: is an HTML page, not JSON (the upstream export sometimes stores a "
            "Google Apps Script error page); keep the previous snapshot"
        )
    try:
        data = json.loads(text.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError(f"{name}: not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ExtractError(
            f"{name}: expected one object keyed by record id, got {type(data).__name__}"
        )
    return data


def parse_ontd_date(value: object) -> dt.date | None:
    """Return the date of an ONTD calendar cell: ISO datetime, ``20240518`` integer or empty."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{8}", text):
        return dt.datetime.strptime(text, "%Y%m%d").date()
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text[:10])
    raise ExtractError(
        f"date {value!r} is neither an ISO date nor YYYYMMDD", code=RejectCode.INVALID_DATE
    )


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _flag(value: object) -> bool:
    # 0.5 means "every second day": the service does run on that weekday.
    number = _number(value)
    return bool(number and number > 0)


def extract_ontd(path: Path, options: Mapping[str, Any]) -> Iterator[Record]:
    """Stream operators, stations, services and rejects of an ONTD snapshot folder."""
    if not path.is_dir():
        raise ExtractError(f"{path}: the night-train database is a folder of JSON files")
    agencies = _load(path, "agencies.json")
    for key, agency in agencies.items():
        yield OperatorRecord(
            source_id=str(agency.get("agency_id") or key),
            name=str(agency.get("agency_name_romanized") or agency.get("agency_name") or key),
            url=str(agency.get("agency_url") or ""),
            country=repair_country(str(agency.get("agency_state") or "")) or "",
            location=Location("agencies.json", None, key),
        )
    stops = _load(path, "stops.json")
    for key, stop in stops.items():
        where = Location("stops.json", None, key)
        latitude, longitude = _number(stop.get("stop_lat")), _number(stop.get("stop_lon"))
        country = repair_country(str(stop.get("stop_country") or ""))
        if latitude is None or longitude is None:
            yield _reject(
                where, RejectCode.MISSING_COORDINATES, f"stop {key!r} has no coordinates", stop
            )
            continue
        source_id = str(stop.get("stop_id") or key).strip()
        name = str(stop.get("stop_name") or key).strip()
        others = (source_id, stop.get("stop_name_romanized"), stop.get("stop_name_alt"))
        yield StationRecord(
            source_id=source_id,
            name=name,
            latitude=latitude,
            longitude=longitude,
            country=country,
            time_zone=repair_time_zone(str(stop.get("stop_timezone") or ""), country=country),
            location=where,
            alt_names=tuple(
                dict.fromkeys(str(n).strip() for n in others if n and str(n).strip() != name)
            ),
            place_name=str(
                stop.get("stop_cityname_romanized") or stop.get("stop_cityname") or ""
            ).strip(),
        )

    calendars: dict[str, CalendarRecord] = {}
    for key, row in _load(path, "calendar.json").items():
        where = Location("calendar.json", None, key)
        service_id = str(row.get("service_id") or key)
        if service_id.strip().startswith("--"):
            yield RejectRecord(
                where,
                RejectCode.NOT_A_RECORD,
                f"section header row {service_id.strip()!r}, not a calendar",
                "",
            )
            continue
        try:
            start, end = (
                parse_ontd_date(row.get("start_date")),
                parse_ontd_date(row.get("end_date")),
            )
        except ExtractError as exc:
            yield _reject(where, exc.code, str(exc), row)
            continue
        calendars[service_id] = CalendarRecord(
            valid_from=start,
            valid_to=end,
            weekdays=tuple(_flag(row.get(day)) for day in _WEEKDAYS),  # type: ignore[arg-type]
            label=service_id,
        )
    exceptions: dict[str, tuple[list[dt.date], list[dt.date]]] = {}
    for key, row in _load(path, "calendar_dates.json", required=False).items():
        where = Location("calendar_dates.json", None, key)
        train = str(row.get("train_id") or "").strip()
        try:
            day = parse_ontd_date(row.get("date"))
            first, last = (
                parse_ontd_date(row.get("date_from")),
                parse_ontd_date(row.get("date_until")),
            )
        except ExtractError as exc:
            yield _reject(where, exc.code, str(exc), row)
            continue
        days = [day] if day else []
        if not days and first and last:
            days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        kind = str(row.get("exception_type")).strip()
        problem = (
            "no train_id" if not train
            else "no date nor date range" if not days
            else f"exception_type {kind!r} is neither 1 (added) nor 2 (removed)"
            if kind not in {"1", "2"}
            else ""
        )  # fmt: skip
        if problem:
            yield _reject(where, RejectCode.INVALID_CALENDAR, f"calendar exception: {problem}", row)
            continue
        added, removed = exceptions.setdefault(train, ([], []))
        (added if kind == "1" else removed).extend(days)

    trip_stops: dict[str, list[tuple[int, str, object, object, str]]] = {}
    for key, row in _load(path, "trip_stop.json").items():
        sequence = _number(row.get("stop_sequence"))
        trip_stops.setdefault(str(row.get("trip_id") or ""), []).append(
            (
                int(sequence) if sequence is not None else -1,
                str(row.get("stop_id") or "").strip(),
                row.get("arrival_time"),
                row.get("departure_time"),
                key,
                # no_entry / no_exit = 1: the stop is for alighting / boarding only.
                1 if str(row.get("no_entry") or "").strip() == "1" else 0,
                1 if str(row.get("no_exit") or "").strip() == "1" else 0,
            )
        )
    trips = _load(path, "trips.json")
    for trip_id in sorted(set(trip_stops) - set(trips)):
        yield RejectRecord(
            Location("trip_stop.json", None, trip_stops[trip_id][0][4]),
            RejectCode.BROKEN_REFERENCE,
            f"{len(trip_stops[trip_id])} stop rows refer to trip {trip_id!r}, "
            "absent from trips.json",
        )
    for key, trip in trips.items():
        yield _service(key, trip, trip_stops.get(key, []), calendars, exceptions)


def _reject(where: Location, code: RejectCode, message: str, row: dict) -> RejectRecord:
    """A reject keeping the refused JSON object as its raw text."""
    return RejectRecord(where, code, message, json.dumps(row, ensure_ascii=False))


def _service(key, trip, rows, calendars, exceptions) -> Record:
    where = Location("trips.json", None, key)
    raw = json.dumps(
        {k: v for k, v in trip.items() if k and not k.startswith("Merged")}, ensure_ascii=False
    )
    if str(trip.get("is_active", "Y")).strip().upper() == "N":
        return RejectRecord(
            where, RejectCode.INACTIVE, f"trip {key!r} is marked inactive (is_active=N)", raw
        )
    if len(rows) < 2:
        return RejectRecord(
            where,
            RejectCode.TOO_FEW_STOPS,
            f"trip {key!r} has {len(rows)} stop in trip_stop.json (at least 2 needed)",
            raw,
        )
    stops = []
    try:
        for sequence, stop_id, arrival, departure, _key, no_entry, no_exit in sorted(rows):
            if sequence < 0:
                raise ExtractError(
                    f"stop {stop_id!r} has no stop_sequence", code=RejectCode.INVALID_RECORD
                )
            stops.append(
                StopTimeRecord(
                    stop_id,
                    sequence,
                    parse_sheets_time(arrival),
                    parse_sheets_time(departure),
                    pickup_type=no_entry,
                    drop_off_type=no_exit,
                )
            )
    except ExtractError as exc:
        return RejectRecord(where, exc.code, f"trip {key!r}: {exc}", raw)
    service_id = str(trip.get("service_id") or "").strip()
    calendar = calendars.get(service_id)
    added, removed = exceptions.get(key, ([], []))
    if calendar is None and not added:
        return RejectRecord(
            where,
            RejectCode.BROKEN_REFERENCE,
            f"trip {key!r} uses service_id {service_id!r}, absent from calendar.json",
            raw,
        )
    if calendar is None:
        calendar = CalendarRecord(None, None, (False,) * 7, label=service_id)  # type: ignore[arg-type]
    calendar = CalendarRecord(
        valid_from=calendar.valid_from,
        valid_to=calendar.valid_to,
        weekdays=calendar.weekdays,
        added=tuple(sorted(set(added))),
        removed=tuple(sorted(set(removed))),
        label=calendar.label,
    )
    text = str(trip.get("trip_short_name") or "").strip()
    label = split_label(text)
    return ServiceRecord(
        source_id=key,
        operator_id=str(trip.get("agency_id") or "").strip(),
        stops=tuple(stops),
        location=where,
        train_number=label.number,
        category=label.category,
        labels=(text,) if text else (),
        route_name=f"{trip.get('trip_origin', '')} - {trip.get('trip_headsign', '')}".strip(" -"),
        calendar=calendar,
        time_zone=None,
        has_day_offsets=False,
        night_hint=str(trip.get("classes") or ""),
        source_distance_km=_number(trip.get("distance")),
    )
