from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Metrics, incidents from Alertmanager and the service status page."""

    name = "apps.monitoring"
    label = "monitoring"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        """Register the business-metrics collector."""
        from apps.monitoring import metrics  # noqa: F401
