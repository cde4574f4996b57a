"""Rebuild the volume summary and warm the whole-warehouse caches after each import, so no
visitor pays their first view; drop the summary when an edit changes what it sums."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import translation

from apps.stats.dashboard import compute_dashboard
from apps.stats.services import (
    ensure_volume_summary,
    forget_volume_summary,
    rebuild_volume_summary,
)
from apps.trajets.models import Operator, Trajet, TrajetCountry
from apps.trajets.services import summarise_data_quality
from apps.trajets.signals import data_settled, import_completed

logger = logging.getLogger(__name__)


@receiver(import_completed, dispatch_uid="stats-warm-caches")
def warm_indicator_caches(sender: object, **kwargs: object) -> None:
    """Rebuild the volume summary, then compute the dashboard and the data-quality report in
    every language of the site.

    The import is already committed: a failure is logged and the figures are computed from
    the trajets on demand.
    """
    started = time.perf_counter()
    try:
        rebuild_volume_summary()
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                compute_dashboard()
                summarise_data_quality()
    except DatabaseError:
        logger.exception("warming the indicator caches failed")
        return
    logger.info(
        "indicator caches warmed",
        extra={"duration_ms": round((time.perf_counter() - started) * 1000, 1)},
    )


@receiver(data_settled, dispatch_uid="stats-ensure-summary")
def ensure_summary(sender: object, **kwargs: object) -> str | None:
    """Rebuild the volume summary unless it was built from the current data version (after a
    forced reload that changed nothing, or a synthetic seeding, which sends no
    ``import_completed``)."""
    if ensure_volume_summary():
        return "volume summary rebuilt for the current data version"
    return None


@receiver(post_save, sender=Trajet, dispatch_uid="stats-forget-summary-trajet-saved")
@receiver(post_delete, sender=Trajet, dispatch_uid="stats-forget-summary-trajet-deleted")
@receiver(post_save, sender=TrajetCountry, dispatch_uid="stats-forget-summary-country-saved")
@receiver(post_delete, sender=TrajetCountry, dispatch_uid="stats-forget-summary-country-deleted")
@receiver(post_save, sender=Operator, dispatch_uid="stats-forget-summary-operator-saved")
def forget_summary_after_edit(sender: object, **kwargs: object) -> None:
    """An edit through the ORM (the admin) outdates the volume summary: the indicators are
    then computed from the trajets until the next import rebuilds it. The ETL writes in bulk
    without signals and rebuilds the summary itself."""
    forget_volume_summary()
