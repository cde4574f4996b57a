from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajetsConfig(AppConfig):
    """Stations, operators, rail services and their provenance (the harmonised warehouse)."""

    name = "apps.trajets"
    label = "trajets"
    verbose_name = _("Trajets ferroviaires")

    def ready(self) -> None:
        """Register the ``any_of`` lookup and the receivers that keep stop summaries and
        typical-week flags current."""
        from apps.trajets import lookups, stop_summaries, typical_week_flags  # noqa: F401
