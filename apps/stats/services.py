"""Indicators computed from trajets over real dates: services, departures and train-km.

Every figure covers a stated period (``apps.trajets.periods``): by default each train in its
own source's typical week, or a day, a week, a month, a range of dates, or every date. A
departure is a date the train runs (its calendar's pattern days, plus added dates, minus
removed dates: ``apps.trajets.calendars``); a service is a train (a counted trajet) running at
least once in the period; train-km are departures × distance.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from apps.stats.models import VolumeSummary
from apps.trajets.models import ImportRun, Operator, Trajet, TrajetCountry
from apps.trajets.services import (
    Period,
    PeriodChoice,
    PeriodKind,
    SourceWeek,
    Weeks,
    counted_lookups,
    exception_balance,
    has_exceptions_in,
    in_typical_weeks,
    pattern_days_expression,
    typical_weeks,
)
from obrail.caching import cache_seconds, cached_per_query, data_version
from obrail.errors import InvalidInput, UnprocessableInput

logger = logging.getLogger(__name__)

# group_by name → the column it groups on; operators are grouped by id and named afterwards.
GROUPINGS: dict[str, str] = {"operator": "operator_id", "country": "origin_country", "kind": "kind"}
OUTPUT_NAMES = {"origin_country": "country"}
# Filters the volume summary can answer (any other filter scans the trajets).
SUMMARY_FILTERS = frozenset({"operator", "kind", "country"})
# Parameters choosing the period: the summary answers the default one (typical weeks) only.
PERIOD_FILTERS = frozenset({"period", "date", "week", "month", "start", "end"})
MEASURES = ("services", "departures", "km_served")


@dataclass(frozen=True)
class VolumeTable:
    """Volumes per group, largest first, and the grand total over the same trains.

    Each row has the group columns (``operator``, ``operator_name``, ``country``, ``kind`` as
    asked) and ``services`` (trains running at least once in the period), ``departures``
    (their running dates in the period) and ``km_served`` (departures × distance; trains
    without a distance count 0 km). ``choice`` is the period; ``weeks`` the typical week of
    each source counted, when the period is the typical weeks.
    """

    group_by: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    total: dict[str, Any]
    choice: PeriodChoice
    weeks: tuple[SourceWeek, ...] = ()


#: The ``group_by`` syntax, as the OpenAPI schema states it: names, commas, spaces around.
GROUP_BY_PATTERN = r"^ *((operator|country|kind) *(, *(operator|country|kind) *)*)?$"


def parse_group_by(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Validate ``operator,country,kind`` (any subset, any order, comma-separated; empty for
    the total only). A malformed list is an ``InvalidInput``, a repeated name an
    ``UnprocessableInput`` (the pattern cannot say it)."""
    if value is None:
        return ()
    if isinstance(value, str):
        names = [name.strip(" ") for name in value.split(",")] if value.strip(" ") else []
    else:
        names = list(value)
    unknown = [repr(name) for name in names if name not in GROUPINGS]
    if unknown:
        raise InvalidInput(
            {
                "group_by": [
                    _(
                        "regroupement inconnu : %(unknown)s ; une liste séparée par des "
                        "virgules de : %(choices)s est attendue."
                    )
                    % {"unknown": ", ".join(unknown), "choices": ", ".join(GROUPINGS)}
                ]
            }
        )
    if len(set(names)) != len(names):
        raise UnprocessableInput(
            {"group_by": [_("chaque regroupement ne peut figurer qu'une fois.")]}
        )
    return tuple(names)


def compute_volumes(
    queryset: QuerySet[Trajet] | Callable[[], QuerySet[Trajet]],
    *,
    group_by: str | Sequence[str] | None = ("operator",),
    filters: Mapping[str, Any] | None = None,
    choice: PeriodChoice | None = None,
) -> VolumeTable:
    """Count services, departures and train-km of the trains of ``queryset`` per group, over
    the period ``choice`` (each source's typical week by default).

    ``queryset`` holds the trains to count, not narrowed to the period (counted trajets,
    ``TrajetFilterSet`` with ``narrows_to_period`` off); it may be a function returning it,
    called only when needed. ``filters`` are that FilterSet's cleaned values: in the typical
    weeks, when only ``operator``, ``kind`` and ``country`` are set and the volume summary is
    current, the figures are summed from it. Otherwise they are computed from the trajets,
    exactly, and cached per query and period until the next successful import.

    Raises
    ------
    InvalidInput
        When ``group_by`` names an unknown grouping or repeats one.
    """
    groups = parse_group_by(group_by)
    choice = choice or PeriodChoice()
    if filters is not None and choice.kind == PeriodKind.REFERENCE:
        summarised = _volumes_from_summary(groups, filters)
        if summarised is not None:
            return summarised
    base = (queryset if isinstance(queryset, QuerySet) else queryset()).order_by()
    return cached_per_query(
        f"volumes:{'|'.join(groups)}:{choice.key}",
        base,
        lambda: _compute_volumes(base, groups, choice),
        seconds=cache_seconds(),
        per_language=False,
    )


def period_measures(
    rows: QuerySet,
    columns: Sequence[str],
    period: Period | Weeks,
    *,
    prefix: str = "",
) -> dict[tuple, dict[str, Any]]:
    """Services, departures and train-km of ``rows`` (trajets, or rows reaching a trajet
    through ``prefix``) per value of ``columns``, in ``period`` (fixed dates, or the typical
    week of each trajet's source: ``rows`` must then hold only trajets of those sources).

    Two grouped statements: the weekly patterns of every row (arithmetic only), then the
    dated exceptions of the few rows having one in the period, which correct the figures.
    """
    pattern = pattern_days_expression(period, prefix)
    distance = Coalesce(F(f"{prefix}distance_km"), models.Value(0.0))
    rows = rows.order_by()
    measures: dict[tuple, dict[str, Any]] = {}
    for row in _grouped(
        rows,
        columns,
        services=Count("pk", filter=Q(GreaterThan(pattern, 0))),
        departures=Coalesce(Sum(pattern), 0),
        km_served=Coalesce(
            Sum(models.ExpressionWrapper(pattern * distance, output_field=models.FloatField())),
            0.0,
        ),
    ):
        measures[tuple(row[name] for name in columns)] = row
    balance = exception_balance(period, prefix)
    now_running = models.Case(
        models.When(GreaterThan(pattern + balance, 0), then=1),
        default=0,
        output_field=models.IntegerField(),
    )
    by_pattern = models.Case(
        models.When(GreaterThan(pattern, 0), then=1), default=0, output_field=models.IntegerField()
    )
    corrections = _grouped(
        rows.filter(has_exceptions_in(period, prefix)),
        columns,
        services=Coalesce(Sum(now_running - by_pattern), 0),
        departures=Coalesce(Sum(balance), 0),
        km_served=Coalesce(
            Sum(models.ExpressionWrapper(balance * distance, output_field=models.FloatField())),
            0.0,
        ),
    )
    for row in corrections:
        key = tuple(row[name] for name in columns)
        kept = measures.setdefault(key, {**row, **dict.fromkeys(MEASURES, 0)})
        for name in MEASURES:
            kept[name] += row[name]
    return measures


def _grouped(rows: QuerySet, columns: Sequence[str], **measures: Any) -> list[dict[str, Any]]:
    """``measures`` per value of ``columns`` (one row for all when there are none)."""
    if not columns:
        return [rows.aggregate(**measures)]
    return list(rows.values(*columns).annotate(**measures))


def _all_dates_measures(base: QuerySet[Trajet], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Every running date: the stored number of running days of each train."""
    return _grouped(
        base,
        columns,
        services=Count("pk"),
        departures=Coalesce(Sum("running_days"), 0),
        km_served=Coalesce(
            Sum(
                models.ExpressionWrapper(
                    F("running_days") * F("distance_km"), output_field=models.FloatField()
                )
            ),
            0.0,
        ),
    )


def _compute_volumes(
    base: QuerySet[Trajet], groups: tuple[str, ...], choice: PeriodChoice
) -> VolumeTable:
    """Volumes of ``base`` per group and period, from the trajets."""
    columns = [GROUPINGS[name] for name in groups]
    if choice.kind == PeriodKind.ALL:
        measured = _all_dates_measures(base, columns)
    elif choice.period is None:
        mondays = typical_weeks().mondays
        typical = in_typical_weeks(base, mondays)
        measured = list(period_measures(typical, [*columns, "source_id"], mondays).values())
    else:
        period = choice.period
        running = base.filter(runs_from__lte=period.end, runs_until__gte=period.start)
        measured = list(period_measures(running, columns, period).values())
    weeks = (
        typical_weeks().of(row["source_id"] for row in measured if row["services"])
        if choice.kind == PeriodKind.REFERENCE
        else ()
    )
    folded: dict[tuple, dict[str, Any]] = {}
    for row in measured:
        if not row["services"]:
            continue  # trains not running in the period are not services
        key = tuple(row[name] for name in columns)
        kept = folded.setdefault(
            key, {name: row[name] for name in columns} | dict.fromkeys(MEASURES, 0)
        )
        for name in MEASURES:
            kept[name] += row[name] or 0
    rows = [_rename(row) for row in folded.values()]
    total = {
        "services": sum(row["services"] for row in rows),
        "departures": sum(row["departures"] for row in rows),
        "km_served": round(sum(row["km_served"] for row in rows), 1),
    }
    if "operator" in groups:
        operators = {
            pk: (code, name)
            for pk, code, name in Operator.objects.filter(
                pk__in={row["operator_id"] for row in rows}
            ).values_list("pk", "code", "name")
        }
        for row in rows:
            code, name = operators[row.pop("operator_id")]
            row["operator"], row["operator_name"] = code, name
    keys = [name for name in ("operator", "country", "kind") if name in groups]
    rows.sort(key=lambda row: (-row["services"], *(row[key] for key in keys)))
    if not groups:
        rows = []
    return VolumeTable(groups, tuple(rows), total, choice, weeks)


def _rename(row: dict[str, Any]) -> dict[str, Any]:
    named = {OUTPUT_NAMES.get(key, key): value for key, value in row.items()}
    named["km_served"] = round(named["km_served"], 1)
    return named


def _volumes_from_summary(
    groups: tuple[str, ...], filters: Mapping[str, Any]
) -> VolumeTable | None:
    """Volumes in the typical weeks summed from the volume summary, or None when it cannot
    answer.

    It cannot when a filter other than operator, kind and country is set, or when it was not
    built from the current data (an import or an edit since): then the trajets are scanned.
    One statement in the usual case, written out because the ORM took longer to compile it
    than PostgreSQL to run it; a second one tells an empty answer from an outdated summary.
    """
    ignored = SUMMARY_FILTERS | PERIOD_FILTERS | {"ordering"}
    if any(value not in (None, "", []) for name, value in filters.items() if name not in ignored):
        return None
    selected = [column for name in groups for column in _SUMMARY_COLUMNS[name]]
    conditions = [f"data_version = ({_DATA_VERSION_SQL})", "served_country = %s"]
    params: list[Any] = [ImportRun.Status.SUCCEEDED, filters.get("country") or ""]
    if filters.get("operator"):
        conditions.append("operator_id = %s")
        params.append(filters["operator"].pk)
    if filters.get("kind"):
        conditions.append("kind = %s")
        params.append(filters["kind"])
    # Names come from the model and _SUMMARY_COLUMNS; values are parameters.
    keys = [*selected, "source_name", "week_start"]
    measures = "CAST(SUM(services) AS BIGINT), CAST(SUM(departures) AS BIGINT), SUM(km_served)"
    sql = f"SELECT {', '.join([*keys, measures])} FROM {_SUMMARY_TABLE} WHERE "  # noqa: S608
    sql += " AND ".join(conditions) + f" GROUP BY {', '.join(keys)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cells = cursor.fetchall()
    if not cells and not _summary_is_current():
        return None
    weeks: set[SourceWeek] = set()
    grouped: dict[tuple, list] = {}
    for cell in cells:
        weeks.add(SourceWeek(cell[len(selected)], cell[len(selected) + 1]))
        kept = grouped.setdefault(cell[: len(selected)], [0, 0, 0.0])
        for index in range(3):
            kept[index] += cell[-3 + index]
    total = {
        "services": sum(value[0] for value in grouped.values()),
        "departures": sum(value[1] for value in grouped.values()),
        "km_served": round(sum(value[2] for value in grouped.values()), 1),
    }
    ordered_weeks = tuple(sorted(weeks, key=lambda week: week.source))
    if not groups:
        return VolumeTable((), (), total, PeriodChoice(), ordered_weeks)
    rows = [(*key, *value) for key, value in grouped.items()]
    # Rows sorted as _compute_volumes sorts them, then named by the output keys.
    order = [selected.index(_SUMMARY_COLUMNS[name][0]) for name in GROUPINGS if name in groups]
    rows.sort(key=lambda row: (-row[-3], *[row[position] for position in order]))
    names = [*(_OUTPUT_KEYS[column] for column in selected), *MEASURES]
    table = tuple(dict(zip(names, (*row[:-1], round(row[-1], 1)), strict=True)) for row in rows)
    return VolumeTable(groups, table, total, PeriodChoice(), ordered_weeks)


_SUMMARY_COLUMNS = {
    "operator": ("operator_code", "operator_name"),
    "country": ("origin_country",),
    "kind": ("kind",),
}
_OUTPUT_KEYS = {
    "operator_code": "operator",
    "operator_name": "operator_name",
    "origin_country": "country",
    "kind": "kind",
}
# obrail.caching.data_version() as a subquery, so the summary is read in one statement.
_DATA_VERSION_SQL = f"SELECT COALESCE(MAX(id), 0) FROM {ImportRun._meta.db_table} WHERE status = %s"  # noqa: S608


_SUMMARY_TABLE = VolumeSummary._meta.db_table


def _summary_is_current() -> bool:
    """Whether the volume summary was built from the current data (one query)."""
    sql = f"SELECT 1 FROM {_SUMMARY_TABLE} WHERE data_version = ({_DATA_VERSION_SQL})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", [ImportRun.Status.SUCCEEDED])
        return cursor.fetchone() is not None


def compute_served_countries(choice: PeriodChoice) -> dict[str, int]:
    """Services serving each country (origin, destination or any stop) in the period."""
    if choice.kind == PeriodKind.REFERENCE and _summary_is_current():
        cells = (
            VolumeSummary.objects.filter(data_version=data_version())
            .exclude(served_country="")
            .values("served_country")
            .annotate(services=Sum("services"))
        )
        return {row["served_country"]: row["services"] for row in cells}
    countries = TrajetCountry.objects.filter(**counted_lookups("trajet__"))
    if choice.kind == PeriodKind.ALL:
        return dict(countries.order_by().values_list("country").annotate(services=Count("*")))
    period: Period | Weeks
    if choice.period is None:
        period = typical_weeks().mondays
        countries = in_typical_weeks(countries, period, prefix="trajet__")
    else:
        period = choice.period
        countries = countries.filter(
            trajet__runs_from__lte=period.end, trajet__runs_until__gte=period.start
        )
    measured = period_measures(countries, ["country"], period, prefix="trajet__")
    return {key[0]: row["services"] for key, row in measured.items() if row["services"]}


def rebuild_volume_summary() -> int:
    """Recompute the volume summary (each source's typical week) for the current data
    version.

    Runs in one transaction (readers see the old summary or the new one). Returns the number
    of summary rows written.
    """
    started = time.perf_counter()
    version = data_version()
    weeks = typical_weeks()
    mondays = weeks.mondays
    dimensions = ["source_id", "operator_id", "origin_country", "kind"]
    everywhere = period_measures(
        in_typical_weeks(Trajet.objects.counted(), mondays), dimensions, mondays
    )
    by_country = period_measures(
        in_typical_weeks(
            TrajetCountry.objects.filter(**counted_lookups("trajet__")),
            mondays,
            prefix="trajet__",
        ),
        ["country", *(f"trajet__{name}" for name in dimensions)],
        mondays,
        prefix="trajet__",
    )
    operators = {
        pk: (code, name) for pk, code, name in Operator.objects.values_list("pk", "code", "name")
    }
    cells = []
    for served, measured in (("", everywhere), ("*", by_country)):
        for key, row in measured.items():
            if not row["services"]:
                continue
            country, (source_id, operator_id, origin_country, kind) = (
                (served, key) if served == "" else (key[0], key[1:])
            )
            cells.append(
                VolumeSummary(
                    data_version=version,
                    source_id=source_id,
                    source_name=weeks.by_source[source_id].source,
                    week_start=weeks.by_source[source_id].start,
                    operator_id=operator_id,
                    operator_code=operators[operator_id][0],
                    operator_name=operators[operator_id][1],
                    origin_country=origin_country,
                    kind=kind,
                    served_country=country,
                    services=row["services"],
                    departures=row["departures"],
                    km_served=row["km_served"],
                )
            )
    with transaction.atomic():
        VolumeSummary.objects.all().delete()
        VolumeSummary.objects.bulk_create(cells, batch_size=2000)
    logger.info(
        "volume summary rebuilt",
        extra={
            "data_version": version,
            "rows": len(cells),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return len(cells)


def ensure_volume_summary() -> bool:
    """Rebuild the volume summary unless it was built from the current data; True if rebuilt."""
    if _summary_is_current():
        return False
    rebuild_volume_summary()
    return True
