"""The indicators' derived data (registered in :mod:`obrail.derived`): the volume summary and
the whole-warehouse page figures, warmed so that no visitor pays their first view."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from apps.stats.dashboard import compute_dashboard
from apps.stats.services import ensure_volume_summary, rebuild_volume_summary
from apps.trajets.services import summarise_data_quality
from obrail import derived

__all__ = ["CACHES", "SUMMARY", "rebuild_summary", "register_derived", "warm_caches"]

SUMMARY = "volume-summary"
CACHES = "indicator-caches"


def rebuild_summary(change: derived.Change) -> derived.Result:
    """Rebuild the volume summary after a change, or when it was built from other data."""
    if change.force or change.is_data_changed:
        return derived.Result(f"{rebuild_volume_summary()} rows")
    if ensure_volume_summary():
        return derived.Result("rebuilt for the current data version")
    return derived.Result("current", is_rebuilt=False)


def warm_caches(change: derived.Change) -> derived.Result:
    """Compute the dashboard and the data-quality report in every language of the site
    (figures cached for the current data version are read, not recomputed)."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            compute_dashboard()
            summarise_data_quality()
    return derived.Result(f"dashboard and data quality in {len(settings.LANGUAGES)} languages")


def register_derived() -> None:
    """Register the volume summary and the indicator caches (which read the summary)."""
    derived.register(
        SUMMARY,
        rebuild_summary,
        description="trains, departures and train-km of each source's typical week",
    )
    derived.register(
        CACHES,
        warm_caches,
        after=(SUMMARY,),
        description="dashboard and data-quality figures cached until the next import",
    )
