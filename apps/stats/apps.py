from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Indicators computed from the harmonised trajets."""

    name = "apps.stats"
    label = "stats"
    verbose_name = _("Indicateurs")

    def ready(self) -> None:
        """Warm the indicator caches after each import."""
        from apps.stats import signals  # noqa: F401
