"""Recompute the atlas after every ETL run that changed data (never in a page request)."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.trajets.models import EmissionFactor
from apps.trajets.signals import import_completed

logger = logging.getLogger(__name__)


@receiver(import_completed, dispatch_uid="atlas-recompute")
def recompute_after_import(sender: object, *, run: object = None, **kwargs: object) -> None:
    """Rebuild every city pair from the fresh timetables (after the routing artefact, whose
    receiver is connected first). The import is committed: a failure is logged and the
    previous atlas stays in place."""
    from apps.atlas.refresh import refresh_atlas

    try:
        build = refresh_atlas(trigger=f"import {getattr(run, 'pk', '')}".strip()).build
    except (DatabaseError, OSError, LookupError, ValueError):
        logger.exception("atlas recompute failed", extra={"run_id": getattr(run, "pk", None)})
        return
    logger.info(
        "atlas recomputed after import",
        extra={"pairs": build.pairs, "duration_s": round(build.duration_s, 2)},
    )


@receiver(post_save, sender=EmissionFactor, dispatch_uid="atlas-factor-saved")
@receiver(post_delete, sender=EmissionFactor, dispatch_uid="atlas-factor-deleted")
def forget_cached_figures(sender: object, **kwargs: object) -> None:
    """A corrected factor changes every CO2 figure: cached tables are outdated (the trajets'
    flight equivalents follow at the next refresh: the factors are in its fingerprint)."""
    from apps.atlas.services import bump_atlas_version

    bump_atlas_version()
