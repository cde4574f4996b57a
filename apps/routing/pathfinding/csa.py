"""Earliest-arrival journeys by the Connection Scan Algorithm (CSA).

Labels are kept per number of trains taken ("layers"), so that a maximum number of
transfers can be imposed and the trade-off between arrival time and transfers read off one
scan. ``arrival[k][s]`` is the earliest arrival at station ``s`` with at most ``k`` trains;
without a transfer limit two layers suffice (0 trains: the origin; 1: any number of trains).

Boarding rules: a train is boarded only at a connection whose departure stop allows it
(``Timetable.can_board``), and a label is set only by a connection whose arrival stop allows
alighting (``Timetable.can_alight``); the trip's own state carries a traveller through stops
where neither is allowed.

Two scans share these semantics: :func:`reference_scan`, a plain-Python loop over the
connections (the oracle and the baseline), and :func:`block_scan`, which processes
departure-time blocks with numpy. A block is narrower than the shortest connection plus the
shortest change time, so no arrival inside a block can feed a change onto a train leaving in
the same block: the only propagation inside a block is staying on the same train, computed as
a segmented running minimum over the block's connections grouped by trip.

Both scans take one target or several (an array): the scan stops once departures pass the
latest of the targets' best arrivals, so that every target's labels are final. A connection
leaving after a target's best arrival can improve no label that target's journey goes
through (they are all earlier), so each target's journey is the one a scan for it alone finds.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import NoPathError
from .timetable import Journey, Leg, Timetable

__all__ = [
    "ScanState",
    "block_scan",
    "journey_from_state",
    "layer_setup",
    "prepare_blocks",
    "reference_scan",
]

#: "Never" as a time in seconds (fits int64 arithmetic with margin).
NEVER = np.int64(2**62)


@dataclass(frozen=True, eq=False)
class ScanState:
    """Labels left by a scan: per layer and station, arrival and how it was reached."""

    arrival: NDArray[np.int64]
    in_connection: NDArray[np.int64]
    entry_connection: NDArray[np.int64]
    board_layer: NDArray[np.int64]
    connections_scanned: int
    labels_improved: int


def layer_setup(max_transfers: int | None) -> tuple[int, bool]:
    """Return the number of layers and whether the last one absorbs any larger count."""
    if max_transfers is None:
        return 2, True
    return max_transfers + 2, False


def reference_scan(
    timetable: Timetable,
    source: int,
    target: int | NDArray[np.int64],
    depart_s: int,
    *,
    max_transfers: int | None = None,
    slack_s: int = 0,
    leave_by_s: int | None = None,
) -> ScanState:
    """Plain-Python CSA; stops once departures pass the best arrival at the target (the
    latest of the targets' when ``target`` is an array) + slack.

    ``leave_by_s`` forbids boarding at the origin after that time (journeys must leave by it).
    """
    layers, absorbing = layer_setup(max_transfers)
    last = layers - 1
    station_count = timetable.station_count
    never = int(NEVER)
    arrival = [[never] * station_count for _ in range(layers)]
    ready = [[never] * station_count for _ in range(layers)]
    in_connection = [[-1] * station_count for _ in range(layers)]
    entry = [[-1] * station_count for _ in range(layers)]
    board = [[-1] * station_count for _ in range(layers)]
    for layer in range(layers):
        arrival[layer][source] = ready[layer][source] = depart_s
    trip_legs = [layers] * timetable.trip_count
    trip_entry = [-1] * timetable.trip_count
    trip_board = [-1] * timetable.trip_count
    departure, arrival_time, from_station, to_station, trips, transfer, boardable, alightable = (
        timetable.lists()
    )
    leave_by = int(NEVER) if leave_by_s is None else leave_by_s
    goals = np.asarray(target, dtype=np.int64).reshape(-1).tolist()
    scanned = improved = 0
    for connection in range(bisect.bisect_left(departure, depart_s), len(departure)):
        leaves = departure[connection]
        if leaves >= max(arrival[last][goal] for goal in goals) + slack_s:
            break
        scanned += 1
        station = from_station[connection]
        trip = trips[connection]
        if boardable[connection]:
            for layer in range(layers):
                if ready[layer][station] <= leaves and (station != source or leaves <= leave_by):
                    legs = min(layer + 1, last) if absorbing else layer + 1
                    if legs < trip_legs[trip] and legs <= last:
                        trip_legs[trip] = legs
                        trip_entry[trip] = connection
                        trip_board[trip] = layer
                    break
        legs = trip_legs[trip]
        if legs > last or not alightable[connection]:
            continue
        stop = to_station[connection]
        arrives = arrival_time[connection]
        for layer in range(legs, layers):
            if arrives >= arrival[layer][stop]:
                break
            arrival[layer][stop] = arrives
            ready[layer][stop] = arrives + transfer[stop]
            in_connection[layer][stop] = connection
            entry[layer][stop] = trip_entry[trip]
            board[layer][stop] = trip_board[trip]
            improved += 1
    return ScanState(
        arrival=np.array(arrival, dtype=np.int64),
        in_connection=np.array(in_connection, dtype=np.int64),
        entry_connection=np.array(entry, dtype=np.int64),
        board_layer=np.array(board, dtype=np.int64),
        connections_scanned=scanned,
        labels_improved=improved,
    )


@dataclass(frozen=True, eq=False)
class _Blocks:
    """Connections regrouped for the block scan: by block, then trip, then time.

    Columns are int64 although int32 would do: the scan indexes and compares with them, and
    int32 index arrays cost a conversion each time (measured: +25 % scan time).
    """

    start: NDArray[np.int64]
    end: NDArray[np.int64]
    start_s: NDArray[np.int64]
    connection: NDArray[np.int64]
    from_station: NDArray[np.int64]
    to_station: NDArray[np.int64]
    departure_s: NDArray[np.int64]
    arrival_s: NDArray[np.int64]
    trip: NDArray[np.int64]
    can_board: NDArray[np.bool_]
    can_alight: NDArray[np.bool_]
    segment: NDArray[np.int64]
    is_segment_end: NDArray[np.bool_]
    #: ``start``, ``end`` and ``start_s`` as Python lists: the scan's per-block bookkeeping
    #: costs less with Python ints than with numpy scalars.
    bounds: tuple[list[int], list[int], list[int]]


def _blocks(timetable: Timetable) -> _Blocks:
    """Cut the connections into blocks inside which no change of train is possible (cached).

    A block closes just before the first connection leaving a station at or after the
    ready time (arrival + change time) of a connection of the same block arriving there
    (where travellers may alight), or when it spans ``MAX_BLOCK_S``. This is the invariant
    of fixed blocks narrower than the shortest hop plus the shortest change, checked per
    station instead of globally, so blocks are several times wider and the per-block numpy
    overhead is paid less often.
    """
    if "blocks" in timetable.cache:
        return timetable.cache["blocks"]
    departure = timetable.departure_s.astype(np.int64)
    count = departure.size
    starts = np.asarray(_block_starts(timetable), dtype=np.int64)
    block = np.zeros(count, dtype=np.int64)
    if count:
        block[starts[1:]] = 1
        block = np.cumsum(block)
    ends = np.r_[starts[1:], count].astype(np.int64)
    trip = timetable.trip.astype(np.int64)
    # By block, then trip, then time (a stable sort keeps the time order of equal keys).
    order = np.argsort(block * max(timetable.trip_count, 1) + trip, kind="stable")
    trip_ordered = trip[order]
    block_ordered = block[order]
    is_start = np.r_[
        True, (trip_ordered[1:] != trip_ordered[:-1]) | (block_ordered[1:] != block_ordered[:-1])
    ][:count]
    blocks = _Blocks(
        start=starts.astype(np.int64),
        end=ends,
        start_s=departure[starts],
        connection=order.astype(np.int64),
        from_station=timetable.departure_station[order].astype(np.int64),
        to_station=timetable.arrival_station[order].astype(np.int64),
        departure_s=departure[order],
        arrival_s=timetable.arrival_s[order].astype(np.int64),
        trip=trip_ordered,
        can_board=timetable.can_board[order],
        can_alight=timetable.can_alight[order],
        segment=_segment_in_block(is_start, block[order]),
        is_segment_end=np.r_[is_start[1:], True][:count],
        bounds=(starts.tolist(), ends.tolist(), departure[starts].tolist()),
    )
    timetable.cache["blocks"] = blocks
    return blocks


def _segment_in_block(is_start: NDArray[np.bool_], block: NDArray[np.int64]) -> NDArray[np.int64]:
    """Number of each connection's trip segment, counted from 0 within its block."""
    segment = np.cumsum(is_start) - 1
    if segment.size:
        first_of_block = np.r_[True, block[1:] != block[:-1]]
        segment -= np.maximum.accumulate(np.where(first_of_block, segment, 0))
    return segment


#: Longest time span of a block, so that the scan stops soon after reaching the target.
MAX_BLOCK_S = 15 * 60


def prepare_blocks(timetable: Timetable) -> int:
    """Compute the scan blocks of ``timetable`` now (they are cached); return their count."""
    return int(_blocks(timetable).start.size)


def _block_starts(timetable: Timetable) -> list[int]:
    """Indices where blocks start (one pass over the connections, plain Python).

    ``ready[s]`` is the earliest ready time at ``s`` of the block's arrivals (``never`` when
    none); only the stations touched in a block are reset when the next one opens.
    """
    never = int(NEVER)
    ready_at = timetable.arrival_s.astype(np.int64) + timetable.transfer_s[
        timetable.arrival_station
    ].astype(np.int64)
    # Arrivals where nobody may alight feed no change.
    ready_at[~timetable.can_alight] = never
    departure = timetable.departure_s.tolist()
    starts: list[int] = [0] if departure else []
    ready = [never] * timetable.station_count
    touched: list[int] = []
    opened = departure[0] if departure else 0
    for connection, (leaves, station, stop, at) in enumerate(
        zip(
            departure,
            timetable.departure_station.tolist(),
            timetable.arrival_station.tolist(),
            ready_at.tolist(),
            strict=True,
        )
    ):
        if ready[station] <= leaves or leaves - opened >= MAX_BLOCK_S:
            starts.append(connection)
            for reset in touched:
                ready[reset] = never
            touched.clear()
            opened = leaves
        if at < ready[stop]:
            if ready[stop] == never:
                touched.append(stop)
            ready[stop] = at
    return starts


def block_scan(
    timetable: Timetable,
    source: int,
    target: int | NDArray[np.int64],
    depart_s: int,
    *,
    max_transfers: int | None = None,
    slack_s: int = 0,
    leave_by_s: int | None = None,
) -> ScanState:
    """Numpy CSA over departure-time blocks; same labels as :func:`reference_scan`."""
    layers, absorbing = layer_setup(max_transfers)
    last = layers - 1
    blocks = _blocks(timetable)
    station_count = timetable.station_count
    arrival = np.full((layers, station_count), NEVER, dtype=np.int64)
    ready = np.full((layers, station_count), NEVER, dtype=np.int64)
    in_connection = np.full((layers, station_count), -1, dtype=np.int64)
    entry = np.full((layers, station_count), -1, dtype=np.int64)
    board = np.full((layers, station_count), -1, dtype=np.int64)
    arrival[:, source] = ready[:, source] = depart_s
    trip_legs = np.full(timetable.trip_count, layers, dtype=np.int64)
    trip_entry = np.full(timetable.trip_count, -1, dtype=np.int64)
    trip_board = np.full(timetable.trip_count, -1, dtype=np.int64)
    transfer = timetable.transfer_s.astype(np.int64)
    first_connection = int(np.searchsorted(timetable.departure_s, np.int32(depart_s), side="left"))
    first_block = max(int(np.searchsorted(blocks.start, first_connection, side="right")) - 1, 0)
    goals = np.asarray(target, dtype=np.int64).reshape(-1)
    goal = int(goals[0]) if goals.size == 1 else goals
    block_starts, block_ends, block_start_s = blocks.bounds
    scanned = improved = 0
    for block in range(first_block, len(block_starts)):
        if block_start_s[block] >= int(arrival[last, goal].max()) + slack_s:
            break
        low, high = block_starts[block], block_ends[block]
        scanned += high - low
        block_leaves = blocks.departure_s[low:high]
        block_trip = blocks.trip[low:high]
        # Most of a block is out of reach: keep only the trips with a boardable connection
        # (ready[last] is the earliest over all layers) or already boarded.
        active = ready[last, blocks.from_station[low:high]] <= block_leaves
        active &= blocks.can_board[low:high]
        active |= trip_legs[block_trip] <= last
        is_first = block == first_block
        if is_first:
            active &= block_leaves >= depart_s
        if not active.any():
            continue
        block_segment = blocks.segment[low:high]
        is_active_segment = np.zeros(int(block_segment[-1]) + 1, dtype=bool)
        is_active_segment[block_segment[active]] = True
        rows = low + np.flatnonzero(is_active_segment[block_segment])
        size = rows.size
        leaves = blocks.departure_s[rows]
        trip = blocks.trip[rows]
        from_station = blocks.from_station[rows]
        can_board = (ready[:, from_station] <= leaves) & blocks.can_board[rows]
        if leave_by_s is not None:
            can_board &= (from_station != source) | (leaves <= leave_by_s)
        if is_first:
            can_board &= leaves >= depart_s
        boards = can_board.any(axis=0)
        board_at = can_board.argmax(axis=0)
        legs = board_at + 1
        if absorbing:
            np.minimum(legs, last, out=legs)
        new_legs = np.where(boards, legs, layers)
        # Running minimum of (legs, position) per trip, seeded by the trip's state on entry.
        span = size + 1
        key = np.minimum(new_legs * span + np.arange(1, span), trip_legs[trip] * span)
        offset = (layers + 1) * span
        segment = blocks.segment[rows]
        running = segment * offset - np.maximum.accumulate(segment * offset - key)
        legs_now = running // span
        origin = running % span
        reached = legs_now <= last
        if not reached.any():
            continue
        inherited = origin == 0
        position = np.maximum(origin - 1, 0)
        entry_now = np.where(inherited, trip_entry[trip], blocks.connection[rows[position]])
        board_now = np.where(inherited, trip_board[trip], board_at[position])
        ending = reached & blocks.is_segment_end[rows]
        trip_legs[trip[ending]] = legs_now[ending]
        trip_entry[trip[ending]] = entry_now[ending]
        trip_board[trip[ending]] = board_now[ending]
        hits = np.flatnonzero(reached & blocks.can_alight[rows])
        if not hits.size:
            continue
        stops = blocks.to_station[rows[hits]]
        arrives = blocks.arrival_s[rows[hits]]
        hit_legs = legs_now[hits]
        for layer in range(1, layers):
            chosen = (hit_legs <= layer) & (arrives < arrival[layer, stops])
            if not chosen.any():
                continue
            layer_stops = stops[chosen]
            layer_arrives = arrives[chosen]
            np.minimum.at(arrival[layer], layer_stops, layer_arrives)
            winners = layer_arrives == arrival[layer, layer_stops]
            won = hits[chosen][winners]
            won_stops = layer_stops[winners]
            ready[layer, won_stops] = layer_arrives[winners] + transfer[won_stops]
            in_connection[layer, won_stops] = blocks.connection[rows[won]]
            entry[layer, won_stops] = entry_now[won]
            board[layer, won_stops] = board_now[won]
            improved += int(won_stops.size)
    return ScanState(
        arrival=arrival,
        in_connection=in_connection,
        entry_connection=entry,
        board_layer=board,
        connections_scanned=scanned,
        labels_improved=improved,
    )


def journey_from_state(
    timetable: Timetable,
    state: ScanState,
    *,
    method: str,
    source: int,
    target: int,
    depart_s: int,
    layer: int,
) -> Journey:
    """Rebuild the legs reaching ``target`` within ``layer`` trains; NoPathError if none."""
    if state.arrival[layer, target] >= NEVER:
        raise NoPathError(
            f"station {target} cannot be reached from station {source} after {depart_s} s",
            source=source,
            target=target,
        )
    legs: list[Leg] = []
    station = target
    while station != source:
        last = int(state.in_connection[layer, station])
        first = int(state.entry_connection[layer, station])
        legs.append(Leg.between(timetable, first, last))
        layer = int(state.board_layer[layer, station])
        station = int(timetable.departure_station[first])
    legs.reverse()
    return Journey(
        method=method,
        source=source,
        target=target,
        depart_after_s=depart_s,
        legs=tuple(legs),
        connections_scanned=state.connections_scanned,
        labels_improved=state.labels_improved,
    )
