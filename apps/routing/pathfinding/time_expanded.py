"""Brute-force earliest arrival: Dijkstra on the time-expanded graph (the test oracle).

Events are nodes: a wait node per (station, departure time), a departure and an arrival node
per connection. Arcs: wait -> next wait at the station; wait -> departure (boarding, one more
train); departure -> arrival (riding); arrival -> next departure of the same trip (staying
on); arrival -> first wait node at least the change time later (alighting). Boarding arcs
exist only where the departure stop allows boarding, alighting arcs (and reaching the
target) only where the arrival stop allows alighting. The state adds the number of trains
taken, so a transfer limit is a bound on the state.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections import defaultdict

from .errors import NoPathError
from .timetable import Journey, Leg, Timetable

__all__ = ["time_expanded_earliest_arrival"]


def time_expanded_earliest_arrival(
    timetable: Timetable,
    source: int,
    target: int,
    depart_s: int,
    *,
    max_transfers: int | None = None,
) -> Journey:
    """Earliest arrival by Dijkstra over (event, trains taken) states."""
    count = timetable.connection_count
    departure, arrival, from_station, to_station, trips, transfer, boardable, alightable = (
        timetable.lists()
    )
    leaving: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for connection in range(count):
        leaving[from_station[connection]].append((departure[connection], connection))
    for events in leaving.values():
        events.sort()
    next_in_trip = [-1] * count
    by_trip: dict[int, list[int]] = defaultdict(list)
    for connection in range(count):
        by_trip[trips[connection]].append(connection)
    for connections in by_trip.values():
        connections.sort(key=lambda c: departure[c])
        for before, after in itertools.pairwise(connections):
            if from_station[after] == to_station[before] and departure[after] >= arrival[before]:
                next_in_trip[before] = after
    max_trains = None if max_transfers is None else max_transfers + 1

    def wait_node(station: int, earliest: int) -> tuple[str, int, int] | None:
        events = leaving.get(station, [])
        index = bisect.bisect_left(events, (earliest, -1))
        return ("wait", station, index) if index < len(events) else None

    start_state = (("start", source, 0), 0)
    heap = [(depart_s, 0, start_state[0])]
    tentative: dict[tuple[tuple[str, int, int], int], int] = {start_state: depart_s}
    parent: dict[tuple[tuple[str, int, int], int], tuple[tuple[str, int, int], int] | None] = {
        start_state: None
    }
    settled: set[tuple[tuple[str, int, int], int]] = set()
    found: tuple[tuple[str, int, int], int] | None = None
    while heap:
        time, trains, node = heapq.heappop(heap)
        state = (node, trains)
        if state in settled:
            continue
        settled.add(state)
        kind, first, second = node
        if (kind == "arrive" and to_station[first] == target and alightable[first]) or (
            kind == "start" and first == target
        ):
            found = state
            break
        successors: list[tuple[int, int, tuple[str, int, int]]] = []
        if kind == "start":
            wait = wait_node(first, time)
            if wait is not None:
                successors.append((leaving[first][wait[2]][0], trains, wait))
        elif kind == "wait":
            events = leaving[first]
            if second + 1 < len(events):
                successors.append((events[second + 1][0], trains, ("wait", first, second + 1)))
            connection = events[second][1]
            if boardable[connection] and (max_trains is None or trains < max_trains):
                successors.append((time, trains + 1, ("depart", connection, 0)))
        elif kind == "depart":
            successors.append((arrival[first], trains, ("arrive", first, 0)))
        else:
            following = next_in_trip[first]
            if following >= 0:
                successors.append((departure[following], trains, ("depart", following, 1)))
            station = to_station[first]
            wait = wait_node(station, time + transfer[station]) if alightable[first] else None
            if wait is not None:
                successors.append((leaving[station][wait[2]][0], trains, wait))
        for next_time, next_trains, next_node in successors:
            next_state = (next_node, next_trains)
            if next_time < tentative.get(next_state, next_time + 1):
                tentative[next_state] = next_time
                parent[next_state] = state
                heapq.heappush(heap, (next_time, next_trains, next_node))
    if found is None:
        raise NoPathError(
            f"station {target} cannot be reached from station {source} after {depart_s} s",
            source=source,
            target=target,
        )
    return Journey(
        method="time_expanded",
        source=source,
        target=target,
        depart_after_s=depart_s,
        legs=_legs(timetable, found, parent),
        connections_scanned=len(settled),
        labels_improved=len(tentative),
    )


def _legs(timetable: Timetable, found: tuple, parent: dict) -> tuple[Leg, ...]:
    """Group the ridden connections of the state path into legs."""
    ridden: list[tuple[int, bool]] = []
    state = found
    while state is not None:
        (kind, connection, stayed), _trains = state
        if kind == "depart":
            ridden.append((connection, stayed == 0))
        state = parent[state]
    ridden.reverse()
    legs: list[Leg] = []
    for connection, boarded in ridden:
        if boarded:
            legs.append(Leg.between(timetable, connection, connection))
        else:
            legs[-1] = Leg.between(timetable, legs[-1].first_connection, connection)
    return tuple(legs)
