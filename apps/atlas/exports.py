"""The city pairs as a French spreadsheet (see :mod:`obrail.spreadsheet`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from django.utils.translation import gettext_lazy as _

from apps.atlas.co2 import Co2Figures
from apps.atlas.models import CityPair
from apps.atlas.presentation import rail_provenance, rail_words
from obrail.formatting import country_name
from obrail.spreadsheet import french_date, french_number

PAIR_HEADERS = (
    _("Ville A"),
    _("Pays A"),
    _("Ville B"),
    _("Pays B"),
    _("Distance à vol d'oiseau (km)"),
    _("Passagers aériens (dernière année)"),
    _("Année"),
    _("Train le plus rapide, de gare à gare"),
    _("Train le plus rapide, de gare à gare (minutes)"),
    _("Train typique (minutes)"),
    _("Trains directs par jour"),
    _("Train de nuit direct"),
    _("Jour de référence"),
    _("Distance en train (km)"),
    _("Horaires utilisés et borne haute"),
    _("Avion porte à porte (minutes)"),
    _("Méthode CO2"),
    _("CO2e ou CO2 seul en train (kg par passager, selon la méthode)"),
    _("CO2e ou CO2 seul en avion (kg par passager, selon la méthode)"),
)


def pair_rows(
    pairs: Iterable[CityPair],
    co2: Callable[[CityPair], Co2Figures],
    method_label: str,
    titles: Mapping[str, str],
) -> Iterator[Sequence[object]]:
    """One spreadsheet row per pair, CO2 under the method named in each row; ``titles`` maps
    a timetable source's name to its title."""
    for pair in pairs:
        figures = co2(pair)
        yield (
            pair.a_name,
            country_name(pair.a_country),
            pair.b_name,
            country_name(pair.b_country),
            french_number(pair.distance_km, 0),
            pair.air_passengers,
            pair.air_year or "",
            rail_words(pair),
            french_number(pair.rail_fastest_min, 0) if pair.rail_fastest_min else "",
            french_number(pair.rail_typical_min, 0) if pair.rail_typical_min else "",
            pair.rail_direct_per_day,
            _("oui") if pair.night_train else _("non"),
            french_date(pair.rail_day),
            french_number(pair.rail_distance_km, 0) if pair.rail_distance_km else "",
            rail_provenance(pair, titles),
            french_number(pair.flight_door_min, 0) if pair.flight_door_min else "",
            method_label,
            french_number(figures.rail_kg),
            french_number(figures.air_kg),
        )
