from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcologyConfig(AppConfig):
    """Chemostat resource–consumer models."""

    name = "apps.ecology"
    label = "ecology"
    verbose_name = _("Écologie (chémostat)")
