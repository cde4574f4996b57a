"""Rebuild the routing artefact after every committed ETL load."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from apps.routing.services import build_routing_artifact
from apps.trajets.signals import import_completed

logger = logging.getLogger(__name__)


@receiver(import_completed, dispatch_uid="routing-rebuild-artifact")
def rebuild_artifact(sender: object, *, source: object, run: object, **kwargs: object) -> None:
    """Publish a new artefact version built from the freshly loaded data."""
    run_id = getattr(run, "pk", None)
    version = build_routing_artifact(run_id=run_id)
    logger.info(
        "routing artefact rebuilt after import", extra={"run_id": run_id, "version": version}
    )
