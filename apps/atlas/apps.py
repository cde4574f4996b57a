from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtlasConfig(AppConfig):
    """Rail or plane: city pairs with their air traffic, rail times and CO2 by method."""

    name = "apps.atlas"
    label = "atlas"
    verbose_name = _("Rail ou avion")

    def ready(self) -> None:
        """Register the atlas as derived data."""
        from apps.atlas.derived import register_derived

        register_derived()
