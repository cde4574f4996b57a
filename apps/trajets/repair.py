"""Repair a warehouse loaded by older rules, without reloading any source.

``manage.py repair_identity`` runs :func:`repair_identity`: operators are brought in line with
the registry, every station record is regrouped and every station relocated (country, zone and
town from its coordinates), stops move to the right stations and the trajets concerned are
re-derived. It is recorded as an import run of its own (source ``repair-identity``), so every
figure cached until the next import is recomputed, and the derived data is rebuilt
(:mod:`obrail.derived`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db import transaction

from apps.trajets.operator_identity import OperatorRepair, apply_operator_registry
from apps.trajets.rebuild import rebuild_after_internal_change
from apps.trajets.station_identity import ReconcileReport, reconcile_stations
from obrail import derived

__all__ = ["REPAIR_SOURCE", "IdentityRepair", "repair_identity"]

REPAIR_SOURCE = "repair-identity"


class _DryRunRollbackError(Exception):
    """Raised inside the transaction to undo a dry run."""


@dataclass(frozen=True)
class IdentityRepair:
    """What a repair changed (or would change, for a dry run)."""

    operators: OperatorRepair
    stations: ReconcileReport
    dry_run: bool
    derived: tuple[derived.Outcome, ...] = ()

    @property
    def has_changes(self) -> bool:
        """Whether the warehouse changed."""
        return bool(
            self.stations.has_changes
            or self.stations.trajets_rederived
            or self.stations.warnings_changed
            or self.operators.merged
            or self.operators.updated
        )


@derived.bulk_change()
def repair_identity(*, dry_run: bool = False) -> IdentityRepair:
    """Apply the operator registry and regroup and relocate every station, in one
    transaction (rolled back with ``dry_run``), then rebuild the derived data if anything
    changed. Idempotent."""
    outcome: list[IdentityRepair] = []
    try:
        with transaction.atomic():
            operators = apply_operator_registry()
            stations = reconcile_stations(relocate_all=True)
            outcome.append(IdentityRepair(operators, stations, dry_run))
            if dry_run:
                raise _DryRunRollbackError
    except _DryRunRollbackError:
        return outcome[0]
    repair = outcome[0]
    if repair.has_changes:
        _run, outcomes = rebuild_after_internal_change(
            REPAIR_SOURCE,
            title="Réparation de l'identité des gares et des opérateurs",
            location="manage.py repair_identity",
            rows_updated=repair.stations.updated + len(repair.operators.updated),
            message=f"{repair.operators.summary()}; stations: {repair.stations.summary()}",
        )
        repair = dataclasses.replace(repair, derived=tuple(outcomes))
    return repair
