"""Rebuild the routing artefact after every committed ETL load."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import DatabaseError
from django.dispatch import receiver

from apps.routing.pathfinding import PathfindingError
from apps.routing.pathfinding.artifact import ArtifactError, read_artifact
from apps.routing.services import artifact_root, build_routing_artifact
from apps.trajets.models import ImportRun
from apps.trajets.signals import etl_finished, import_completed

logger = logging.getLogger(__name__)


@receiver(import_completed, dispatch_uid="routing-rebuild-artifact")
def rebuild_artifact(sender: object, *, source: object, run: object, **kwargs: object) -> None:
    """Publish a new artefact version built from the freshly loaded data.

    The load is already committed: a failed rebuild is logged with its traceback and the
    workers keep serving the previous version, instead of failing the import.
    """
    run_id = getattr(run, "pk", None)
    try:
        version = build_routing_artifact(run_id=run_id)
    except (PathfindingError, OSError, DatabaseError):
        logger.exception("routing artefact rebuild failed", extra={"run_id": run_id})
        return
    logger.info(
        "routing artefact rebuilt after import", extra={"run_id": run_id, "version": version}
    )


@receiver(etl_finished, dispatch_uid="routing-repair-artifact")
def repair_artifact(sender: object, *, changed: bool, **kwargs: object) -> None:
    """After a run that changed nothing, rebuild the artefact when it is missing, unreadable
    or older than the last load that wrote trajets (a process killed between its commit and
    the rebuild): re-running the ETL repairs it."""
    if changed:
        return  # rebuilt by import_completed
    latest = (
        ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED)
        .exclude(rows_inserted=0, rows_updated=0)
        .order_by("-pk")
        .first()
    )
    if latest is None or latest.finished_at is None:
        return  # nothing loaded yet: nothing to route
    try:
        created = dt.datetime.fromisoformat(read_artifact(artifact_root()).manifest["created_at"])
    except (ArtifactError, KeyError, TypeError, ValueError):
        reason = "missing or unreadable"
    else:
        if created >= latest.finished_at:
            return
        reason = f"built {created.isoformat()}, before run {latest.pk} committed"
    logger.warning("routing artefact %s: rebuilding", reason, extra={"run_id": latest.pk})
    rebuild_artifact(sender, source=latest.source, run=latest)
