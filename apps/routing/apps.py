from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Shortest paths and timetable journeys over the rail network."""

    name = "apps.routing"
    label = "routing"
    verbose_name = _("Itinéraires")

    def ready(self) -> None:
        """Rebuild the routing artefact after each import."""
        from apps.routing import signals  # noqa: F401
