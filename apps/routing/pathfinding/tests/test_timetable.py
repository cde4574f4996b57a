"""Timetable journeys: the block CSA and the reference CSA agree with the time-expanded oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .. import NoPathError, ParameterError, build_timetable, earliest_arrival, pareto_journeys
from ..csa import _blocks, block_scan, journey_from_state, reference_scan
from .strategies import random_timetable

METHODS = ["blocks", "reference", "time_expanded"]


def _arrival_or_none(timetable, source, target, depart, **options):
    try:
        return earliest_arrival(timetable, source, target, depart, **options).arrival_s
    except NoPathError:
        return None


def _assert_feasible(timetable, journey):
    """Legs chain up: right stations, change times and boarding rules respected, one trip
    per leg."""
    station, ready = journey.source, journey.depart_after_s
    for leg in journey.legs:
        assert leg.departure_station == station
        assert leg.departure_s >= ready
        assert timetable.can_board[leg.first_connection]
        assert timetable.can_alight[leg.last_connection]
        trips = set(timetable.trip[leg.first_connection : leg.last_connection + 1].tolist())
        assert leg.trip in trips
        assert int(timetable.trip[leg.first_connection]) == leg.trip
        assert leg.is_night == bool(timetable.trip_is_night[leg.trip])
        station = leg.arrival_station
        ready = leg.arrival_s + int(timetable.transfer_s[station])
    assert station == journey.target


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    station_count=st.integers(2, 10),
    trip_count=st.integers(1, 25),
    restricted_share=st.sampled_from([0.0, 0.2, 0.5]),
    data=st.data(),
)
def test_both_scans_agree_with_the_time_expanded_oracle(
    seed, station_count, trip_count, restricted_share, data
):
    timetable = random_timetable(seed, station_count, trip_count, restricted_share=restricted_share)
    source = data.draw(st.integers(0, station_count - 1))
    target = data.draw(st.integers(0, station_count - 1))
    depart = data.draw(st.integers(0, 4000))
    max_transfers = data.draw(st.one_of(st.none(), st.integers(0, 3)))
    trains = data.draw(st.sampled_from(["all", "day", "night"]))
    options = {"max_transfers": max_transfers, "trains": trains}
    expected = _arrival_or_none(
        timetable, source, target, depart, method="time_expanded", **options
    )
    for method in ("blocks", "reference"):
        assert (
            _arrival_or_none(timetable, source, target, depart, method=method, **options)
            == expected
        )
        if expected is None:
            continue
        journey = earliest_arrival(timetable, source, target, depart, method=method, **options)
        _assert_feasible(timetable, journey)
        if max_transfers is not None:
            assert journey.transfers <= max_transfers
        if trains != "all":
            assert all(leg.is_night == (trains == "night") for leg in journey.legs)


def _line_timetable():
    """A(0) -> B(1) by day train 0 and night train 1, B -> C(2) by train 2; direct A -> C 3."""
    return build_timetable(
        3,
        departure_station=[0, 0, 1, 0],
        arrival_station=[1, 1, 2, 2],
        departure_s=[3600, 3000, 5400, 4000],
        arrival_s=[5000, 4900, 7000, 9000],
        trip=[0, 1, 2, 3],
        trip_is_night=[False, True, False, False],
        transfer_s=[0, 300, 0],
    )


@pytest.mark.parametrize("method", METHODS)
def test_journey_with_one_transfer_comes_back_as_two_legs(method):
    journey = earliest_arrival(_line_timetable(), 0, 2, 3000, method=method)
    assert journey.arrival_s == 7000
    assert [(leg.trip, leg.departure_s, leg.arrival_s) for leg in journey.legs] == [
        (1, 3000, 4900),
        (2, 5400, 7000),
    ]
    assert journey.transfers == 1
    assert journey.uses_night_trains


@pytest.mark.parametrize("method", METHODS)
def test_change_time_makes_a_tight_connection_impossible(method):
    timetable = _line_timetable()
    # Day train 0 arrives at B at 5000; with 300 s to change, 5400 is still caught...
    assert earliest_arrival(timetable, 0, 2, 3100, method=method).arrival_s == 7000
    tight = build_timetable(
        3,
        [0, 1, 0],
        [1, 2, 2],
        [3600, 5100, 4000],
        [5000, 7000, 9000],
        [0, 1, 2],
        transfer_s=[0, 300, 0],
    )
    # ...but a 100 s change at B is not: the direct train is the answer.
    assert earliest_arrival(tight, 0, 2, 0, method=method).arrival_s == 9000


@pytest.mark.parametrize("method", METHODS)
def test_max_transfers_zero_keeps_only_direct_trains(method):
    journey = earliest_arrival(_line_timetable(), 0, 2, 3000, method=method, max_transfers=0)
    assert journey.arrival_s == 9000
    assert [leg.trip for leg in journey.legs] == [3]


@pytest.mark.parametrize("method", METHODS)
def test_day_only_filter_avoids_the_night_train(method):
    journey = earliest_arrival(_line_timetable(), 0, 2, 3000, method=method, trains="day")
    assert [leg.trip for leg in journey.legs] == [0, 2]
    assert not journey.uses_night_trains


@pytest.mark.parametrize("method", METHODS)
def test_night_only_filter_without_a_night_connection_raises_no_path(method):
    with pytest.raises(NoPathError):
        earliest_arrival(_line_timetable(), 0, 2, 3000, method=method, trains="night")


def test_pareto_set_trades_later_departure_against_transfers():
    journeys = pareto_journeys(_line_timetable(), 0, 2, 0, 6000)
    summary = [(j.departure_s, j.arrival_s, j.transfers) for j in journeys]
    assert summary == [(3600, 7000, 1), (4000, 9000, 0)]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_pareto_journeys_are_mutually_non_dominated_and_include_the_earliest_arrival(seed, data):
    timetable = random_timetable(seed, 6, 20)
    source = data.draw(st.integers(0, 5))
    target = data.draw(st.integers(0, 5))
    journeys = pareto_journeys(timetable, source, target, 0, 3600, method="reference")
    keys = [(j.departure_s, j.arrival_s, j.transfers) for j in journeys]
    for first in keys:
        for second in keys:
            if first != second:
                assert not (
                    first[0] >= second[0] and first[1] <= second[1] and first[2] <= second[2]
                )
    try:
        fastest = earliest_arrival(
            timetable, source, target, 0, method="time_expanded", max_transfers=3
        )
    except NoPathError:
        return
    if source == target:
        return
    arrivals = [k[1] for k in keys]
    if fastest.departure_s <= 3600:  # the earliest arrival leaves within the window
        assert min(arrivals) == fastest.arrival_s
    else:  # it leaves later (seed 2175: at 4043 s); none of the window's arrives earlier
        assert all(arrival >= fastest.arrival_s for arrival in arrivals)


def test_zero_duration_connection_is_rejected_with_its_index():
    with pytest.raises(ParameterError, match="connection 0 lasts 0 s"):
        build_timetable(2, [0], [1], [100], [100], [0])


def test_unknown_journey_method_and_filter_are_rejected():
    timetable = _line_timetable()
    with pytest.raises(ParameterError, match="method='raptor'"):
        earliest_arrival(timetable, 0, 2, 0, method="raptor")
    with pytest.raises(ParameterError, match="trains='tgv'"):
        earliest_arrival(timetable, 0, 2, 0, trains="tgv")
    with pytest.raises(ParameterError, match="max_transfers=-1"):
        earliest_arrival(timetable, 0, 2, 0, max_transfers=-1)


def test_block_scan_counts_fewer_connections_when_the_target_is_reached_early():
    timetable = random_timetable(3, 8, 40)
    late = np.iinfo(np.int32).max // 2
    assert timetable.departure_s.max() < late
    journey = earliest_arrival(
        timetable, int(timetable.departure_station[0]), int(timetable.arrival_station[0]), 0
    )
    assert journey.connections_scanned < timetable.connection_count


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    trip_count=st.integers(1, 40),
    restricted_share=st.sampled_from([0.0, 0.3]),
)
def test_no_change_of_train_is_possible_inside_a_scan_block(seed, trip_count, restricted_share):
    timetable = random_timetable(seed, 8, trip_count, restricted_share=restricted_share)
    blocks = _blocks(timetable)
    ends = np.r_[blocks.start[1:], timetable.connection_count]
    for low, high in zip(blocks.start.tolist(), ends.tolist(), strict=True):
        ready = (
            timetable.arrival_s[low:high]
            + timetable.transfer_s[timetable.arrival_station[low:high]]
        )
        # Arrivals where nobody may alight feed no change.
        alights = timetable.can_alight[low:high]
        for connection in range(low, high):
            same_station = (
                timetable.arrival_station[low:high] == timetable.departure_station[connection]
            )
            assert not (alights & same_station & (ready <= timetable.departure_s[connection])).any()
    assert blocks.start[0] == 0


def test_pareto_window_errors_name_the_problem():
    timetable = _line_timetable()
    with pytest.raises(ParameterError, match="window_end_s=10"):
        pareto_journeys(timetable, 0, 2, 100, 10)
    with pytest.raises(ParameterError, match="at most 1"):
        pareto_journeys(timetable, 0, 2, 0, 6000, max_departures=1)


def test_pareto_journeys_leave_within_the_window():
    # Leaving at 3000 s the only way on is the direct train at 4000 s, after the window.
    journeys = pareto_journeys(_line_timetable(), 0, 2, 0, 3500)
    assert [(j.departure_s, j.transfers) for j in journeys] == [(3000, 1)]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_both_scans_agree_on_journeys_that_must_leave_by_a_time(seed, data):
    timetable = random_timetable(seed, 6, 20)
    source = data.draw(st.integers(0, 5))
    target = data.draw(st.integers(0, 5))
    leave_by = data.draw(st.integers(0, 4000))
    states = [
        scan(timetable, source, target, 0, max_transfers=2, leave_by_s=leave_by)
        for scan in (reference_scan, block_scan)
    ]
    # Only the last layer is complete: scans stop once departures pass its arrival.
    assert states[0].arrival[-1, target] == states[1].arrival[-1, target]
    for layer in range(1, 4):
        try:
            journey = journey_from_state(
                timetable,
                states[1],
                method="blocks",
                source=source,
                target=target,
                depart_s=0,
                layer=layer,
            )
        except NoPathError:
            continue
        assert not journey.legs or journey.legs[0].departure_s <= leave_by


def _restricted_line(*, can_board, can_alight):
    """A(0) -> B(1) -> C(2) by train 0 (08:00-09:00-10:00), B -> D(3) by train 1 at 09:30,
    and later fallbacks: A -> C by train 2 (11:00-12:00), A -> B by train 3 (11:00-11:30),
    B -> C by train 4 (12:00-13:00), B -> D by train 5 (13:00-14:00)."""
    return build_timetable(
        4,
        departure_station=[0, 1, 1, 0, 0, 1, 1],
        arrival_station=[1, 2, 3, 2, 1, 2, 3],
        departure_s=[28800, 32400, 34200, 39600, 39600, 43200, 46800],
        arrival_s=[32400, 36000, 37800, 43200, 41400, 46800, 50400],
        trip=[0, 0, 1, 2, 3, 4, 5],
        transfer_s=[0, 300, 0, 0],
        can_board=can_board,
        can_alight=can_alight,
    )


ALL_OPEN = [True] * 7


@pytest.mark.parametrize("method", METHODS)
def test_a_train_is_not_boarded_where_its_stop_forbids_boarding(method):
    closed_at_origin = _restricted_line(can_board=[False, *ALL_OPEN[1:]], can_alight=ALL_OPEN)
    journey = earliest_arrival(closed_at_origin, 0, 2, 0, method=method)
    # Train 0 sets down only at A: the answer is the later direct train 2.
    assert [leg.trip for leg in journey.legs] == [2]
    assert journey.arrival_s == 43200
    assert (
        earliest_arrival(
            _restricted_line(can_board=ALL_OPEN, can_alight=ALL_OPEN), 0, 2, 0, method=method
        ).arrival_s
        == 36000
    )


@pytest.mark.parametrize("method", METHODS)
def test_a_traveller_stays_on_through_a_stop_that_forbids_boarding(method):
    no_pickup_at_b = [True, False, *ALL_OPEN[2:]]
    timetable = _restricted_line(can_board=no_pickup_at_b, can_alight=ALL_OPEN)
    # From A, train 0 carries on through B to C...
    assert earliest_arrival(timetable, 0, 2, 0, method=method).arrival_s == 36000
    # ...but nobody boards it at B: from B the answer is train 4 at 12:00.
    journey = earliest_arrival(timetable, 1, 2, 0, method=method)
    assert [leg.trip for leg in journey.legs] == [4]


@pytest.mark.parametrize("method", METHODS)
def test_no_alighting_means_no_arrival_and_no_change_there(method):
    no_drop_off_at_b = [False, *ALL_OPEN[1:]]
    timetable = _restricted_line(can_board=ALL_OPEN, can_alight=no_drop_off_at_b)
    # Train 0 stops at B to pick up only: B is reached by train 3 at 11:30...
    assert earliest_arrival(timetable, 0, 1, 0, method=method).arrival_s == 41400
    # ...so the change onto train 1 (09:30) is lost: D is reached by 3 then 5 at 14:00...
    journey = earliest_arrival(timetable, 0, 3, 0, method=method)
    assert [leg.trip for leg in journey.legs] == [3, 5]
    # ...while riding through B to C is untouched.
    assert earliest_arrival(timetable, 0, 2, 0, method=method).arrival_s == 36000
    open_line = _restricted_line(can_board=ALL_OPEN, can_alight=ALL_OPEN)
    assert earliest_arrival(open_line, 0, 3, 0, method=method).arrival_s == 37800


@pytest.mark.parametrize("trains", ["all", "day"])
def test_boarding_rules_survive_the_train_filter(trains):
    timetable = _restricted_line(can_board=[False, *ALL_OPEN[1:]], can_alight=ALL_OPEN)
    for method in ("blocks", "reference"):
        journey = earliest_arrival(timetable, 0, 2, 0, method=method, trains=trains)
        assert [leg.trip for leg in journey.legs] == [2]


def test_pareto_journeys_only_leave_where_boarding_is_allowed():
    timetable = _restricted_line(can_board=[False, *ALL_OPEN[1:]], can_alight=ALL_OPEN)
    journeys = pareto_journeys(timetable, 0, 2, 0, 40000)
    assert [(j.departure_s, j.arrival_s) for j in journeys] == [(39600, 43200)]


def test_boarding_flags_must_match_the_connections():
    with pytest.raises(ParameterError, match="can_board has 1 values for 2 connections"):
        build_timetable(2, [0, 1], [1, 0], [0, 10], [5, 15], [0, 1], can_board=[True])
