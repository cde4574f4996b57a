"""A route answer in words, as a person reads it: "4 h 09, 1 correspondance à Nürnberg"."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.places.services import station_name
from apps.routing.services.answers import RouteAnswer
from obrail.formatting import clock, duration

__all__ = ["answer_sentence", "next_departures_sentence", "transfer_stations"]


def transfer_stations(answer: RouteAnswer) -> list[str]:
    """Names of the stations where a journey changes trains, in order (none for a network
    path: it has no trains to change)."""
    if answer.kind != "journey":
        return []
    return [station_name(leg.to_station.name) for leg in answer.legs[:-1]]


def answer_sentence(answer: RouteAnswer) -> str:
    """The answer's first line: duration in hours and minutes, then the changes or the
    distance ("4 h 09, 1 correspondance à Nürnberg", "4 h 09, direct")."""
    total = duration(answer.duration_min)
    if answer.kind != "journey":
        return _("%(duration)s de trajet sur le réseau, %(km)s km") % {
            "duration": total,
            "km": number_format(round(answer.distance_km), 0, use_l10n=True, force_grouping=True),
        }
    changes = transfer_stations(answer)
    if not changes:
        return _("%(duration)s, direct") % {"duration": total}
    where = _(" et ").join([", ".join(changes[:-1]), changes[-1]] if len(changes) > 1 else changes)
    return ngettext(
        "%(duration)s, %(count)s correspondance à %(stations)s",
        "%(duration)s, %(count)s correspondances : %(stations)s",
        len(changes),
    ) % {"duration": total, "count": len(changes), "stations": where}


#: Later departures named in the answer's sentence (the day's table lists them all).
NEXT_DEPARTURES_SHOWN = 4


def next_departures_sentence(answer: RouteAnswer, journeys: Sequence[RouteAnswer]) -> str:
    """The day's later departure times after ``answer``'s, each once, in order ("Trains
    suivants dans la journée : 15:42, 19:11."), or that there is none."""
    later = [
        journey.departure
        for journey in journeys
        if journey.departure and answer.departure and journey.departure > answer.departure
    ]
    times = list(dict.fromkeys(clock(moment.time()) for moment in sorted(later)))
    if not times:
        return _("Aucun autre train plus tard dans la journée.")
    return _("Trains suivants dans la journée : %(times)s.") % {
        "times": ", ".join(times[:NEXT_DEPARTURES_SHOWN])
    }
