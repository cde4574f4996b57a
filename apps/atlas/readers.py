"""Read the air-traffic sources as published, without Django.

* Eurostat ``avia_par_fr`` yearly totals (as extracted by t-morvan/VolsInterieurs): one row per
  airport pair as reported by one French airport, ``CODE`` = ``FR_LFPG_ES_LEBL`` (reporting
  country and ICAO, partner country and ICAO), one column per year, ``:`` not available,
  numbers with thousands commas.
* OpenFlights ``airports.dat``: no header, ``\\N`` for NULL, columns id, name, city, country,
  IATA, ICAO, latitude, longitude, altitude, UTC offset, DST, tz, type, source.

Every row either yields a record or a :class:`Reject` naming where it is, a short reason code
(one of :data:`apps.trajets.reject_reasons.REJECT_REASONS`) and the problem in words.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "AirportRecord",
    "PassengerRecord",
    "Reject",
    "read_airports",
    "read_eurostat_pairs",
]

_ICAO = re.compile(r"^[A-Z0-9]{4}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")
# Eurostat writes UK and EL where ISO 3166 has GB and GR.
EUROSTAT_COUNTRIES = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True, slots=True)
class Reject:
    """A row refused, with its place in the input."""

    location: str
    reason_code: str
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class PassengerRecord:
    """Passengers carried in one year between a reporting airport and a partner airport."""

    reporting_icao: str
    reporting_country: str
    partner_icao: str
    partner_country: str
    year: int
    passengers: int
    label: str
    location: str


@dataclass(frozen=True, slots=True)
class AirportRecord:
    """An airport of OpenFlights."""

    openflights_id: int
    icao: str
    iata: str
    name: str
    city: str
    country_name: str
    latitude: float
    longitude: float


def _country(code: str) -> str:
    return EUROSTAT_COUNTRIES.get(code, code)


def read_eurostat_pairs(text: str, *, name: str) -> Iterator[PassengerRecord | Reject]:
    """Yield one record per pair and year with a figure, or a reject per unusable row or cell.

    ``:`` (not available) is no figure and no reject: Eurostat publishes no value there.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or header[:2] != ["CODE", "PAIR"]:
        raise ValueError(f"{name}: the first line must start with CODE,PAIR (got {header!r})")
    years: list[int] = []
    for cell in header[2:]:
        if not cell.isdigit():
            raise ValueError(f"{name}: header column {cell!r} is not a year")
        years.append(int(cell))
    for line_number, row in enumerate(reader, start=2):
        location = f"{name}:{line_number}"
        raw = ",".join(row)
        parts = row[0].split("_") if row else []
        if len(parts) != 4:
            yield Reject(location, "not_a_record", f"CODE {row[0] if row else ''!r} is not "
                         "COUNTRY_ICAO_COUNTRY_ICAO (notes under the table)", raw)  # fmt: skip
            continue
        rep_country, rep_icao, par_country, par_icao = parts
        if not (_COUNTRY.match(rep_country) and _COUNTRY.match(par_country)):
            yield Reject(location, "missing_country", f"country code invalid in {row[0]!r}", raw)
            continue
        if not (_ICAO.match(rep_icao) and _ICAO.match(par_icao)):
            yield Reject(location, "invalid_record", f"ICAO code invalid in {row[0]!r}", raw)
            continue
        if len(row) != len(header):
            yield Reject(
                location, "invalid_record", f"{len(row)} columns, the header has {len(header)}", raw
            )
            continue
        for year, cell in zip(years, row[2:], strict=True):
            value = cell.strip()
            if value in (":", ""):
                continue
            if not _NUMBER.match(value):
                yield Reject(
                    f"{location}:{year}",
                    "invalid_record",
                    f"passengers {value!r} not a number",
                    raw,
                )
                continue
            yield PassengerRecord(
                reporting_icao=rep_icao,
                reporting_country=_country(rep_country),
                partner_icao=par_icao,
                partner_country=_country(par_country),
                year=year,
                passengers=int(value.replace(",", "")),
                label=row[1][:300],
                location=location,
            )


def _null(value: str) -> str:
    return "" if value == "\\N" else value.strip()


def read_airports(text: str, *, name: str) -> Iterator[AirportRecord | Reject]:
    """Yield the airports that have an ICAO code and coordinates; reject the others."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for line_number, row in enumerate(reader, start=1):
        location = f"{name}:{line_number}"
        raw = ",".join(row)
        if len(row) < 8:
            yield Reject(location, "invalid_record", f"{len(row)} columns, expected 14", raw)
            continue
        icao = _null(row[5])
        if not _ICAO.match(icao):
            yield Reject(location, "invalid_record", f"no ICAO code ({row[5]!r})", raw)
            continue
        try:
            latitude, longitude = float(row[6]), float(row[7])
            openflights_id = int(row[0])
        except ValueError:
            yield Reject(location, "invalid_coordinates", f"id or coordinates not numbers: "
                         f"{row[0]!r}, {row[6]!r}, {row[7]!r}", raw)  # fmt: skip
            continue
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            yield Reject(
                location, "invalid_coordinates", f"({latitude}, {longitude}) out of range", raw
            )
            continue
        yield AirportRecord(
            openflights_id=openflights_id,
            icao=icao,
            iata=_null(row[4])[:3],
            name=_null(row[1])[:200],
            city=_null(row[2])[:200],
            country_name=_null(row[3])[:100],
            latitude=latitude,
            longitude=longitude,
        )
