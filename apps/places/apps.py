from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """Geography shared by the platform: places, their names, countries and time zones."""

    name = "apps.places"
    label = "places"
    verbose_name = _("Lieux")
