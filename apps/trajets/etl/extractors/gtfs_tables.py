"""GTFS tables: rows by column name, calendars, stop_times grouped by trip (bounded memory)."""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from ..records import (
    CalendarRecord,
    Location,
    RejectCode,
    RejectRecord,
)
from .text import FileSet, is_ascii_compatible, read_csv_rows, unpadded_chunks

__all__ = ["cell", "decimal", "read_calendars", "rows", "stop_time_rows"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_STOP_TIME_COLUMNS = ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")
# The unpadded copy of stop_times.txt stays in memory up to this size (Renfe: 4 MB), then
# moves to a temporary file.
_SPOOL_BYTES = 64 * 1024 * 1024
_FIRST_FIELD = re.compile(rb"^[^,\n]*", re.MULTILINE)


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdecimal():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def rows(
    files: FileSet, name: str, options: Mapping[str, Any], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, int], list[str]]]:
    """``(line, column index, cells)`` of each data row of a feed file, cells stripped."""
    with files.open_binary(name) as raw:
        yield from _rows_of(raw, name, options, required)


def _rows_of(
    raw: IO[bytes],
    name: str,
    options: Mapping[str, Any],
    required: tuple[str, ...] = _STOP_TIME_COLUMNS,
    *,
    strip: bool = True,
) -> Iterator[tuple[int, dict[str, int], list[str]]]:
    rows = read_csv_rows(
        raw, name=name, encoding=options.get("encoding", "utf-8"), required=required, strip=strip
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
                    RejectRecord(
                        where,
                        RejectCode.INVALID_DATE,
                        "start_date or end_date is not YYYYMMDD",
                        ",".join(values),
                    )
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
                code, reason = (
                    (RejectCode.INVALID_DATE, f"date {values[index['date']]!r} is not YYYYMMDD")
                    if day is None
                    else (RejectCode.INVALID_CALENDAR, f"exception_type {kind!r} is not 1 or 2")
                )
                rejects.append(RejectRecord(where, code, reason, ",".join(values)))
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
    """Stop-time rows grouped by trip; rows of a non-contiguous file are sorted on disk.

    The member is decompressed once, into a copy without line padding (in memory up to
    ``_SPOOL_BYTES``, then on disk) that serves both the grouping check and the reading.
    """
    name = "stop_times.txt"
    if not is_ascii_compatible(options.get("encoding", "utf-8")):
        # No byte-level copy; and a text decoder closes the stream it reads: open it twice.
        with files.open_binary(name) as raw:
            is_grouped = _is_grouped_by_trip(_rows_of(raw, name, options))
        with files.open_binary(name) as raw:
            yield from _by_trip(_rows_of(raw, name, options, strip=False), is_grouped)
        return
    with (
        files.open_binary(name) as raw,
        tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as copy,
    ):
        is_grouped = _copy_checking_grouping(unpadded_chunks(raw, name=name), copy)
        if is_grouped is None:
            copy.seek(0)
            is_grouped = _is_grouped_by_trip(_rows_of(copy, name, options))
        copy.seek(0)
        yield from _by_trip(_rows_of(copy, name, options, strip=False), is_grouped)


def _by_trip(
    rows: Iterator[tuple[int, dict[str, int], list[str]]], is_grouped: bool
) -> Iterator[tuple[int, list[str], dict]]:
    if is_grouped:
        for line, index, values in rows:
            yield line, values, index
    else:
        yield from _sorted_by_trip(rows)


def _sorted_by_trip(
    rows: Iterator[tuple[int, dict[str, int], list[str]]],
) -> Iterator[tuple[int, list[str], dict]]:
    """Rows ordered by trip, stop_sequence and line, sorted in an on-disk SQLite table
    (bounded memory) instead of Python lists."""
    with tempfile.TemporaryDirectory() as folder:
        database = sqlite3.connect(Path(folder) / "sort.sqlite3")
        database.execute("CREATE TABLE st (trip TEXT, seq INTEGER, line INTEGER, row TEXT)")
        index_seen: dict[str, int] = {}
        batch: list[tuple[str, int, int, str]] = []
        for line, index, values in rows:
            index_seen = index
            sequence = values[index["stop_sequence"]].strip()
            batch.append(
                (
                    values[index["trip_id"]].strip(),
                    int(sequence) if sequence.isdecimal() else -1,
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


def _copy_checking_grouping(chunks: Iterator[bytes], copy: IO[bytes]) -> bool | None:
    """Write ``chunks`` (unpadded CSV) to ``copy``; tell whether each trip's rows are
    together, or None when the bytes do not tell (trip_id not first, or quoted fields)."""
    is_grouped: bool | None = None
    seen: set[bytes] = set()
    previous: bytes | None = None
    for position, chunk in enumerate(chunks):
        copy.write(chunk)
        if position == 0:
            header, _, chunk = chunk.partition(b"\n")
            first = header.removeprefix(codecs.BOM_UTF8).split(b",", 1)[0].strip()
            if first == b"trip_id" and b'"' not in header:
                is_grouped = True
        if not is_grouped:
            continue
        if b'"' in chunk:
            is_grouped = None
            continue
        # endpos drops the empty match after the final line break; blank lines count as
        # an empty trip id, as rows with an empty first cell do.
        for trip, _ in itertools.groupby(_FIRST_FIELD.findall(chunk, 0, len(chunk) - 1)):
            trip = trip.strip()
            if trip != previous:
                if trip in seen:
                    is_grouped = False
                    break
                seen.add(trip)
                previous = trip
    return is_grouped


def _is_grouped_by_trip(rows: Iterator[tuple[int, dict[str, int], list[str]]]) -> bool:
    """Tell whether each trip's rows are together (the slow check, on parsed rows)."""
    seen: set[str] = set()
    previous: str | None = None
    for _, index, values in rows:
        trip = values[index["trip_id"]]
        if trip != previous:
            if trip in seen:
                return False
            seen.add(trip)
            previous = trip
    return True
