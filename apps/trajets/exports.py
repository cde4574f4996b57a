"""The trajets list as a French spreadsheet (see :mod:`obrail.spreadsheet`): the rows the page
shows, filtered by the same FilterSet, in words and French numbers. Its columns are the
spreadsheet cells of the row spec (:mod:`apps.trajets.rows`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet

from apps.trajets.rows import LIST_READS, SHEET_COLUMNS, sheet_cells
from obrail.api.csv_export import CSV_CHUNK_SIZE

__all__ = ["TRAJET_HEADERS", "trajet_rows"]

_CELLS = sheet_cells(SHEET_COLUMNS)
TRAJET_HEADERS = tuple(cell.header for cell in _CELLS)
_VALUES = tuple(cell.value for cell in _CELLS)


def trajet_rows(queryset: QuerySet) -> Iterator[Sequence[object]]:
    """One spreadsheet row per trajet of ``queryset``, streamed in chunks."""
    for row in queryset.values(*LIST_READS).iterator(chunk_size=CSV_CHUNK_SIZE):
        yield tuple(value(row) for value in _VALUES)
