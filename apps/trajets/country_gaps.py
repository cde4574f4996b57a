"""Which European countries the warehouse's current timetables cover, and which they miss."""

from __future__ import annotations

import datetime as dt

from .models import Trajet, TrajetCountry

__all__ = ["EUROPEAN_COUNTRIES", "countries_without_current_timetable"]

# The countries the observatory answers for, those with a passenger railway: EU 27 without
# Cyprus and Malta, Switzerland, Norway, Liechtenstein, the United Kingdom, the Western
# Balkans, Moldova, Ukraine and Türkiye (ISO 3166-1 alpha-2; XK for Kosovo; Iceland has none).
EUROPEAN_COUNTRIES = (
    "AT", "BE", "BG", "HR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "CH", "NO", "LI", "GB", "AL", "BA", "ME", "MK", "RS", "XK", "MD", "UA", "TR",
)  # fmt: skip


def countries_without_current_timetable(today: dt.date) -> list[str]:
    """The European countries that no train of a current source (running on ``today``'s
    side of its first and last dates) serves, in the order of EUROPEAN_COUNTRIES."""
    current = Trajet.objects.counted().filter(
        source__runs_from__lte=today, source__runs_until__gte=today
    )
    served = set(TrajetCountry.objects.filter(trajet__in=current).values_list("country", flat=True))
    return [country for country in EUROPEAN_COUNTRIES if country not in served]
