"""GTFS tables: rows by column name, calendars, stop_times grouped by trip (bounded memory)."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..records import (
    CalendarRecord,
    Location,
    RejectRecord,
)
from .text import FileSet, read_csv_rows

__all__ = ["cell", "decimal", "read_calendars", "rows", "stop_time_rows"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def rows(files: FileSet, name: str, options: Mapping[str, Any], required: tuple[str, ...]):
    with files.open_binary(name) as raw:
        rows = read_csv_rows(
            raw, name=name, encoding=options.get("encoding", "utf-8"), required=required
        )
        _, header, _ = next(rows)
        index = {column: position for position, column in enumerate(header)}
        for line, _, values in rows:
            yield line, index, values


def cell(values: list[str], index: Mapping[str, int], column: str) -> str:
    position = index.get(column)
    if position is None or position >= len(values):
        return ""
    return values[position]


def decimal(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def read_calendars(files: FileSet, options: Mapping[str, Any]) -> tuple[dict, list[RejectRecord]]:
    periods: dict[str, tuple[dt.date, dt.date, tuple[bool, ...]]] = {}
    added: dict[str, list[dt.date]] = {}
    removed: dict[str, list[dt.date]] = {}
    rejects: list[RejectRecord] = []
    if "calendar.txt" in files:
        required = ("service_id", *_WEEKDAYS, "start_date", "end_date")
        for line, index, values in rows(files, "calendar.txt", options, required):
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
        for line, index, values in rows(files, "calendar_dates.txt", options, required):
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


def stop_time_rows(
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
        for line, index, values in rows(files, "stop_times.txt", options, required):
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
    # A large buffer in front of the member: zip members read line by line in Python.
    with io.BufferedReader(files.open_binary("stop_times.txt"), 1 << 20) as raw:  # type: ignore[arg-type]
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
    for _, index, values in rows(files, "stop_times.txt", options, required):
        trip = values[index["trip_id"]]
        if trip != previous:
            if trip in seen:
                return False
            seen.add(trip)
            previous = trip
    return True
