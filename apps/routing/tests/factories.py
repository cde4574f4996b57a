"""A small line network for routing tests, built with the trajets factories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.trajets.models import Station, Trajet
from apps.trajets.tests.factories import make_operator, make_station, make_trajet

#: A Wednesday inside the factories' default validity (2025).
SERVICE_DAY = dt.date(2025, 6, 11)


@dataclass(frozen=True)
class LineNetwork:
    """Paris -> Lyon -> Marseille by day, Paris -> Marseille direct by night, Lyon -> Geneva."""

    paris: Station
    lyon: Station
    marseille: Station
    geneva: Station
    day_first: Trajet
    day_second: Trajet
    night: Trajet
    geneva_train: Trajet


def make_line_network() -> LineNetwork:
    """Create four stations and four trajets with realistic coordinates and times."""
    paris = make_station(
        "Paris Gare de Lyon", latitude=48.8443, longitude=2.3744, uic_code="8768600"
    )
    lyon = make_station("Lyon Part-Dieu", latitude=45.7606, longitude=4.8593, uic_code="8772319")
    marseille = make_station("Marseille Saint-Charles", latitude=43.3026, longitude=5.3806)
    geneva = make_station(
        "Genève Cornavin",
        country="CH",
        latitude=46.2102,
        longitude=6.1424,
        time_zone="Europe/Zurich",
    )
    operator = make_operator()
    day_first = make_trajet(
        [paris, lyon], times=[(None, "08:00"), ("10:00", None)], category="TGV", operator=operator
    )
    day_second = make_trajet(
        [lyon, marseille], times=[(None, "10:30"), ("12:10", None)], category="TER"
    )
    night = make_trajet(
        [paris, marseille],
        times=[(None, "21:00"), ("07:00", None)],
        kind="night",
        category="Intercités de nuit",
    )
    geneva_train = make_trajet(
        [lyon, geneva],
        times=[(None, "11:00"), ("12:50", None)],
        category="TER",
    )
    return LineNetwork(paris, lyon, marseille, geneva, day_first, day_second, night, geneva_train)
