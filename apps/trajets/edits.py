"""Single edits of warehouse rows (the admin, a shell) mark the data changed.

Every ORM save or delete of a row the derived data is built from is counted by
:func:`obrail.derived.note_edit`; once its transaction commits, :func:`record_edits` writes
one succeeded import run of the source ``edits``. That moves the data version: every figure
cached for the previous data is dropped at once (the pages then compute from the trajets, so
they are right), and the next ``rebuild_derived`` (cron, hourly) finds the routing
artefact, the volume summary and the atlas older than the data and rebuilds them. Nothing
heavy runs in the admin's request. Bulk writers (ETL, seeder, repairs) run inside
:func:`obrail.derived.bulk_change` and rebuild once at the end.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.db.models.signals import post_delete, post_save

from apps.trajets.models import (
    CalendarException,
    DataSource,
    ImportRun,
    Operator,
    Station,
    Stop,
    Trajet,
    TrajetCountry,
)
from apps.trajets.rebuild import record_internal_change
from obrail import derived

__all__ = ["EDITS_SOURCE", "WAREHOUSE_MODELS", "record_edits", "watch_edits"]

logger = logging.getLogger(__name__)

EDITS_SOURCE = "edits"

#: The warehouse tables the derived data is built from.
WAREHOUSE_MODELS = (Trajet, Stop, TrajetCountry, CalendarException, Station, Operator, DataSource)


def _note(sender: type, **kwargs: object) -> None:
    derived.note_edit(sender._meta.label)


def watch_edits(models: tuple[type, ...]) -> None:
    """Count the ORM saves and deletes of ``models`` as single edits of the data."""
    for model in models:
        label = model._meta.label_lower
        post_save.connect(_note, sender=model, dispatch_uid=f"derived-edit-saved-{label}")
        post_delete.connect(_note, sender=model, dispatch_uid=f"derived-edit-deleted-{label}")


def record_edits(edits: Counter[str]) -> ImportRun:
    """Record committed single edits as one succeeded import run of the source ``edits``."""
    run = record_internal_change(
        EDITS_SOURCE,
        title="Modifications à l'unité (administration)",
        location="admin",
        rows_updated=sum(edits.values()),
        message="edited: " + ", ".join(f"{n} × {label}" for label, n in sorted(edits.items())),
    )
    logger.info(
        "single edits recorded as run %s: derived data rebuilt by the next rebuild_derived",
        run.pk,
        extra={"run_id": run.pk, "rows": sum(edits.values())},
    )
    return run
