"""A flight's door-to-door time between two city centres, under stated assumptions (no Django).

Every figure is listed in :data:`ASSUMPTIONS` with the publication it rests on (or the plain
statement that none was found); the pages show them with their sources.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACCESS_FIXED_MIN",
    "ACCESS_MIN_PER_KM",
    "ASSUMPTIONS",
    "CHECK_IN_MIN",
    "CRUISE_KMH",
    "EXIT_MIN",
    "FLIGHT_DETOUR_FACTOR",
    "MEASURED_AT_AIRPORTS_MIN",
    "MEASURED_AT_STATIONS_MIN",
    "TAXI_CLIMB_DESCENT_MIN",
    "Assumption",
    "FlightTime",
    "flight_time",
]

#: Flights do not follow the great circle: the factor the trajet CO2 applies (ADEME's
#: convention there); DESNZ adds 8 % instead.
FLIGHT_DETOUR_FACTOR = 1.1
#: Mean speed over the flown distance once airborne, km/h (jet airliner, short haul).
CRUISE_KMH = 750.0
#: Taxi out, climb, approach and taxi in, minutes.
TAXI_CLIMB_DESCENT_MIN = 30.0
#: At the departure airport before the scheduled departure, minutes: the mean measured over 74
#: flights by Sauter-Servaes et al. (2019), "just under 118" (60 before that study).
CHECK_IN_MIN = 118.0
#: From landing to leaving the arrival airport, minutes: the same study's mean (15 before).
EXIT_MIN = 39.0
#: The same study's totals (its abstract): minutes spent at the airports (before departure and
#: after landing, :data:`CHECK_IN_MIN` + :data:`EXIT_MIN`) and at the railway stations. The
#: atlas's rail time is station to station and adds nothing for the stations: the pages say so.
MEASURED_AT_AIRPORTS_MIN = 157.0
MEASURED_AT_STATIONS_MIN = 32.0
#: Minutes per km from the city centre to the airport by public transport (about 40 km/h) ...
ACCESS_MIN_PER_KM = 1.5
#: ... plus a fixed wait and walk, minutes.
ACCESS_FIXED_MIN = 15.0

_ZHAW = (
    "Sauter-Servaes, Krautscheid, Schober (ZHAW), Open Transportation Journal 13, 2019",
    "https://opentransportationjournal.com/VOLUME/13/PAGE/48/FULLTEXT",
)


@dataclass(frozen=True, slots=True)
class Assumption:
    """One figure of the flight's time and where it comes from.

    ``source`` names the publication ("" when none was found: the figure is then the
    project's own, and :attr:`is_sourced` is False); ``finding`` is what the source says that
    supports (or bounds) the figure, in English for developers (the pages word it in French).
    """

    key: str
    value: float
    unit: str
    source: str
    url: str
    finding: str

    @property
    def is_sourced(self) -> bool:
        """A publication supports the figure."""
        return bool(self.source)


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "detour", FLIGHT_DETOUR_FACTOR, "×",
        "DESNZ (gouvernement britannique), facteurs de conversion GES", "",
        "DESNZ uplifts the great circle by 8 % for indirect routes and holding; the project "
        "keeps ×1.1 as the trajet CO2 does (2 % longer)",
    ),
    Assumption(
        "block", TAXI_CLIMB_DESCENT_MIN, "min",
        "EUROCONTROL, Data Snapshot n° 40 (2023)",
        "https://www.eurocontrol.int/publication/eurocontrol-data-snapshot-40-taxi-times",
        "taxiing is about 15 % of the block time (10 % out, 5 % in), over 20 min between the "
        "five busiest European airports; 30 min also covers the slower climb and approach",
    ),
    Assumption(
        "cruise", CRUISE_KMH, "km/h", "", "",
        "no published figure found: the project's assumption for a short-haul jet",
    ),
    Assumption(
        "check_in", CHECK_IN_MIN, "min", *_ZHAW,
        "312 door-to-door trips recorded by an app (74 by air): travellers stayed just under "
        "118 min at the departure airport before departure, as much on flights under 1 h 30",
    ),
    Assumption(
        "exit", EXIT_MIN, "min", *_ZHAW,
        "the same trips took 39 min on average from landing to leaving the arrival airport",
    ),
    Assumption(
        "access", ACCESS_MIN_PER_KM, "min/km", "", "",
        "no single published figure found (Rothfeld et al. 2019 find access speeds differ "
        "greatly between European airports): the project's 15 min + 1.5 min per km",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FlightTime:
    """A flight's times in minutes: in the air (block) and door to door."""

    flown_km: float
    block_min: float
    door_to_door_min: float


def flight_time(great_circle_km: float, *, access_a_km: float, access_b_km: float) -> FlightTime:
    """Block time from the distance and door-to-door time including both airport accesses.

    ``access_a_km`` and ``access_b_km`` are the distances from each city centre to its airport.
    """
    if great_circle_km < 0 or access_a_km < 0 or access_b_km < 0:
        raise ValueError(
            f"distances must be non-negative: {great_circle_km}, {access_a_km}, {access_b_km}"
        )
    flown = great_circle_km * FLIGHT_DETOUR_FACTOR
    block = TAXI_CLIMB_DESCENT_MIN + flown / CRUISE_KMH * 60.0
    access = sum(ACCESS_FIXED_MIN + km * ACCESS_MIN_PER_KM for km in (access_a_km, access_b_km))
    door = access + CHECK_IN_MIN + block + EXIT_MIN
    return FlightTime(round(flown, 1), round(block, 1), round(door, 1))
