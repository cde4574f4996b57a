"""A flight's door-to-door time between two city centres, under stated assumptions (no Django).

Every figure is an assumption of the project, listed in :data:`ASSUMPTIONS` with its reason and
shown on the pages; none is measured from our data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ASSUMPTIONS",
    "CHECK_IN_MIN",
    "CRUISE_KMH",
    "EXIT_MIN",
    "FLIGHT_DETOUR_FACTOR",
    "TAXI_CLIMB_DESCENT_MIN",
    "FlightTime",
    "flight_time",
]

#: Flights do not follow the great circle: the factor ADEME applies (as the trajet CO2 does).
FLIGHT_DETOUR_FACTOR = 1.1
#: Mean speed over the flown distance once airborne, km/h (jet airliner, short haul).
CRUISE_KMH = 750.0
#: Taxi out, climb, approach and taxi in, minutes.
TAXI_CLIMB_DESCENT_MIN = 30.0
#: Arriving at the airport before departure (check-in and security), minutes.
CHECK_IN_MIN = 60.0
#: Leaving the airport after landing (disembarking, baggage), minutes.
EXIT_MIN = 15.0
#: Minutes per km from the city centre to the airport by public transport (about 40 km/h) ...
ACCESS_MIN_PER_KM = 1.5
#: ... plus a fixed wait and walk, minutes.
ACCESS_FIXED_MIN = 15.0

ASSUMPTIONS = (
    ("detour", FLIGHT_DETOUR_FACTOR, "great circle × 1.1: ADEME's allowance for routing"),
    ("block", TAXI_CLIMB_DESCENT_MIN, "minutes of taxi, climb and approach per flight"),
    ("cruise", CRUISE_KMH, "km/h over the flown distance"),
    ("check_in", CHECK_IN_MIN, "minutes at the airport before departure"),
    ("exit", EXIT_MIN, "minutes from landing to leaving the airport"),
    ("access", ACCESS_MIN_PER_KM, "minutes per km between city centre and airport, + 15 min"),
)


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
