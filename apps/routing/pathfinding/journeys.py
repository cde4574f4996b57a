"""The public entry points for timetable journeys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .csa import ScanState, block_scan, journey_from_state, layer_setup, reference_scan
from .errors import NoPathError, ParameterError
from .time_expanded import time_expanded_earliest_arrival
from .timetable import TRAIN_FILTERS, Arrivals, Journey, Timetable, original_connections

__all__ = ["JOURNEY_METHODS", "earliest_arrival", "earliest_arrivals", "pareto_journeys"]

#: Journey method name -> description; ``blocks`` serves requests.
JOURNEY_METHODS = {
    "blocks": "numpy CSA over departure-time blocks",
    "reference": "plain-Python CSA",
    "time_expanded": "Dijkstra on the time-expanded graph",
}

_SCANS = {"blocks": block_scan, "reference": reference_scan}


@dataclass(frozen=True)
class _Scan:
    """A scan of ``restricted`` (``timetable`` keeping the ``trains`` filter) from ``source``."""

    timetable: Timetable
    restricted: Timetable
    state: ScanState
    method: str
    source: int
    depart_s: int
    trains: str
    max_transfers: int | None

    def journey_to(self, target: int) -> Journey:
        """The journey to ``target`` on the connections of ``timetable``; NoPathError if the
        scan did not reach it."""
        layers, _absorbing = layer_setup(self.max_transfers)
        journey = journey_from_state(
            self.restricted,
            self.state,
            method=self.method,
            source=self.source,
            target=target,
            depart_s=self.depart_s,
            layer=layers - 1,
        )
        return original_connections(self.timetable, self.trains, journey)


def earliest_arrival(
    timetable: Timetable,
    source: int,
    target: int,
    depart_s: int,
    *,
    method: str = "blocks",
    trains: str = "all",
    max_transfers: int | None = None,
) -> Journey:
    """Earliest arrival at ``target`` leaving ``source`` at or after ``depart_s``.

    Parameters
    ----------
    timetable : Timetable
        Connections of one service day.
    source, target : int
        Station indices.
    depart_s : int
        Earliest departure, seconds after the service day's midnight.
    method : {"blocks", "reference", "time_expanded"}
        The numpy block CSA, the plain-Python CSA, or the brute-force oracle.
    trains : {"all", "day", "night"}
        Keep every train, day trains only, or night trains only.
    max_transfers : int, optional
        Maximum number of changes of train (``None``: unlimited).

    Returns
    -------
    Journey
        Legs (train, times, stations), transfers, night-train flag and work counters.

    Raises
    ------
    ParameterError
        Unknown method or filter, station out of range, negative time or transfer limit.
    NoPathError
        If the target cannot be reached that day under the options.
    """
    _validate(timetable, source, target, depart_s, method, trains, max_transfers)
    restricted = timetable.restricted(trains)
    if method == "time_expanded":
        journey = time_expanded_earliest_arrival(
            restricted, source, target, depart_s, max_transfers=max_transfers
        )
        return original_connections(timetable, trains, journey)
    state = _SCANS[method](restricted, source, target, depart_s, max_transfers=max_transfers)
    scan = _Scan(timetable, restricted, state, method, source, depart_s, trains, max_transfers)
    return scan.journey_to(target)


def earliest_arrivals(
    timetable: Timetable,
    source: int,
    targets: Sequence[int],
    depart_s: int,
    *,
    method: str = "blocks",
    trains: str = "all",
    max_transfers: int | None = None,
) -> Arrivals:
    """Earliest arrival at each of ``targets`` leaving ``source`` at or after ``depart_s``.

    One scan for every target: it runs until departures pass the latest of the targets' best
    arrivals (to the end of the day when one is unreachable), and each target's journey is
    the one :func:`earliest_arrival` finds for it alone, legs included (same labels, same ties).

    Parameters
    ----------
    timetable : Timetable
        Connections of one service day.
    source : int
        Station index.
    targets : sequence of int
        Station indices (at least one; repeats are ignored).
    depart_s : int
        Earliest departure, seconds after the service day's midnight.
    method, trains, max_transfers
        As for :func:`earliest_arrival` (``time_expanded`` runs one search per target).

    Returns
    -------
    Arrivals
        The journey of each reachable target, the unreachable ones, and the scan's work.

    Raises
    ------
    ParameterError
        As for :func:`earliest_arrival`, or no target given.
    """
    goals = sorted({int(target) for target in targets})
    if not goals:
        raise ParameterError("targets is empty: give at least one station")
    for target in goals:
        _validate(timetable, source, target, depart_s, method, trains, max_transfers)
    restricted = timetable.restricted(trains)
    journeys: dict[int, Journey] = {}
    unreachable: list[int] = []
    scanned = improved = 0
    if method == "time_expanded":
        for target in goals:
            try:
                journey = time_expanded_earliest_arrival(
                    restricted, source, target, depart_s, max_transfers=max_transfers
                )
            except NoPathError:
                unreachable.append(target)
                continue
            journeys[target] = original_connections(timetable, trains, journey)
            scanned += journey.connections_scanned
            improved += journey.labels_improved
    else:
        state = _SCANS[method](
            restricted,
            source,
            np.asarray(goals, dtype=np.int64),
            depart_s,
            max_transfers=max_transfers,
        )
        scanned, improved = state.connections_scanned, state.labels_improved
        scan = _Scan(timetable, restricted, state, method, source, depart_s, trains, max_transfers)
        for target in goals:
            try:
                journeys[target] = scan.journey_to(target)
            except NoPathError:
                unreachable.append(target)
    return Arrivals(
        method=method,
        source=source,
        depart_after_s=depart_s,
        journeys=journeys,
        unreachable=tuple(unreachable),
        connections_scanned=scanned,
        labels_improved=improved,
    )


def pareto_journeys(
    timetable: Timetable,
    source: int,
    target: int,
    window_start_s: int,
    window_end_s: int,
    *,
    method: str = "blocks",
    trains: str = "all",
    max_transfers: int = 3,
    slack_s: int = 4 * 3600,
    max_departures: int = 200,
) -> tuple[Journey, ...]:
    """Journeys leaving within a window that are Pareto-optimal in three criteria.

    Later departure, earlier arrival and fewer transfers: one scan per departure of a train
    from ``source`` within the window, keeping labels per number of trains, then the
    non-dominated journeys sorted by departure. Journeys arriving more than ``slack_s`` after
    the earliest arrival of their departure are not searched for.

    Raises
    ------
    ParameterError
        Invalid options, an empty window, or more than ``max_departures`` departures.
    """
    _validate(timetable, source, target, window_start_s, method, trains, max_transfers)
    if method == "time_expanded":
        raise ParameterError("method='time_expanded' computes single journeys only")
    if window_end_s < window_start_s:
        raise ParameterError(
            f"window_end_s={window_end_s} is before window_start_s={window_start_s}"
        )
    restricted = timetable.restricted(trains)
    leaving = (restricted.departure_station == source) & restricted.can_board
    times = restricted.departure_s[leaving]
    departures = sorted(
        {int(t) for t in times[(times >= window_start_s) & (times <= window_end_s)]}
    )
    if len(departures) > max_departures:
        raise ParameterError(
            f"the window holds {len(departures)} departures from station {source}; "
            f"narrow it (at most {max_departures})"
        )
    layers, _absorbing = layer_setup(max_transfers)
    candidates: dict[tuple[int, int, int], Journey] = {}
    for depart_s in departures:
        state = _SCANS[method](
            restricted,
            source,
            target,
            depart_s,
            max_transfers=max_transfers,
            slack_s=slack_s,
            leave_by_s=window_end_s,
        )
        for layer in range(1, layers):
            try:
                journey = journey_from_state(
                    restricted,
                    state,
                    method=method,
                    source=source,
                    target=target,
                    depart_s=depart_s,
                    layer=layer,
                )
            except NoPathError:
                continue
            key = (journey.departure_s, journey.arrival_s, journey.transfers)
            candidates.setdefault(key, original_connections(timetable, trains, journey))
    kept = [
        journey
        for key, journey in candidates.items()
        if not any(_dominates(other, key) for other in candidates if other != key)
    ]
    return tuple(sorted(kept, key=lambda journey: (journey.departure_s, journey.transfers)))


def _dominates(first: tuple[int, int, int], second: tuple[int, int, int]) -> bool:
    """Whether ``first`` leaves no earlier, arrives no later, changes no more, and differs."""
    return first[0] >= second[0] and first[1] <= second[1] and first[2] <= second[2]


def _validate(
    timetable: Timetable,
    source: int,
    target: int,
    depart_s: int,
    method: str,
    trains: str,
    max_transfers: int | None,
) -> None:
    if method not in JOURNEY_METHODS:
        raise ParameterError(f"method={method!r} is not one of {', '.join(JOURNEY_METHODS)}")
    if trains not in TRAIN_FILTERS:
        raise ParameterError(f"trains={trains!r} is not one of {', '.join(TRAIN_FILTERS)}")
    for name, station in (("source", source), ("target", target)):
        if not 0 <= station < timetable.station_count:
            raise ParameterError(f"{name}={station} is outside 0..{timetable.station_count - 1}")
    if depart_s < 0:
        raise ParameterError(f"depart_s={depart_s} must be >= 0")
    if max_transfers is not None and max_transfers < 0:
        raise ParameterError(f"max_transfers={max_transfers} must be >= 0")
