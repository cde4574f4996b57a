"""Rebuild the routing artefact after every committed ETL load."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.dispatch import receiver

from apps.routing.pathfinding import PathfindingError
from apps.routing.services import build_routing_artifact
from apps.trajets.signals import import_completed

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
