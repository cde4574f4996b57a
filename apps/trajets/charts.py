"""Chart builders of the trajets pages: a trajet's CO2 chart, and the network map's labels
and text summary (the map's projection and layout are :mod:`apps.trajets.map`'s)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.trajets.map import MapStation, NetworkMap
from apps.trajets.models import Trajet
from apps.trajets.services import NetworkLinks
from obrail.charts import Chart, ChartRow
from obrail.formatting import decimal, kilograms

MAP_LINK_LIMIT = 120
MAP_LABEL_COUNT = 12
MAP_LABEL_SPACING = 90  # view units: about the width of a station name


def co2_chart(trajet: Trajet) -> Chart | None:
    """Train against the equivalent flight, per passenger (None without a rail figure; the
    train alone where the atlas rule gives no flight)."""
    if trajet.co2_rail_kg is None:
        return None
    rows = [ChartRow(_("Train"), trajet.co2_rail_kg, kilograms(trajet.co2_rail_kg), "rail")]
    if trajet.co2_flight_kg:
        ratio = trajet.co2_flight_kg / max(trajet.co2_rail_kg, 0.01)
        summary = _(
            "Un passager émet %(rail)s en train contre %(flight)s pour le vol équivalent, "
            "soit %(ratio)s fois moins en train."
        ) % {
            "rail": kilograms(trajet.co2_rail_kg),
            "flight": kilograms(trajet.co2_flight_kg),
            "ratio": decimal(ratio, 0 if ratio >= 10 else 1),
        }
        rows.append(
            ChartRow(
                _("Avion équivalent"),
                trajet.co2_flight_kg,
                kilograms(trajet.co2_flight_kg),
                "air",
            )
        )
    else:
        summary = _("Un passager émet %(rail)s en train.") % {"rail": kilograms(trajet.co2_rail_kg)}
    return Chart(
        key="trajet-co2",
        title=_("CO2e par passager pour ce trajet"),
        summary=summary,
        label_header=_("Mode"),
        value_header=_("kg CO2e par passager"),
        rows=tuple(rows),
    )


def stations_to_label(network: NetworkMap) -> list[MapStation]:
    """The busiest stations, skipping any too close to one already labelled (no overlaps)."""
    labelled: list[MapStation] = []
    for station in network.stations:
        if len(labelled) == MAP_LABEL_COUNT:
            break
        if all(
            abs(station.x - other.x) > MAP_LABEL_SPACING or abs(station.y - other.y) > 12
            for other in labelled
        ):
            labelled.append(station)
    return labelled


def map_summary(network: NetworkMap, links: NetworkLinks) -> str:
    """The map in words: links by kind, stations, the busiest one, what is left out."""
    summary = _(
        "%(day)s liaisons de jour et %(night)s liaisons de nuit entre %(stations)s gares."
    ) % {
        "day": len(network.day_links),
        "night": len(network.night_links),
        "stations": len(network.stations),
    }
    if network.stations:
        summary += " " + _("La gare la plus desservie est %(name)s.") % {
            "name": network.stations[0].name
        }
    if links.is_truncated:
        summary += " " + _("Seules les %(count)s liaisons les plus desservies sont montrées.") % {
            "count": MAP_LINK_LIMIT
        }
    if network.hidden_link_count:
        summary += " " + _("%(count)s liaisons sortent du cadre de la carte.") % {
            "count": network.hidden_link_count
        }
    return summary
