"""One extractor per format behind one interface: ``extract(fmt, path, options)``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import SourceConfigError
from ..records import Record
from .gtfs import extract_gtfs
from .html import extract_european_sleeper
from .netex import extract_netex
from .ontd import extract_ontd
from .tabular import extract_table

__all__ = ["EXTRACTORS", "extract"]

Extractor = Callable[[Path, Mapping[str, Any]], Iterator[Record]]

EXTRACTORS: Mapping[str, Extractor] = {
    "gtfs": extract_gtfs,
    "netex": extract_netex,
    "ontd-json": extract_ontd,
    "european-sleeper-html": extract_european_sleeper,
    "csv": partial(extract_table, fmt="csv"),
    "xlsx": partial(extract_table, fmt="xlsx"),
    "xls": partial(extract_table, fmt="xls"),
    "html-table": partial(extract_table, fmt="html-table"),
}


def extract(fmt: str, path: Path, options: Mapping[str, Any]) -> Iterator[Record]:
    """Stream the normalised records of ``path`` read as format ``fmt``."""
    try:
        extractor = EXTRACTORS[fmt]
    except KeyError:
        raise SourceConfigError(
            f"unknown format {fmt!r}; known formats: {', '.join(sorted(EXTRACTORS))}"
        ) from None
    return extractor(path, options)
