"""The model registry: versioned, audited models served by the API and the pages."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MlRegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.mlregistry"
    label = "mlregistry"
    verbose_name = _("Registre des modèles")

    def ready(self) -> None:
        """Register model staleness as derived data."""
        from apps.mlregistry.derived import register_derived

        register_derived()
