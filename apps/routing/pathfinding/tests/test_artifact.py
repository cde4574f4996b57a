"""Versioned artefacts: round trip, checksums, atomic switch and reload on a new version."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from ..artifact import ArtifactError, ArtifactLoader, current_version, read_artifact, write_artifact
from ..bundle import RoutingNetwork, network_arrays, network_from_artifact
from ..journeys import earliest_arrival
from ..static import shortest_path
from .strategies import random_graph, random_schedule

DAY = dt.date(2026, 6, 10)


def _network(seed=1):
    graph = random_graph(seed, 8, 30)
    schedule = random_schedule(seed, 8, 10, restricted_share=0.2)
    return RoutingNetwork(
        graph=graph,
        station_ids=np.arange(100, 108, dtype=np.int64),
        trip_ids=np.arange(500, 500 + schedule.patterns.trip_count, dtype=np.int64),
        schedule=schedule,
    )


def test_round_trip_keeps_arrays_dtypes_and_memory_maps_them(tmp_path):
    network = _network()
    version = write_artifact(tmp_path, network_arrays(network), run_id=42)
    artifact = read_artifact(tmp_path, verify=True)
    assert artifact.version == version
    assert artifact.manifest["run_id"] == 42
    assert artifact["graph_indptr"].dtype == np.int32
    assert artifact["weight_time"].dtype == np.float64
    assert isinstance(artifact["graph_indices"], np.memmap)
    loaded = network_from_artifact(artifact)
    assert_array_equal(loaded.graph.indices, network.graph.indices)
    assert_array_equal(loaded.station_ids, network.station_ids)
    day = loaded.schedule.service_day(DAY).timetable
    original = network.schedule.service_day(DAY).timetable
    for column in ("departure_s", "arrival_s", "trip", "can_board", "can_alight"):
        assert_array_equal(getattr(day, column), getattr(original, column))
    assert loaded.schedule.coverage == network.schedule.coverage
    assert loaded.schedule.patterns.zones == ("Europe/Paris", "Europe/London")


def test_loaded_network_answers_like_the_original(tmp_path):
    network = _network(seed=5)
    write_artifact(tmp_path, network_arrays(network), run_id=None)
    loaded = network_from_artifact(read_artifact(tmp_path))
    for target in range(1, 8):
        try:
            expected = shortest_path(network.graph, 0, target).length
        except LookupError:
            continue
        assert shortest_path(loaded.graph, 0, target, method="scipy_limited").length == expected
    original_day = network.schedule.service_day(DAY).timetable
    loaded_day = loaded.schedule.service_day(DAY).timetable
    for connection in range(min(original_day.connection_count, 5)):
        source = int(original_day.departure_station[connection])
        target = int(original_day.arrival_station[connection])
        try:
            expected = earliest_arrival(original_day, source, target, 0).arrival_s
        except LookupError:
            expected = None
        try:
            found = earliest_arrival(loaded_day, source, target, 0).arrival_s
        except LookupError:
            found = None
        assert found == expected


def test_manifest_records_counts_and_checksums(tmp_path):
    version = write_artifact(tmp_path, {"numbers": np.arange(5, dtype=np.int32)}, run_id="r1")
    manifest = json.loads((tmp_path / "versions" / version / "manifest.json").read_text())
    entry = manifest["arrays"]["numbers"]
    assert entry["shape"] == [5]
    assert entry["dtype"] == "<i4"
    assert len(entry["sha256"]) == 64


def test_tampered_file_fails_verification(tmp_path):
    version = write_artifact(tmp_path, {"numbers": np.arange(5, dtype=np.int32)}, run_id=1)
    path = tmp_path / "versions" / version / "numbers.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"checksum mismatch for numbers\.npy"):
        read_artifact(tmp_path, verify=True)


def test_loader_picks_up_a_new_version_without_restart(tmp_path):
    write_artifact(tmp_path, {"numbers": np.arange(3)}, run_id=1)
    loader = ArtifactLoader(tmp_path, build=lambda artifact: int(artifact["numbers"].sum()))
    assert loader.get() == 3
    first = loader.version
    assert loader.get() == 3
    assert loader.version == first
    write_artifact(tmp_path, {"numbers": np.arange(5)}, run_id=2)
    assert loader.get() == 10
    assert loader.version != first


def test_old_versions_are_pruned_and_current_points_to_the_newest(tmp_path):
    versions = [
        write_artifact(tmp_path, {"n": np.arange(i + 1)}, run_id=i, keep=2) for i in range(4)
    ]
    remaining = sorted(p.name for p in (tmp_path / "versions").iterdir())
    assert remaining == versions[-2:]
    assert current_version(tmp_path) == versions[-1]


def test_missing_artifact_is_a_clear_error(tmp_path):
    with pytest.raises(ArtifactError, match="CURRENT is missing"):
        read_artifact(tmp_path)


def test_object_arrays_are_refused(tmp_path):
    with pytest.raises(ValueError, match="dtype object"):
        write_artifact(tmp_path, {"bad": np.array([{"a": 1}], dtype=object)}, run_id=1)


def test_an_artefact_without_the_schedule_asks_to_be_rebuilt(tmp_path):
    arrays = network_arrays(_network(seed=9))
    del arrays["trip_weekdays"]
    write_artifact(tmp_path, arrays, run_id=1)
    with pytest.raises(ArtifactError, match=r"no trip_weekdays\): rebuild it"):
        network_from_artifact(read_artifact(tmp_path))


def _publish_versions(root: str, writer: int, count: int) -> None:
    for index in range(count):
        value = writer * 1000 + index
        arrays = {"values": np.full(50_000, value, dtype=np.int64), "tag": np.array([value])}
        write_artifact(root, arrays, run_id=value)


def test_concurrent_writers_on_one_volume_never_expose_a_partial_version(tmp_path):
    # Several hosts (or an ETL run and a hand-run rebuild) publishing to one shared directory:
    # every read, while they write and prune, is a complete version that verifies.
    import multiprocessing

    write_artifact(tmp_path, {"values": np.zeros(50_000, np.int64), "tag": np.array([0])}, run_id=0)
    context = multiprocessing.get_context("fork")
    writers = [
        context.Process(target=_publish_versions, args=(str(tmp_path), w, 8)) for w in (1, 2, 3)
    ]
    for process in writers:
        process.start()
    reads, errors, seen = 0, [], []
    while any(process.is_alive() for process in writers) or reads == 0:
        try:
            artifact = read_artifact(tmp_path, verify=True)
        except ArtifactError as error:
            errors.append(str(error))
            continue
        tag = int(artifact["tag"][0])
        assert artifact.manifest["run_id"] == tag
        assert_array_equal(artifact["values"], np.full(50_000, tag, dtype=np.int64))
        seen.append(artifact.version)
        reads += 1
    for process in writers:
        process.join()
        assert process.exitcode == 0
    # At worst a version pruned between reading CURRENT and opening it: never a torn one.
    assert all("No such file" in error for error in errors), errors
    # CURRENT never went back: the versions read only increase, and the newest one wins.
    assert seen == sorted(seen)
    final = read_artifact(tmp_path, verify=True)
    assert final.version == max(p.name for p in (tmp_path / "versions").iterdir())
    assert reads > 0
