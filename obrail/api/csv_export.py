"""CSV export of API lists, streamed row by row so that a million rows never sit in memory.

A streamed export ends with the line ``# complete: N rows``. The status line (200) is sent
before the first row, so an export cut short (worker timeout, database error) cannot say so
with its status: its last line is then not that marker. Readers skip it as a comment
(``pandas.read_csv(comment="#")``) or drop the last line after checking it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

CSV_CHUNK_SIZE = 2000
#: Start of the last line of a complete streamed export.
CSV_END_MARKER = "# complete:"


class CSVRenderer(BaseRenderer):
    """Selected by ``?format=csv``; list views answer it with :func:`stream_csv`.

    ``render`` only serves non-list payloads (a flat object or a list of flat objects).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        rows = data if isinstance(data, list) else [data]
        columns = list(rows[0]) if rows else []
        return "".join(_csv_lines(columns, rows)).encode(self.charset)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet runs as a formula: text starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (OWASP), except
    a plain number such as ``-12.5``; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def _csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        yield writer.writerow([safe_cell(row.get(c)) for c in columns])


def _with_end_marker(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    count = 0

    def counted() -> Iterator[Mapping[str, Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    yield from _csv_lines(columns, counted())
    yield f"{CSV_END_MARKER} {count} rows\r\n"


def stream_csv(
    rows: Iterable[Any],
    *,
    columns: Sequence[str],
    flatten: Callable[[Any], Mapping[str, Any]],
    filename: str,
) -> StreamingHttpResponse:
    """Stream ``rows`` (objects turned into flat mappings by ``flatten``) as a CSV download,
    ended by the ``CSV_END_MARKER`` line."""
    response = StreamingHttpResponse(
        _with_end_marker(columns, (flatten(row) for row in rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
