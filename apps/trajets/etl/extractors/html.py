"""HTML extractors: the European Sleeper timetable structure and generic data tables."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..errors import ExtractError
from ..harmonise.times import parse_clock_time
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

__all__ = ["HtmlTable", "extract_european_sleeper", "parse_html_tables"]

_MAX_HTML_BYTES = 20 * 1024 * 1024
_TRAIN = re.compile(r"Train\s+([A-Z]{1,4})\s*(\d+)", re.I)
_ARRIVAL = re.compile(r"Arrival\s+(\d{1,2}:\d{2})", re.I)
_SPACES = re.compile(r"\s+")
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


def _read(path: Path) -> str:
    if not path.is_file():
        raise ExtractError(f"{path}: no such file")
    if path.stat().st_size > _MAX_HTML_BYTES:
        raise ExtractError(f"{path.name}: larger than {_MAX_HTML_BYTES} bytes, refused")
    data = path.read_bytes()
    if not data.strip():
        raise ExtractError(f"{path.name}: empty file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


@dataclass
class _Stop:
    line: int
    time: str = ""
    name: str = ""
    arrival: str = ""


@dataclass
class _Train:
    element_id: str
    line: int
    title: str = ""
    cells: list[list[str]] = field(default_factory=list)
    stops: list[_Stop] = field(default_factory=list)


class _SleeperParser(HTMLParser):
    """Walk the page by structure: a train block holds an ``h3`` title, a header ``table``
    (origin / destination, then dates) and ``div.stops`` whose children hold the departure
    time in ``b``, the station in ``span.stop`` and the arrival note in ``i``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.trains: list[_Train] = []
        self._stack: list[tuple[str, set[str]]] = []
        self._train: _Train | None = None
        self._train_depth = 0
        self._in: str = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._stop: _Stop | None = None
        self._stops_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self._stack.append((tag, classes))
        depth = len(self._stack)
        line = self.getpos()[0]
        if tag == "div" and "stops" in classes and self._train is not None:
            self._stops_depth = depth
        elif tag == "div" and self._stops_depth and depth == self._stops_depth + 1:
            self._stop = _Stop(line)
            assert self._train is not None
            self._train.stops.append(self._stop)
        elif tag == "div" and self._train is None and dict(attrs).get("id", "").isdigit():
            self._train = _Train(dict(attrs).get("id") or "", line)
            self._train_depth = depth
        elif tag == "h3" and self._train is not None:
            self._in = "title"
        elif tag == "tr" and self._train is not None and not self._stops_depth:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif self._stop is not None and tag == "b":
            self._in = "time"
        elif self._stop is not None and tag == "i":
            self._in = "arrival"
        elif self._stop is not None and tag == "span" and "stop" in classes:
            self._in = "name"

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or tag in _VOID or all(t != tag for t, _ in self._stack):
            return
        depth = len(self._stack)
        while self._stack and self._stack[-1][0] != tag:
            self._stack.pop()
            depth -= 1
        if not self._stack:
            return
        self._stack.pop()
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(_text("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._train is not None:
            self._train.cells.append(self._row)
            self._row = None
        elif tag in {"h3", "b", "i"}:
            self._in = "name" if tag == "i" and self._stop is not None else ""
        elif tag == "span":
            self._in = ""
        if tag == "div":
            if self._stop is not None and depth == self._stops_depth + 1:
                self._stop = None
            elif depth == self._stops_depth:
                self._stops_depth = 0
            elif self._train is not None and depth == self._train_depth:
                self.trains.append(self._train)
                self._train = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in == "title" and self._train is not None:
            self._train.title += data
        elif self._stop is not None and self._in == "time":
            self._stop.time += data
        elif self._stop is not None and self._in == "arrival":
            self._stop.arrival += data
        elif self._stop is not None and self._in == "name":
            self._stop.name += data


def _long_date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(_text(value), "%a %d %B %Y").date()
    except ValueError as exc:
        raise ExtractError(
            f"date {value!r} is not like 'Fri 19 June 2026'", code=RejectCode.INVALID_DATE
        ) from exc


def extract_european_sleeper(path: Path, options: Mapping[str, Any]) -> Iterator[Record]:
    """Stream the dated runs of a European-Sleeper-like timetable page.

    Each run becomes one service on its departure date; stop times are local clock times
    that wrap after midnight (day offsets inferred later); stations are known by name only.
    """
    parser = _SleeperParser()
    parser.feed(_read(path))
    parser.close()
    if not parser.trains:
        raise ExtractError(
            f"{path.name}: no timetable found (expected blocks with an h3 'Train XX 123', a "
            "header table and a div.stops list)"
        )
    operator = str(options.get("operator", "ES"))
    yield OperatorRecord(
        operator, str(options.get("operator_name", "European Sleeper")), Location(path.name)
    )
    seen_stations: set[str] = set()
    for train in parser.trains:
        where = Location(path.name, train.line, f"id={train.element_id}")
        found = _TRAIN.search(train.title)
        try:
            if not found:
                raise ExtractError(
                    f"title {_text(train.title)!r} has no train number",
                    code=RejectCode.INVALID_RECORD,
                )
            if len(train.cells) < 2 or len(train.cells[1]) < 1:
                raise ExtractError("header table has no date row", code=RejectCode.INVALID_DATE)
            departure_date = _long_date(train.cells[1][0])
            stops = []
            for position, stop in enumerate(train.stops):
                name = _text(stop.name)
                time = parse_clock_time(_text(stop.time))
                arrival_text = _ARRIVAL.search(stop.arrival)
                arrival = parse_clock_time(arrival_text.group(1)) if arrival_text else None
                if not name:
                    raise ExtractError(
                        f"stop {position + 1} (line {stop.line}) has no station name",
                        code=RejectCode.MISSING_NAME,
                    )
                is_last = position == len(train.stops) - 1 and position > 0
                stops.append(
                    StopTimeRecord(
                        name,
                        position,
                        time if is_last else arrival,
                        None if is_last else time,
                    )
                )
            if len(stops) < 2:
                raise ExtractError(
                    f"{len(stops)} stop found (at least 2 needed)", code=RejectCode.TOO_FEW_STOPS
                )
        except ExtractError as exc:
            yield RejectRecord(where, exc.code, f"train block: {exc}", _text(train.title))
            continue
        for stop in stops:
            if stop.station_id not in seen_stations:
                seen_stations.add(stop.station_id)
                yield StationRecord(source_id=stop.station_id, name=stop.station_id, location=where)
        number = f"{found.group(1).upper()} {found.group(2)}"
        yield ServiceRecord(
            source_id=f"{number} {departure_date.isoformat()}",
            operator_id=operator,
            stops=tuple(stops),
            location=where,
            train_number=found.group(2),
            category=found.group(1).upper(),
            labels=(number,),
            route_name=" - ".join(c for c in (train.cells[0][0], train.cells[0][-1]) if c),
            calendar=CalendarRecord(
                valid_from=departure_date,
                valid_to=departure_date,
                weekdays=(False,) * 7,  # type: ignore[arg-type]
                added=(departure_date,),
                label=departure_date.isoformat(),
            ),
            time_zone=None,
            has_day_offsets=False,
            night_hint=str(options.get("accommodation", "seat, couchette, sleeper")),
        )


@dataclass(frozen=True, slots=True)
class HtmlTable:
    """A data table: header labels and rows of cell texts, with the line of each row."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[int, list[tuple[str, int, int, bool]]]]] = []
        self._stack: list[list[tuple[int, list[tuple[str, int, int, bool]]]]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1, False)
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self._stack.append([])
        elif not self._stack:
            return
        elif tag == "tr":
            self._stack[-1].append((self.getpos()[0], []))
        elif tag in {"td", "th"} and self._stack[-1]:
            self._cell = []
            self._span = (
                int(values.get("rowspan") or 1)
                if (values.get("rowspan") or "1").isdecimal()
                else 1,
                int(values.get("colspan") or 1)
                if (values.get("colspan") or "1").isdecimal()
                else 1,
                tag == "th",
            )
        elif tag == "sup" or (tag == "style"):
            self._skip += 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag in {"td", "th"} and self._cell is not None and self._stack[-1]:
            rowspan, colspan, is_header = self._span
            self._stack[-1][-1][1].append((_text("".join(self._cell)), rowspan, colspan, is_header))
            self._cell = None
        elif tag in {"sup", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def parse_html_tables(text: str) -> list[HtmlTable]:
    """Return every table of a page with rowspan/colspan expanded and footnote marks removed.

    Leading rows made only of ``th`` cells form the header (multi-row headers are joined
    with " / ").
    """
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    result = []
    for raw_rows in parser.tables:
        grid: list[tuple[int, list[str], bool]] = []
        pending: dict[int, tuple[str, int]] = {}
        for line, cells in raw_rows:
            row: list[str] = []
            column = 0
            is_header = bool(cells) and all(cell[3] for cell in cells)
            queue = list(cells)
            while queue or column in pending:
                if column in pending:
                    value, remaining = pending.pop(column)
                    row.append(value)
                    if remaining > 1:
                        pending[column] = (value, remaining - 1)
                    column += 1
                    continue
                value, rowspan, colspan, _ = queue.pop(0)
                for _ in range(colspan):
                    row.append(value)
                    if rowspan > 1:
                        pending[column] = (value, rowspan - 1)
                    column += 1
            grid.append((line, row, is_header))
        header_rows = []
        while grid and grid[0][2]:
            header_rows.append(grid.pop(0)[1])
        width = max((len(r) for r in header_rows), default=0)
        header = tuple(
            " / ".join(dict.fromkeys(r[i] for r in header_rows if i < len(r) and r[i]))
            for i in range(width)
        )
        result.append(HtmlTable(header, tuple((line, tuple(row)) for line, row, _ in grid)))
    return result
