"""Operators in the warehouse: one row per company, as the registry describes it.

The ETL maps each agency onto the registry as it loads; :func:`apply_operator_registry`
repairs stored operators (a warehouse loaded before the registry, or after the registry
changed): rows naming the same company are merged (their trajets move to the registry's row),
registered facts are written, and facts copied from feeds onto unregistered operators (gtfs.de
gave every foreign operator https://www.bahn.de) are cleared.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from apps.trajets.models import Operator, Trajet
from apps.trajets.operators import OperatorRegistry, RegisteredOperator, operator_registry

__all__ = ["OperatorRepair", "apply_operator_registry", "registered_facts"]

logger = logging.getLogger(__name__)


def registered_facts(operator: RegisteredOperator) -> dict[str, Any]:
    """The fields an operator row takes from its registry entry."""
    return {
        "name": operator.name[:200],
        "legal_name": operator.legal_name[:200],
        "country": operator.country,
        "website": operator.website,
        "is_registered": True,
        "fact_sources": dict(operator.sources),
    }


@dataclass
class OperatorRepair:
    """What applying the registry changed."""

    merged: list[tuple[str, str]] = field(default_factory=list)  # (removed code, kept code)
    updated: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)
    trajets_moved: int = 0

    def summary(self) -> str:
        """One line for command output."""
        merged = ", ".join(f"{old} → {new}" for old, new in self.merged) or "none"
        return (
            f"operators: {len(self.merged)} merged ({merged}), {len(self.updated)} updated from "
            f"the registry, {len(self.unregistered)} not in the registry "
            f"({', '.join(self.unregistered) or 'none'}); {self.trajets_moved} trajets moved"
        )


def apply_operator_registry(registry: OperatorRegistry | None = None) -> OperatorRepair:
    """Bring stored operators in line with the registry (idempotent, one transaction)."""
    registry = registry or operator_registry()
    repair = OperatorRepair()
    with transaction.atomic():
        operators = list(Operator.objects.order_by("pk"))
        groups: dict[str, list[Operator]] = {}
        for operator in operators:
            registered = _registered(registry, operator)
            if registered is None:
                repair.unregistered.append(operator.code)
                _forget_feed_facts(operator)
                continue
            groups.setdefault(registered.code, []).append(operator)
        for code, rows in groups.items():
            keep = next((row for row in rows if row.code == code), rows[0])
            for row in rows:
                if row is keep:
                    continue
                repair.trajets_moved += Trajet.objects.filter(operator=row).update(operator=keep)
                keep.source_ids = _merged_ids(keep.source_ids, row.source_ids)
                repair.merged.append((row.code, code))
                row.delete()
            facts = {"code": code, **registered_facts(registry.operators[code])}
            changed = [name for name, value in facts.items() if getattr(keep, name) != value]
            if changed or len(rows) > 1:
                for name in changed:
                    setattr(keep, name, facts[name])
                keep.save()
                repair.updated.append(code)
    logger.info("operator registry applied: %s", repair.summary())
    return repair


def _registered(registry: OperatorRegistry, operator: Operator) -> RegisteredOperator | None:
    if operator.code in registry.operators:
        return registry.operators[operator.code]
    ids = [
        str(value)
        for values in operator.source_ids.values()
        for value in (values if isinstance(values, list) else [values])
    ]
    for candidate in (operator.name, *ids):
        found = registry.match(candidate)
        if found is not None:
            return found
    return None


def _forget_feed_facts(operator: Operator) -> None:
    """An unregistered operator keeps only its name: websites and countries came from feeds
    that give every agency their own (gtfs.de: https://www.bahn.de, Europe/Berlin)."""
    if operator.website or operator.country or operator.is_registered:
        operator.website, operator.country, operator.is_registered = "", "", False
        operator.save(update_fields=["website", "country", "is_registered"])


def _merged_ids(first: dict, second: dict) -> dict:
    merged = dict(first)
    for source, values in second.items():
        current = merged.get(source)
        pool = {
            *(current if isinstance(current, list) else [current] if current else []),
            *(values if isinstance(values, list) else [values]),
        }
        ordered = sorted(str(v) for v in pool)
        merged[source] = ordered[0] if len(ordered) == 1 else ordered
    return merged
