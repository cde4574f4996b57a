from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Metrics, incidents from Alertmanager and the service status page."""

    name = "apps.monitoring"
    label = "monitoring"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        """Register the business-metrics collector, if the app provides it."""
        from importlib import import_module
        from importlib.util import find_spec

        if find_spec("apps.monitoring.metrics") is not None:
            import_module("apps.monitoring.metrics")
