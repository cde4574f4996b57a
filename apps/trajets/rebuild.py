"""Run the derived-data pipeline after a change of the warehouse and keep its outcome on
the import run that made the change (``ImportRun.derived``)."""

from __future__ import annotations

from apps.trajets.models import ImportRun
from obrail import derived

__all__ = ["rebuild_after_run"]


def rebuild_after_run(
    run_id: int | None, *, reason: str, changed: bool = True
) -> list[derived.Outcome]:
    """Bring every derived artefact up to date after run ``run_id`` (``changed``: it changed
    data; see :mod:`obrail.derived`) and store the outcomes on the run (none when None)."""
    outcomes = derived.rebuild_after_change(reason, changed=changed, run_id=run_id)
    if run_id is not None:
        ImportRun.objects.filter(pk=run_id).update(derived=[o.as_dict() for o in outcomes])
    return outcomes
