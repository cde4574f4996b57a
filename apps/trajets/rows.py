"""The row specification of a trajet and of a stop: every published column once.

A column says its name (the API's JSON key), its type, its French label (translated in
``locale/en``), the ``values()`` paths it reads, and how each consumer shows it: the API's JSON
(list rows and detail), the API's CSV cells and the page's spreadsheet cells. The consumers
derive their fields from here: the DRF serializers' ``Meta.fields``, the list path's
``values()``/``only()`` paths, the CSV columns and headers (``apps.trajets.exports``) and the
columns the loaders write (``TRAJET_WRITTEN_FIELDS``: the ETL and the seeder). Adding a plain
column is one ``column(...)`` line here; ``tests/test_rows.py`` fails when a consumer's fields
differ from the spec.

Every renderer reads a *row*: the mapping of a column's ``reads`` paths to their values (an API
page's ``values()``, or ``row_of`` a model instance). Plain Python: no request, no DRF.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.places.services import station_name
from apps.trajets.emission_factors import DEFAULT_METHOD, method_label
from apps.trajets.kinds import kind_word
from apps.trajets.models import Stop, Trajet, TransportMode
from apps.trajets.querysets import WEEKDAY_FIELDS
from obrail.formatting import clock, country_name, duration, weekday_short_labels
from obrail.spreadsheet import french_date, french_number

__all__ = [
    "DETAIL_COLUMNS",
    "LIST_COLUMNS",
    "LIST_READS",
    "LIST_VALUES",
    "SHEET_COLUMNS",
    "STOP_COLUMNS",
    "STOP_WRITTEN_FIELDS",
    "TRAJET_COLUMNS",
    "TRAJET_WRITTEN_FIELDS",
    "Cell",
    "Column",
    "ColumnType",
    "co2_comparison",
    "csv_cells",
    "json_fields",
    "json_row",
    "row_of",
    "sheet_cells",
    "written_values",
]

Row = Mapping[str, Any]
Label = str | Promise


class ColumnType(enum.StrEnum):
    """What a column holds; dates and times are ISO text in JSON."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    TIME = "time"
    LIST = "list"
    OBJECT = "object"


@dataclass(frozen=True, slots=True)
class Cell:
    """One CSV cell: its header (a name for the API's CSV, a label for the spreadsheet)."""

    header: Label
    value: Callable[[Row], object]


@dataclass(frozen=True, slots=True)
class Column:
    """One published column of a trajet or a stop.

    ``json`` is None for the detail's nested objects (calendar, source…), which the detail
    serializer builds from the model instance: their shape is DRF's, not a column's.
    """

    name: str
    type: ColumnType
    label: Label
    reads: tuple[str, ...]
    json: Callable[[Row], Any] | None
    csv: tuple[Cell, ...]
    sheet: tuple[Cell, ...]
    in_list: bool
    in_detail: bool
    help_text: str


def _iso(name: str) -> Callable[[Row], str | None]:
    def iso(row: Row) -> str | None:
        value = row[name]
        return None if value is None else value.isoformat()

    return iso


def column(
    name: str,
    type: ColumnType,
    label: Label,
    *,
    reads: tuple[str, ...] | None = None,
    json: Callable[[Row], Any] | None = None,
    csv: tuple[Cell, ...] | None = None,
    sheet: tuple[Cell, ...] | None = None,
    in_list: bool = True,
    in_detail: bool = True,
    help_text: str = "",
) -> Column:
    """A column with the defaults of a plain field: it reads ``name``, JSON holds its value
    (ISO text for a date or time), the API's CSV has one cell ``name`` with the value and the
    spreadsheet one cell ``label`` with the value (a date in French); ``csv=()`` or
    ``sheet=()`` leaves it out."""
    get = itemgetter(name)
    if json is None and type in (ColumnType.DATE, ColumnType.TIME):
        json = _iso(name)
    if sheet is None and type == ColumnType.DATE:
        sheet = (Cell(label, lambda row: french_date(row[name])),)
    return Column(
        name=name,
        type=type,
        label=label,
        reads=(name,) if reads is None else reads,
        json=get if json is None else json,
        csv=(Cell(name, get),) if csv is None else csv,
        sheet=(Cell(label, get),) if sheet is None else sheet,
        in_list=in_list,
        in_detail=in_detail,
        help_text=help_text,
    )


def nested(name: str, label: Label) -> Column:
    """A detail-only object built by the detail serializer (not in lists or CSV)."""
    return Column(name, ColumnType.OBJECT, label, (), None, (), (), False, True, "")


def co2_comparison(rail: float | None, flight: float | None) -> dict[str, float | str | None]:
    """Rail and flight kg CO2e per passenger, the saving and their ratio, rounded to grams,
    with their method (every trajet figure is computed under the default method)."""
    known = rail is not None and flight is not None
    return {
        "rail_kg": rail,
        "flight_kg": flight,
        "saved_kg": round(flight - rail, 3) if known else None,
        "rail_to_flight_ratio": round(rail / flight, 4) if known and flight else None,
        "method": DEFAULT_METHOD,
        "method_label": method_label(DEFAULT_METHOD),
    }


def _end_column(end: str, label: Label, sheet: tuple[Label, Label, Label]) -> Column:
    """The origin or destination: a station reference in JSON; its id, name and the
    trajet's country of that end in the CSV (a flat file has no nested object); its station,
    country and time in the spreadsheet (a reader reads each end as one group)."""
    paths = (f"{end}_id", f"{end}__uic_code", f"{end}__name", f"{end}__country")
    get_id, get_uic, get_name, get_country = (itemgetter(path) for path in paths)
    get_end_country = itemgetter(f"{end}_country")
    time_reads = ("departure_time",) if end == "origin" else ("arrival_time", "arrival_day_offset")

    def time_text(row: Row) -> str:
        return clock(*(row[path] for path in time_reads))

    return column(
        end,
        ColumnType.OBJECT,
        label,
        reads=(*paths, f"{end}_country", *time_reads),
        json=lambda row: {
            "id": get_id(row),
            "uic_code": get_uic(row),
            "name": get_name(row),
            "country": get_country(row),
        },
        csv=(
            Cell(f"{end}_id", get_id),
            Cell(end, get_name),
            Cell(f"{end}_country", get_end_country),
        ),
        sheet=(
            Cell(sheet[0], lambda row: station_name(get_name(row))),
            Cell(sheet[1], lambda row: country_name(get_end_country(row))),
            Cell(sheet[2], time_text),
        ),
    )


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_weekday_flags = itemgetter(*WEEKDAY_FIELDS)
_MODE_LABELS = dict(TransportMode.choices)


def _french_number(name: str, decimals: int = 1) -> Callable[[Row], str]:
    def number(row: Row) -> str:
        return french_number(row[name], decimals)

    return number


def _weekday_names(row: Row) -> list[str]:
    return [day for day, runs in zip(WEEKDAY_NAMES, _weekday_flags(row), strict=True) if runs]


def _co2(row: Row) -> dict[str, float | str | None]:
    return co2_comparison(row["co2_rail_kg"], row["co2_flight_kg"])


#: The published columns of a trajet, in the order of the API's JSON (list, then detail).
TRAJET_COLUMNS: tuple[Column, ...] = (
    column("id", ColumnType.INTEGER, _("Identifiant"), sheet=()),
    column(
        "operator",
        ColumnType.OBJECT,
        _("Opérateur"),
        reads=("operator_id", "operator__code", "operator__name"),
        json=lambda row: {
            "id": row["operator_id"],
            "code": row["operator__code"],
            "name": row["operator__name"],
        },
        csv=(Cell("operator", itemgetter("operator__code")),),
        sheet=(Cell(_("Opérateur"), itemgetter("operator__name")),),
    ),
    column(
        "train_number",
        ColumnType.TEXT,
        _("Train"),
        reads=("train_number", "category"),
        sheet=(Cell(_("Train"), lambda row: f"{row['category']} {row['train_number']}".strip()),),
    ),
    column("category", ColumnType.TEXT, _("Catégorie"), sheet=()),  # in the sheet's "Train"
    column(
        "kind",
        ColumnType.TEXT,
        _("Jour ou nuit"),
        sheet=(Cell(_("Jour ou nuit"), lambda row: kind_word(row["kind"])),),
    ),
    column(
        "mode",
        ColumnType.TEXT,
        _("Mode"),
        sheet=(Cell(_("Mode"), lambda row: _MODE_LABELS.get(row["mode"], row["mode"])),),
        help_text=(
            "rail (a train), tram_train or coach (a coach timetabled with the trains): "
            "lists hold trains only unless mode= asks for the others."
        ),
    ),
    _end_column(
        "origin", _("Départ"), (_("Gare de départ"), _("Pays de départ"), _("Heure de départ"))
    ),
    _end_column(
        "destination",
        _("Arrivée"),
        (_("Gare d'arrivée"), _("Pays d'arrivée"), _("Heure d'arrivée")),
    ),
    # In the spreadsheet with their station (see _end_column).
    column("departure_time", ColumnType.TIME, _("Heure de départ"), sheet=()),
    column("arrival_time", ColumnType.TIME, _("Heure d'arrivée"), sheet=()),
    column("arrival_day_offset", ColumnType.INTEGER, _("Jours après le départ"), sheet=()),
    column(
        "duration_min",
        ColumnType.INTEGER,
        _("Durée (minutes)"),
        sheet=(
            Cell(_("Durée"), lambda row: duration(row["duration_min"])),
            Cell(_("Durée (minutes)"), itemgetter("duration_min")),
        ),
    ),
    column(
        "distance_km",
        ColumnType.NUMBER,
        _("Distance (km)"),
        sheet=(Cell(_("Distance (km)"), _french_number("distance_km", 0)),),
    ),
    column(
        "valid_from",
        ColumnType.DATE,
        _("Motif hebdomadaire du"),
        sheet=(),
        in_detail=False,  # the detail states it in its calendar
        help_text="First date of the weekly pattern's stretch.",
    ),
    column(
        "valid_to",
        ColumnType.DATE,
        _("Motif hebdomadaire au"),
        sheet=(),
        in_detail=False,
        help_text=(
            "Last date of the weekly pattern's stretch. The train runs on the pattern's "
            "weekdays in this stretch, plus the added dates (which may lie outside "
            "it), minus the removed dates: see runs_from, runs_until, running_days."
        ),
    ),
    column(
        "weekdays",
        ColumnType.LIST,
        _("Jours de circulation"),
        reads=WEEKDAY_FIELDS,
        json=lambda row: [
            d for d, runs in zip(WEEKDAY_NAMES, _weekday_flags(row), strict=True) if runs
        ],
        csv=(
            Cell("weekdays", lambda row: "".join("1" if r else "0" for r in _weekday_flags(row))),
        ),
        sheet=(
            Cell(_("Jours de circulation"), lambda row: weekday_short_labels(_weekday_flags(row))),
        ),
    ),
    column(
        "runs_from",
        ColumnType.DATE,
        _("Circule du"),
        help_text="First date the train really runs.",
    ),
    column(
        "runs_until",
        ColumnType.DATE,
        _("Circule jusqu'au"),
        help_text="Last date the train really runs.",
    ),
    column(
        "running_days",
        ColumnType.INTEGER,
        _("Nombre de jours de circulation"),
        help_text="Number of dates it runs, exceptions included (added and removed).",
    ),
    column(
        "stops",  # the detail replaces the summary by the stops themselves (STOP_COLUMNS)
        ColumnType.OBJECT,
        _("Gares intermédiaires"),
        reads=("stop_count", "via_names"),
        json=lambda row: {"count": row["stop_count"], "via": row["via_names"]},
        csv=(
            Cell("stop_count", itemgetter("stop_count")),
            Cell("via", lambda row: " | ".join(row["via_names"])),
        ),
        sheet=(
            Cell(
                _("Gares intermédiaires"),
                lambda row: ", ".join(station_name(name) for name in row["via_names"]),
            ),
        ),
    ),
    column(
        "co2",
        ColumnType.OBJECT,
        _("CO2e par passager"),
        reads=("co2_rail_kg", "co2_flight_kg"),
        json=_co2,
        csv=(
            Cell("co2_rail_kg", itemgetter("co2_rail_kg")),
            Cell("co2_flight_kg", itemgetter("co2_flight_kg")),
            Cell("co2_saved_kg", lambda row: _co2(row)["saved_kg"]),
            Cell("co2_method", lambda row: DEFAULT_METHOD),
        ),
        sheet=(
            Cell(
                _("CO2e en train (kg par passager, méthode ADEME Base Carbone)"),
                _french_number("co2_rail_kg"),
            ),
            Cell(
                _(
                    "CO2e du vol équivalent (kg par passager, méthode ADEME Base Carbone ; vide : "
                    "pas de vol équivalent selon la règle de l'atlas : une ville sans aéroport "
                    "dans les données aériennes, la même ville aux deux bouts, ou pas de données "
                    "aériennes)"
                ),
                _french_number("co2_flight_kg"),
            ),
        ),
    ),
    # The detail only, after the list's columns.
    *(
        column(name, type_, label, csv=(), sheet=(), in_list=False)
        for name, type_, label in (
            ("kind_reason", ColumnType.TEXT, _("Motif jour ou nuit")),
            ("origin_country", ColumnType.TEXT, _("Pays de départ")),
            ("destination_country", ColumnType.TEXT, _("Pays d'arrivée")),
            ("flight_distance_km", ColumnType.NUMBER, _("Distance en avion (km)")),
        )
    ),
    nested("rail_emission_factor", _("Facteur d'émission du train")),
    nested("flight_emission_factor", _("Facteur d'émission de l'avion")),
    nested("calendar", _("Calendrier")),
    nested("source", _("Source")),
    column(
        "source_record_id",
        ColumnType.TEXT,
        _("Identifiant dans la source"),
        csv=(),
        sheet=(),
        in_list=False,
    ),
    nested("import_run", _("Import")),
    nested("provenance", _("Provenance")),
)

#: The columns whose spreadsheet cells lead its rows (a reader finds a row by its train).
SHEET_LEADING = ("train_number",)


def _stop_column(name: str, type: ColumnType, label: Label, **options: Any) -> Column:
    """A column of a stop: stops are in no CSV."""
    return column(name, type, label, csv=(), sheet=(), **options)


#: The published columns of a stop (the detail's ``stops``), in JSON order.
STOP_COLUMNS: tuple[Column, ...] = (
    _stop_column("sequence", ColumnType.INTEGER, _("Rang")),
    _stop_column(
        "station",
        ColumnType.OBJECT,
        _("Gare"),
        reads=("station_id", "station__uic_code", "station__name", "station__country"),
        json=lambda row: {
            "id": row["station_id"],
            "uic_code": row["station__uic_code"],
            "name": row["station__name"],
            "country": row["station__country"],
        },
    ),
    _stop_column("arrival_time", ColumnType.TIME, _("Arrivée")),
    _stop_column("arrival_day_offset", ColumnType.INTEGER, _("Jours après le départ (arrivée)")),
    _stop_column("departure_time", ColumnType.TIME, _("Départ")),
    _stop_column("departure_day_offset", ColumnType.INTEGER, _("Jours après le départ (départ)")),
    _stop_column("distance_from_origin_km", ColumnType.NUMBER, _("Distance depuis l'origine (km)")),
)


def _reads(columns: Iterable[Column]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(path for c in columns for path in c.reads))


LIST_COLUMNS = tuple(c for c in TRAJET_COLUMNS if c.in_list)
DETAIL_COLUMNS = tuple(c for c in TRAJET_COLUMNS if c.in_detail)
#: The API's CSV columns, and the spreadsheet's in their order.
CSV_COLUMNS = tuple(c for c in TRAJET_COLUMNS if c.csv)
SHEET_COLUMNS = tuple(
    sorted(
        (c for c in TRAJET_COLUMNS if c.sheet),
        key=lambda c: c.name not in SHEET_LEADING,
    )
)
#: The ``values()`` paths of an API list page, CSV line or spreadsheet row (``id`` first).
LIST_READS = _reads((*LIST_COLUMNS, *CSV_COLUMNS, *SHEET_COLUMNS))
#: The same besides ``id``, as an API page reads them (``page_row_values``).
LIST_VALUES = tuple(path for path in LIST_READS if path != "id")
#: The paths of a detail's plain columns (read from the model instance).
DETAIL_READS = _reads(DETAIL_COLUMNS)
STOP_READS = _reads(STOP_COLUMNS)

# Columns a load leaves to others: the typical-week flag (refresh_source_calendar) and the
# links between trajets (same_train, night references), set after every load.
_DERIVED_AFTER_LOAD = frozenset({"runs_in_typical_week", "same_train_as", "night_reference"})
#: The Trajet fields every loader writes (ETL and seeder), in the model's order.
TRAJET_WRITTEN_FIELDS = tuple(
    f.name for f in Trajet._meta.concrete_fields if f.name not in _DERIVED_AFTER_LOAD
)
#: The Stop fields every loader writes (the id comes from its sequence unless a loader
#: reserves ids itself, as the seeder does).
STOP_WRITTEN_FIELDS = tuple(f.name for f in Stop._meta.concrete_fields if f.name != "id")


def written_values(fields: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple]:
    """A function giving a loader's row, keyed by field, as values in the order of ``fields``:
    a row without one of them, or with a field not among them, is a ``KeyError`` (a column
    added to the spec and missing from a loader fails its first row, and the reverse)."""
    get, size = itemgetter(*fields), len(fields)

    def values(row: Mapping[str, Any]) -> tuple:
        if len(row) != size:
            missing, extra = sorted(set(fields) - set(row)), sorted(set(row) - set(fields))
            raise KeyError(
                f"a loader's row lacks written fields {missing} or holds other fields {extra}"
            )
        return get(row)

    return values


def json_fields(columns: tuple[Column, ...]) -> tuple[tuple[str, Callable[[Row], Any]], ...]:
    """(name, JSON of a row) of ``columns``, which must all have a ``json``: a list page
    builds hundreds of rows, and pairs read faster than the columns' attributes."""
    fields = []
    for c in columns:
        if c.json is None:
            raise ValueError(f"column {c.name!r} has no JSON of its own (a nested object)")
        fields.append((c.name, c.json))
    return tuple(fields)


def json_row(fields: tuple[tuple[str, Callable[[Row], Any]], ...], row: Row) -> dict[str, Any]:
    """The JSON of ``row`` for ``fields`` (``json_fields``)."""
    return {name: to_json(row) for name, to_json in fields}


def csv_cells(columns: tuple[Column, ...]) -> tuple[Cell, ...]:
    """The API's CSV cells of ``columns``, in order."""
    return tuple(cell for c in columns for cell in c.csv)


def sheet_cells(columns: tuple[Column, ...]) -> tuple[Cell, ...]:
    """The spreadsheet cells of ``columns``, in order."""
    return tuple(cell for c in columns for cell in c.sheet)


def row_of(instance: object, paths: Iterable[str]) -> dict[str, Any]:
    """The row of a model instance: ``operator__code`` → ``instance.operator.code``."""
    row = {}
    for path in paths:
        value = instance
        for name in path.split("__"):
            value = getattr(value, name)
        row[path] = value
    return row
