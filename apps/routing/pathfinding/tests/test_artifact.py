"""Versioned artefacts: round trip, checksums, atomic switch and reload on a new version."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from ..artifact import ArtifactError, ArtifactLoader, current_version, read_artifact, write_artifact
from ..bundle import RoutingNetwork, network_arrays, network_from_artifact
from ..csa import block_starts
from ..journeys import earliest_arrival
from ..static import shortest_path
from .strategies import random_graph, random_timetable


def _network(seed=1):
    graph = random_graph(seed, 8, 30)
    timetable = random_timetable(seed, 8, 10)
    return RoutingNetwork(
        graph=graph,
        station_ids=np.arange(100, 108, dtype=np.int64),
        trip_ids=np.arange(500, 500 + timetable.trip_count, dtype=np.int64),
        timetables={"20260601": timetable},
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
    day = loaded.timetables["20260601"]
    assert_array_equal(day.departure_s, network.timetables["20260601"].departure_s)


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
    original_day = network.timetables["20260601"]
    loaded_day = loaded.timetables["20260601"]
    source = int(original_day.departure_station[0])
    target = int(original_day.arrival_station[0])
    assert (
        earliest_arrival(loaded_day, source, target, 0).arrival_s
        == earliest_arrival(original_day, source, target, 0).arrival_s
    )


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


def test_stored_block_starts_are_reused_on_load(tmp_path):
    network = _network(seed=9)
    day = network.timetables["20260601"]
    write_artifact(tmp_path, network_arrays(network), run_id=1)
    loaded = network_from_artifact(read_artifact(tmp_path)).timetables["20260601"]
    assert_array_equal(loaded.cache["block_starts"], block_starts(day))
    source, target = int(day.departure_station[0]), int(day.arrival_station[0])
    assert (
        earliest_arrival(loaded, source, target, 0).arrival_s
        == earliest_arrival(day, source, target, 0).arrival_s
    )
