from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Metrics, incidents from Alertmanager and the service status page."""

    name = "apps.monitoring"
    label = "monitoring"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        """Register the business-metrics collector, the log of failed logins, the record
        of lockouts (their back-off) and the project's deployment checks (``obrail.checks``:
        the legal notice's facts)."""
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from apps.monitoring import metrics  # noqa: F401
        from obrail import checks  # noqa: F401
        from obrail.login_attempts import log_login_failed, record_lockout

        user_login_failed.connect(log_login_failed, dispatch_uid="obrail-log-login-failed")
        user_locked_out.connect(record_lockout, dispatch_uid="obrail-record-lockout")
