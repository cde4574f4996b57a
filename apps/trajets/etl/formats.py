"""The formats the ETL reads: one registry entry per format carrying all its facts.

Adding a format is one entry here (its extractor in ``extractors/``): the sources file, the
``etl`` command's ``--format`` choices, the stored ``DataSource.format`` and the loader's
reference rules all read this table, and :func:`check_formats` refuses an incomplete entry
when the module is imported, before any source is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from apps.trajets.models import SourceFormat

from .errors import SourceConfigError
from .extractors.gtfs import extract_gtfs
from .extractors.html import extract_european_sleeper
from .extractors.netex import extract_netex
from .extractors.ontd import extract_ontd
from .extractors.tabular import extract_table
from .records import Record

__all__ = [
    "FORMATS",
    "LOADER_OPTIONS",
    "Extractor",
    "FormatEntry",
    "check_formats",
    "extract",
    "format_entry",
]

Extractor = Callable[[Path, Mapping[str, Any]], Iterator[Record]]

# Options the loader reads whatever the format (see sources.toml).
LOADER_OPTIONS = frozenset({"station_priority", "station_part_pattern", "night_reference"})
_GTFS_OPTIONS = frozenset(
    {"category", "category_pattern", "encoding", "max_compression_ratio",
     "max_uncompressed_bytes", "number_from_trip_id", "rejoin_midnight_splits",
     "route_type_modes", "uic_from_stop_id", "uic_prefix"}
)  # fmt: skip
_TABLE_OPTIONS = frozenset(
    {"columns", "country", "delimiter", "encoding", "kind", "sheet", "table", "uic_from_id",
     "uic_prefix"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FormatEntry:
    """What the ETL knows of one input format.

    ``extractor`` None means the format is loaded as dated observations only, no trajet
    (:func:`apps.trajets.etl.loader.load_snapshot_history`). ``stored_as`` is the
    ``DataSource.format`` recorded for its sources. A station reference lists stations only
    (it names stations before the timetables); a night reference lists night trains only.
    """

    name: str
    stored_as: SourceFormat
    accepts: str
    options: frozenset[str]
    extractor: Extractor | None
    is_station_reference: bool = False
    is_night_reference: bool = False

    @property
    def is_observation(self) -> bool:
        """Whether the format is loaded as observations (no extractor, no trajet)."""
        return self.extractor is None

    def unknown_options(self, options: Mapping[str, Any]) -> list[str]:
        """The option names neither this format nor the loader reads, sorted."""
        return sorted(set(options) - self.options - LOADER_OPTIONS)


def _table(fmt: str, stored_as: SourceFormat, accepts: str) -> FormatEntry:
    return FormatEntry(
        name=fmt,
        stored_as=stored_as,
        accepts=accepts,
        options=_TABLE_OPTIONS,
        extractor=partial(extract_table, fmt=fmt),
        is_station_reference=True,
    )


FORMATS: Mapping[str, FormatEntry] = {
    entry.name: entry
    for entry in (
        FormatEntry(
            name="gtfs",
            stored_as=SourceFormat.GTFS,
            accepts="a GTFS feed: a folder of .txt files or a .zip of them",
            options=_GTFS_OPTIONS,
            extractor=extract_gtfs,
        ),
        FormatEntry(
            name="netex",
            stored_as=SourceFormat.NETEX,
            accepts="one NeTEx XML file (PublicationDelivery)",
            options=frozenset({"operator", "uic_codes"}),
            extractor=extract_netex,
        ),
        FormatEntry(
            name="ontd-json",
            stored_as=SourceFormat.JSON,
            accepts="a folder of the night-train database's JSON files (trips.json…)",
            options=frozenset(),
            extractor=extract_ontd,
            is_night_reference=True,
        ),
        FormatEntry(
            name="ontd-history",
            stored_as=SourceFormat.JSON,
            accepts="a folder of dated snapshots of the night-train database",
            options=frozenset(),
            extractor=None,
        ),
        FormatEntry(
            name="european-sleeper-html",
            stored_as=SourceFormat.HTML,
            accepts="one HTML timetable page of train blocks (h3, header table, div.stops)",
            options=frozenset({"accommodation", "operator", "operator_name"}),
            extractor=extract_european_sleeper,
            is_night_reference=True,
        ),
        _table("csv", SourceFormat.CSV, "one CSV file of stations"),
        _table("xlsx", SourceFormat.XLSX, "one Excel .xlsx workbook of stations"),
        _table("xls", SourceFormat.XLSX, "one Excel .xls workbook of stations"),
        _table("html-table", SourceFormat.HTML, "one HTML page with a table of stations"),
    )
}


def check_formats(formats: Mapping[str, FormatEntry]) -> None:
    """Raise SourceConfigError naming the first entry that is incomplete or inconsistent."""
    for key, entry in formats.items():
        if key != entry.name:
            raise SourceConfigError(f"format {key!r} is registered under the name {entry.name!r}")
        if entry.stored_as not in SourceFormat.values or entry.stored_as == SourceFormat.INTERNAL:
            raise SourceConfigError(
                f"format {key!r}: stored_as {entry.stored_as!r} is not a source format"
            )
        if not entry.accepts:
            raise SourceConfigError(f"format {key!r}: says nothing of the files it accepts")
        if entry.extractor is not None and not callable(entry.extractor):
            raise SourceConfigError(f"format {key!r}: its extractor is not callable")
        shared = entry.options & LOADER_OPTIONS
        if shared:
            raise SourceConfigError(
                f"format {key!r}: options {', '.join(sorted(shared))} are the loader's"
            )
        if entry.is_observation and (entry.is_station_reference or entry.is_night_reference):
            raise SourceConfigError(f"format {key!r}: an observation format loads no record")


check_formats(FORMATS)


def format_entry(fmt: str) -> FormatEntry:
    """The registry entry of ``fmt``; SourceConfigError listing the known formats."""
    try:
        return FORMATS[fmt]
    except KeyError:
        raise SourceConfigError(
            f"unknown format {fmt!r}; known formats: {', '.join(sorted(FORMATS))}"
        ) from None


def extract(fmt: str, path: Path, options: Mapping[str, Any]) -> Iterator[Record]:
    """Stream the normalised records of ``path`` read as format ``fmt``."""
    extractor = format_entry(fmt).extractor
    if extractor is None:
        raise SourceConfigError(
            f"format {fmt!r} is loaded as dated observations, not extracted as records"
        )
    return extractor(path, options)
