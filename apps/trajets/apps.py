from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajetsConfig(AppConfig):
    """Stations, operators, rail services and their provenance (the harmonised warehouse)."""

    name = "apps.trajets"
    label = "trajets"
    verbose_name = _("Trajets ferroviaires")

    def ready(self) -> None:
        """Register the ``any_of`` lookup, the receivers that keep stop summaries and
        typical-week flags current, the one that marks the data changed after an edit, and the
        data version and import freshness the project package reads (its caches, ``/health``)."""
        from apps.trajets import lookups, services, stop_summaries, typical_week_flags  # noqa: F401
        from apps.trajets.edits import WAREHOUSE_MODELS, record_edits, watch_edits
        from obrail import caching, derived, health

        caching.register_data_version(services.data_version)
        health.register_import_freshness(services.last_successful_imports)
        watch_edits(WAREHOUSE_MODELS)
        derived.on_edit(record_edits)
