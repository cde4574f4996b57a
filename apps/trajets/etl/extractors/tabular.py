"""Tabular extractors (CSV, XLSX, XLS, HTML table) mapped to station records by column names."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from apps.places.services import strip_accents

from ..errors import ExtractError
from ..harmonise.codes import normalise_uic
from ..harmonise.timezones import repair_country, repair_time_zone
from ..records import Location, Record, RejectCode, RejectRecord, StationRecord
from .html import parse_html_tables
from .text import read_csv_rows

__all__ = ["COLUMN_ALIASES", "extract_table", "iter_table_rows", "parse_decimal"]

# Header names (lower case, no accents, spaces/underscores unified) recognised per field.
COLUMN_ALIASES: Mapping[str, tuple[str, ...]] = {
    "source_id": ("id", "codigo", "code", "id gare", "stop id", "station id"),
    "name": ("name", "nom gare", "nom", "descripcion", "stop name", "station", "railway station"),
    "uic": ("uic", "code uic", "uic code", "uic8 sncf"),
    "latitude": ("latitude", "latitud", "lat", "stop lat"),
    "longitude": ("longitude", "longitud", "lon", "lng", "stop lon"),
    "coordinates": ("position geographique", "coordinates", "geo point", "coordonnees"),
    "country": ("country", "pays", "pais", "stop country"),
    "time_zone": ("time zone", "timezone", "stop timezone"),
    "parent": ("parent station id", "parent station"),
    "same_as": ("same as",),
    "is_city": ("is city",),
    "place": ("poblacion", "city", "ville", "commune", "town"),
}
_COUNTRY_NAMES = {
    "espana": "ES", "spain": "ES", "france": "FR", "germany": "DE", "deutschland": "DE",
    "portugal": "PT", "italy": "IT", "italia": "IT", "austria": "AT", "switzerland": "CH",
    "belgium": "BE", "netherlands": "NL", "united kingdom": "GB", "poland": "PL",
    "czech republic": "CZ", "czechia": "CZ", "hungary": "HU", "sweden": "SE", "denmark": "DK",
    "norway": "NO", "russia": "RU", "ukraine": "UA", "turkey": "TR", "andorra": "AD",
    "francia": "FR", "alemania": "DE", "suiza": "CH", "frankreich": "FR", "espagne": "ES",
    "allemagne": "DE", "suisse": "CH", "italie": "IT", "belgique": "BE", "luxembourg": "LU",
}  # fmt: skip
_KEY = re.compile(r"[^a-z0-9]+")
_MISSING = {"", "-", "#n/a", "n/a", "\\n", "null", "none", "nan"}


def _key(header: str) -> str:
    return _KEY.sub(" ", strip_accents(str(header)).lower()).strip()


def parse_decimal(value: str) -> float | None:
    """Return a float from ``"37,268141"`` (decimal comma) or ``"37.26"``; None when empty."""
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if text.lower() in _MISSING:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return "" if text.lower() in _MISSING else text


def iter_table_rows(
    path: Path, fmt: str, options: Mapping[str, Any]
) -> Iterator[tuple[Location, list[str], list[str]]]:
    """Yield ``(location, header, values)`` for each data row of a CSV, XLSX, XLS or HTML table."""
    if not path.is_file():
        raise ExtractError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ExtractError(f"{path.name}: empty file")
    if fmt == "csv":
        with path.open("rb") as raw:
            rows = read_csv_rows(
                raw,
                name=path.name,
                delimiter=str(options.get("delimiter") or _guess_delimiter(path)),
                encoding=str(options.get("encoding", "utf-8")),
            )
            _, header, _ = next(rows)
            for line, _, values in rows:
                yield Location(path.name, line), header, values
        return
    if fmt == "xlsx":
        yield from _xlsx_rows(path, options)
        return
    if fmt == "xls":
        yield from _xls_rows(path, options)
        return
    if fmt == "html-table":
        tables = parse_html_tables(path.read_text(encoding="utf-8", errors="replace"))
        tables = [t for t in tables if t.header and t.rows]
        if not tables:
            raise ExtractError(f"{path.name}: no HTML table with a header row found")
        table = (
            tables[int(options.get("table", 0))]
            if len(tables) > int(options.get("table", 0))
            else tables[0]
        )
        for line, row in table.rows:
            yield Location(path.name, line), list(table.header), list(row)
        return
    raise ExtractError(f"unknown tabular format {fmt!r}")


def _guess_delimiter(path: Path) -> str:
    """The most frequent of , ; tab | in the header line (when the source declares none)."""
    with path.open("rb") as raw:
        header = raw.readline()
    counts = {sep: header.count(sep.encode()) for sep in (",", ";", "\t", "|")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _sheet_rows(path: Path, sheet_name: str, rows: Iterator[tuple[object, ...]]):
    header: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        values = [_cell(value) for value in row]
        if not any(values):
            continue
        if header is None:
            header = values
            continue
        yield Location(f"{path.name}#{sheet_name}", number), header, values
    if header is None:
        raise ExtractError(f"{path.name}#{sheet_name}: empty sheet")


def _xlsx_rows(path: Path, options: Mapping[str, Any]):
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ExtractError(f"{path.name}: not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = book[options["sheet"]] if "sheet" in options else book.worksheets[0]
        yield from _sheet_rows(path, sheet.title, sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _xls_rows(path: Path, options: Mapping[str, Any]):
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError) as exc:
        raise ExtractError(f"{path.name}: not a readable XLS workbook: {exc}") from exc
    try:
        sheet = (
            book.sheet_by_name(options["sheet"]) if "sheet" in options else book.sheet_by_index(0)
        )
        rows = (tuple(sheet.row_values(index)) for index in range(sheet.nrows))
        yield from _sheet_rows(path, sheet.name, rows)
    finally:
        book.release_resources()


def _resolve_columns(header: list[str], options: Mapping[str, Any], where: str) -> dict[str, int]:
    keys = [_key(h) for h in header]
    explicit = options.get("columns", {})
    columns: dict[str, int] = {}
    for field, aliases in COLUMN_ALIASES.items():
        wanted = [_key(explicit[field])] if field in explicit else list(aliases)
        for alias in wanted:
            if alias in keys:
                columns[field] = keys.index(alias)
                break
        else:
            if field in explicit:
                raise ExtractError(f"{where}: column {explicit[field]!r} for {field} not found")
    if "name" not in columns:
        raise ExtractError(
            f"{where}: no station name column (looked for {', '.join(COLUMN_ALIASES['name'])}; "
            f"headers are {', '.join(h for h in header if h) or 'none'}); set columns.name"
        )
    return columns


def extract_table(path: Path, options: Mapping[str, Any], *, fmt: str = "csv") -> Iterator[Record]:
    """Stream station records from a table whose columns are recognised by name.

    Handles decimal commas, a "lat, lon" pair in one field, several UIC codes joined by ";",
    city meta-stations (rejected), ``same_as`` duplicates, country names and code errors.
    Options: ``uic_from_id`` (the id column is the station code), ``uic_prefix`` (prepended
    to a national code to make the UIC code: Spain's codes are UIC codes without ``71``).
    """
    if str(options.get("kind", "stations")) != "stations":
        raise ExtractError(
            f"tabular sources load stations; kind {options.get('kind')!r} is unknown"
        )
    columns: dict[str, int] | None = None
    default_country = options.get("country")
    for where, header, values in iter_table_rows(path, fmt, options):
        if columns is None:
            columns = _resolve_columns(header, options, where.file)

        def get(field: str, values: list[str] = values, columns: dict[str, int] = columns) -> str:
            position = columns.get(field)
            return (
                values[position].strip() if position is not None and position < len(values) else ""
            )

        raw = ";".join(values)
        name = get("name")
        if not name:
            yield RejectRecord(where, RejectCode.MISSING_NAME, "no station name", raw)
            continue
        if "?" in name:
            yield RejectRecord(
                where,
                RejectCode.INVALID_RECORD,
                f"{name!r} is a placeholder, not a station name",
                raw,
            )
            continue
        if get("is_city").lower() in {"t", "true", "1", "yes"}:
            yield RejectRecord(
                where,
                RejectCode.NOT_A_STATION,
                f"{name!r} is a city meta-station grouping stations, not a stop",
                raw,
            )
            continue
        latitude, longitude = parse_decimal(get("latitude")), parse_decimal(get("longitude"))
        if latitude is None and get("coordinates"):
            parts = [p for p in re.split(r"[,;]\s+|\s+", get("coordinates")) if p]
            if len(parts) == 2:
                latitude, longitude = parse_decimal(parts[0]), parse_decimal(parts[1])
        if (
            latitude is not None
            and longitude is not None
            and (not -90 <= latitude <= 90 or not -180 <= longitude <= 180)
        ):
            yield RejectRecord(
                where,
                RejectCode.INVALID_COORDINATES,
                f"coordinates out of range ({latitude}, {longitude})",
                raw,
            )
            continue
        zone_text = get("time_zone")
        country_text = get("country")
        country = (
            _COUNTRY_NAMES.get(_key(country_text))
            or repair_country(country_text, time_zone=zone_text)
            or default_country
        )
        source_id = get("source_id") or str(where.line)
        codes = [c for c in re.split(r"[;|]", get("uic")) if c.strip()]
        if not codes and options.get("uic_from_id") and get("source_id"):
            codes = [get("source_id")]
        codes = codes or [""]
        uic_prefix = str(options.get("uic_prefix", ""))
        for position, code in enumerate(codes):
            yield StationRecord(
                source_id=source_id if position == 0 else f"{source_id}#{position}",
                # One row with several codes is one station.
                same_as_source_id=source_id if position else get("same_as") or None,
                name=name,
                uic=normalise_uic(uic_prefix + code if code and uic_prefix else code),
                latitude=latitude,
                longitude=longitude,
                country=country,
                time_zone=repair_time_zone(zone_text, country=country),
                parent_source_id=get("parent") or None,
                location=where,
                place_name=get("place"),
            )
