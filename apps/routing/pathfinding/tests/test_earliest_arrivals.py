"""Several targets from one scan: each journey is the one the single-target search finds."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .. import Arrivals, NoPathError, ParameterError, earliest_arrival, earliest_arrivals
from .strategies import random_timetable


def _single(timetable, source, target, depart, **options):
    try:
        return earliest_arrival(timetable, source, target, depart, **options)
    except NoPathError:
        return None


def _assert_same_as_one_by_one(timetable, source, targets, depart, **options):
    found = earliest_arrivals(timetable, source, targets, depart, **options)
    assert isinstance(found, Arrivals)
    assert set(found.journeys) | set(found.unreachable) == set(targets)
    assert not set(found.journeys) & set(found.unreachable)
    for target in set(targets):
        alone = _single(timetable, source, target, depart, **options)
        if alone is None:
            assert target in found.unreachable
            with pytest.raises(NoPathError):
                found.journey(target)
            continue
        journey = found.journey(target)
        # Same trains, boarded and left at the same connections: not only the same arrival.
        assert journey.legs == alone.legs
        assert (journey.source, journey.target, journey.depart_after_s) == (
            alone.source,
            alone.target,
            alone.depart_after_s,
        )
    return found


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    station_count=st.integers(2, 30),
    trip_count=st.integers(1, 120),
    restricted_share=st.sampled_from([0.0, 0.2]),
    data=st.data(),
)
def test_each_target_gets_the_journey_of_its_own_search(
    seed, station_count, trip_count, restricted_share, data
):
    timetable = random_timetable(seed, station_count, trip_count, restricted_share=restricted_share)
    source = data.draw(st.integers(0, station_count - 1))
    targets = data.draw(
        st.lists(st.integers(0, station_count - 1), min_size=1, max_size=station_count)
    )
    depart = data.draw(st.integers(0, 4000))
    options = {
        "method": data.draw(st.sampled_from(["blocks", "reference"])),
        "max_transfers": data.draw(st.one_of(st.none(), st.integers(0, 3))),
        "trains": data.draw(st.sampled_from(["all", "day", "night"])),
    }
    _assert_same_as_one_by_one(timetable, source, targets, depart, **options)


@pytest.mark.parametrize("method", ["blocks", "reference", "time_expanded"])
def test_every_station_as_a_target_on_a_busy_timetable(method):
    timetable = random_timetable(11, 25, 300, restricted_share=0.1)
    targets = list(range(25))
    for source in (0, 7, 24):
        found = _assert_same_as_one_by_one(
            timetable, source, targets, 500, method=method, max_transfers=2
        )
        assert len(found.journeys) >= 10  # a test with something to compare


def test_the_shared_scan_stops_once_every_target_is_reached():
    timetable = random_timetable(3, 25, 300)
    near = earliest_arrivals(timetable, 0, [5], 0)
    everywhere = earliest_arrivals(timetable, 0, list(range(1, 25)), 0)
    assert near.connections_scanned < everywhere.connections_scanned
    assert near.connections_scanned == earliest_arrival(timetable, 0, 5, 0).connections_scanned


def test_the_answer_crosses_a_process_boundary():
    timetable = random_timetable(3, 25, 300)
    found = earliest_arrivals(timetable, 0, list(range(1, 25)), 0, max_transfers=2)
    copy = pickle.loads(pickle.dumps(found))
    assert copy.journeys == found.journeys
    assert copy.unreachable == found.unreachable


def test_targets_must_be_given_and_known():
    timetable = random_timetable(3, 5, 10)
    with pytest.raises(ParameterError, match="targets is empty"):
        earliest_arrivals(timetable, 0, [], 0)
    with pytest.raises(ParameterError, match="target=9"):
        earliest_arrivals(timetable, 0, [1, 9], 0)
    found = earliest_arrivals(timetable, 0, [1, 2], 0)
    with pytest.raises(ParameterError, match="target=3 was not one of the targets"):
        found.journey(3)
