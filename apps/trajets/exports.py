"""The trajets list as a French spreadsheet (see :mod:`obrail.spreadsheet`): the rows the page
shows, filtered by the same FilterSet, in words and French numbers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.places.names import station_name
from apps.trajets.kinds import kind_word
from apps.trajets.models import Trajet
from obrail.api.csv_export import CSV_CHUNK_SIZE
from obrail.formatting import clock, country_name, duration, weekday_short_labels
from obrail.spreadsheet import french_date, french_number

__all__ = ["TRAJET_HEADERS", "trajet_rows"]

TRAJET_HEADERS = (
    _("Train"),
    _("Opérateur"),
    _("Jour ou nuit"),
    _("Mode"),
    _("Gare de départ"),
    _("Pays de départ"),
    _("Heure de départ"),
    _("Gare d'arrivée"),
    _("Pays d'arrivée"),
    _("Heure d'arrivée"),
    _("Durée"),
    _("Durée (minutes)"),
    _("Distance (km)"),
    _("Jours de circulation"),
    _("Circule du"),
    _("Circule jusqu'au"),
    _("Nombre de jours de circulation"),
    _("Gares intermédiaires"),
    _("CO2e en train (kg par passager, méthode ADEME Base Carbone)"),
    _(
        "CO2e du vol équivalent (kg par passager, méthode ADEME Base Carbone ; vide : pas de "
        "vol entre ces deux villes selon la règle de l'atlas)"
    ),
)


def _row(trajet: Trajet) -> Sequence[object]:
    return (
        f"{trajet.category} {trajet.train_number}".strip(),
        trajet.operator.name,
        kind_word(trajet.kind),
        trajet.get_mode_display(),
        station_name(trajet.origin.name),
        country_name(trajet.origin_country),
        clock(trajet.departure_time),
        station_name(trajet.destination.name),
        country_name(trajet.destination_country),
        clock(trajet.arrival_time, trajet.arrival_day_offset),
        duration(trajet.duration_min),
        trajet.duration_min,
        french_number(trajet.distance_km, 0) if trajet.distance_km is not None else "",
        weekday_short_labels(trajet.weekdays),
        french_date(trajet.runs_from),
        french_date(trajet.runs_until),
        trajet.running_days,
        ", ".join(station_name(name) for name in trajet.via_names),
        french_number(trajet.co2_rail_kg),
        french_number(trajet.co2_flight_kg),
    )


def trajet_rows(queryset: QuerySet) -> Iterator[Sequence[object]]:
    """One spreadsheet row per trajet of ``queryset``, streamed in chunks."""
    rows = queryset.select_related("operator", "origin", "destination")
    for trajet in rows.iterator(chunk_size=CSV_CHUNK_SIZE):
        yield _row(trajet)
