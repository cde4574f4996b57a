from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Shortest paths and timetable journeys over the rail network."""

    name = "apps.routing"
    label = "routing"
    verbose_name = _("Itinéraires")

    def ready(self) -> None:
        """Register the routing artefact as derived data."""
        from apps.routing.derived import register_derived

        register_derived()
