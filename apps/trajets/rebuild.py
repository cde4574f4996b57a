"""Run the derived-data pipeline after a change of the warehouse and keep its outcome on
the import run that made the change (``ImportRun.derived``); record the changes made by
ObRail itself (repairs, admin edits) as runs of internal sources."""

from __future__ import annotations

from django.utils import timezone

from apps.trajets.models import DataSource, ImportRun, SourceFormat
from obrail import derived

__all__ = ["rebuild_after_internal_change", "rebuild_after_run", "record_internal_change"]


def record_internal_change(
    name: str, *, title: str, location: str, rows_updated: int, message: str
) -> ImportRun:
    """Record a change made by ObRail itself as a succeeded run of the internal source
    ``name`` (created on first use): the data version moves, as after an import."""
    with derived.bulk_change():  # the source's own row is not an edit
        source, _ = DataSource.objects.get_or_create(
            name=name,
            defaults={
                "title": title,
                "format": SourceFormat.INTERNAL,
                "location": location,
                "licence": "—",
            },
        )
        now = timezone.now()
        return ImportRun.objects.create(
            source=source,
            started_at=now,
            finished_at=now,
            status=ImportRun.Status.SUCCEEDED,
            rows_updated=rows_updated,
            message=message,
        )


def rebuild_after_run(
    run_id: int | None, *, reason: str, changed: bool = True
) -> list[derived.Outcome]:
    """Bring every derived artefact up to date after run ``run_id`` (``changed``: it changed
    data; see :mod:`obrail.derived`) and store the outcomes on the run (none when None)."""
    outcomes = derived.rebuild_after_change(reason, changed=changed, run_id=run_id)
    if run_id is not None:
        ImportRun.objects.filter(pk=run_id).update(derived=[o.as_dict() for o in outcomes])
    return outcomes


def rebuild_after_internal_change(
    name: str, *, title: str, location: str, rows_updated: int, message: str
) -> tuple[ImportRun, list[derived.Outcome]]:
    """Record a change made by ObRail itself (:func:`record_internal_change`), then bring the
    derived data up to date after it."""
    run = record_internal_change(
        name, title=title, location=location, rows_updated=rows_updated, message=message
    )
    return run, rebuild_after_run(run.pk, reason=f"{location} (run {run.pk})")
