"""Fixtures: an artefact directory per test and the small line network."""

from __future__ import annotations

import pytest

from apps.routing.services import build_routing_artifact
from apps.routing.tests.factories import LineNetwork, make_line_network


@pytest.fixture
def artifact_dir(settings, tmp_path):
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    return settings.ROUTING_ARTIFACT_DIR


@pytest.fixture
def line_network(db, artifact_dir) -> LineNetwork:
    network = make_line_network()
    build_routing_artifact(run_id="test")
    return network
