"""Warm the whole-warehouse caches after each import, so no visitor pays their first view."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError
from django.dispatch import receiver
from django.utils import translation

from apps.stats.dashboard import compute_dashboard
from apps.trajets.signals import import_completed
from obrail.services import summarise_data_quality

logger = logging.getLogger(__name__)


@receiver(import_completed, dispatch_uid="stats-warm-caches")
def warm_indicator_caches(sender: object, **kwargs: object) -> None:
    """Compute the dashboard and the data-quality report in every language of the site.

    The import is already committed: a failure is logged and the pages compute on demand.
    """
    started = time.perf_counter()
    try:
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
