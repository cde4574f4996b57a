"""Indicators computed from trajets: volumes of services, weekly departures and km served."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FloatField, IntegerField, QuerySet, Sum
from django.db.models.functions import Cast, Coalesce

from apps.trajets.models import Operator, Trajet
from obrail.errors import InvalidInput

# group_by name → the column it groups on; operators are grouped by id (no join over the
# trajets, so the covering index serves) and named afterwards.
GROUPINGS: dict[str, str] = {"operator": "operator_id", "country": "origin_country", "kind": "kind"}
OUTPUT_NAMES = {"origin_country": "country"}


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


def compute_volumes(
    queryset: QuerySet[Trajet], *, group_by: str | Sequence[str] | None = ("operator",)
) -> VolumeTable:
    """Count services, weekly departures and weekly train-km of ``queryset`` per group.

    Raises
    ------
    InvalidInput
        When ``group_by`` names an unknown grouping or repeats one.
    """
    groups = parse_group_by(group_by)
    weekly = sum(
        (Cast(F(name), IntegerField()) for name in Trajet.WEEKDAY_FIELDS[1:]),
        Cast(F(Trajet.WEEKDAY_FIELDS[0]), IntegerField()),
    )
    measures = {
        "services": Count("id"),
        "weekly_departures": Coalesce(Sum(weekly), 0),
        "km_served": Coalesce(
            Sum(Coalesce(F("distance_km"), 0.0) * weekly, output_field=FloatField()), 0.0
        ),
    }
    base = queryset.order_by()
    total = _rename(base.aggregate(**measures))
    if not groups:
        return VolumeTable((), (), total)
    columns = [GROUPINGS[name] for name in groups]
    rows = [_rename(row) for row in base.values(*columns).annotate(**measures)]
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


def _rename(row: dict[str, Any]) -> dict[str, Any]:
    named = {OUTPUT_NAMES.get(key, key): value for key, value in row.items()}
    named["km_served"] = round(named["km_served"], 1)
    return named
