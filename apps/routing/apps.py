from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Shortest paths and timetable journeys over the rail network."""

    name = "apps.routing"
    label = "routing"
    verbose_name = _("Itinéraires")

    def ready(self) -> None:
        """Connect the artefact rebuild to the end of each import, if the app provides it."""
        from importlib import import_module
        from importlib.util import find_spec

        if find_spec("apps.routing.signals") is not None:
            import_module("apps.routing.signals")
