"""CSV for spreadsheets in French: what Excel opens correctly by a double click in France.

UTF-8 with a byte-order mark (else Excel reads Latin-1 and garbles "München"), ``;`` between
cells (``,`` is the decimal separator), decimal commas, French headers, dates as 06/12/2026.
Every cell goes through :func:`obrail.api.csv_export.safe_cell`, so no cell runs as a
formula. The API's CSV (``?format=csv``) stays the machine form: commas, points, codes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from obrail.api.csv_export import safe_cell

__all__ = [
    "BOM",
    "DELIMITER",
    "download_name",
    "french_date",
    "french_number",
    "spreadsheet_lines",
    "stream_spreadsheet_csv",
]

BOM = "\ufeff"
DELIMITER = ";"


class _Echo:
    def write(self, value: str) -> str:
        return value


def french_number(value: float | int | None, decimals: int = 1) -> str:
    """``19,6``; integers stay whole, no thousands separator (a spreadsheet reads a number)."""
    if value is None:
        return ""
    if isinstance(value, int) or decimals == 0:
        return str(round(value))
    return f"{float(value):.{decimals}f}".replace(".", ",")


def french_date(value: dt.date | None) -> str:
    """``06/12/2026`` (empty when unknown)."""
    return value.strftime("%d/%m/%Y") if value else ""


def spreadsheet_lines(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV lines, the first one starting with the byte-order mark."""
    writer = csv.writer(_Echo(), delimiter=DELIMITER, lineterminator="\r\n")
    yield BOM + writer.writerow([safe_cell(str(header)) for header in headers])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def download_name(*parts: str, day: dt.date | None = None) -> str:
    """``obrail-trajets-2026-12-06.csv``: what the file holds and the day it was made."""
    day = day or timezone.localdate()
    return "-".join(("obrail", *parts, day.isoformat())) + ".csv"


def stream_spreadsheet_csv(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, filename: str
) -> StreamingHttpResponse:
    """Stream the rows as a French spreadsheet CSV download named ``filename``."""
    response = StreamingHttpResponse(
        spreadsheet_lines(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def unknown_table(slug: str) -> Http404:
    """The 404 of a page's spreadsheet address that names none of its tables."""
    return Http404(_("Aucun tableau ne s'appelle « %(key)s ».") % {"key": slug})
