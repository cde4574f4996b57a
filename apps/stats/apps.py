from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Indicators computed from the harmonised trajets."""

    name = "apps.stats"
    label = "stats"
    verbose_name = _("Indicateurs")

    def ready(self) -> None:
        """Register the volume summary and the indicator caches as derived data."""
        from apps.stats.derived import register_derived

        register_derived()
