"""Fixtures: the bundled air data loaded, a small rail network between Paris, Lyon, Marseille
and Geneva whose stations belong to the cities the airports serve, and the atlas computed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from apps.atlas.loading import air_source_paths, load_air_data
from apps.atlas.models import CityPair
from apps.atlas.services import recompute_atlas
from apps.places.gazetteer import gazetteer
from apps.places.models import Place
from apps.routing.services import build_routing_artifact
from apps.routing.tests.factories import make_line_network

SAMPLES = air_source_paths("samples")
RAW_TRAFFIC = SAMPLES["eurostat-avia-par-fr"]
RAW_AIRPORTS = SAMPLES["openflights-airports"]
FULL_TRAFFIC = (
    Path(settings.ETL_FULL_DATA_DIR)
    / "flights/eurostat_avia_par_fr/avia_par_fr_annual_1993-2019.csv"
)


def place_named(name: str, country: str) -> Place:
    """The Place row of the gazetteer's most populous place of that name."""
    found = max(gazetteer().named(name, country), key=lambda p: p.population)
    place, _created = Place.objects.get_or_create(
        geonames_id=found.geonames_id,
        defaults={
            "name": found.name,
            "country": found.country,
            "latitude": found.latitude,
            "longitude": found.longitude,
            "population": found.population,
        },
    )
    return place


def copy_every_pair() -> None:
    """Store a copy of every pair under other city ids: twice the pairs, for query counts."""
    pair = CityPair.objects.first()
    for index in range(CityPair.objects.count()):
        pair.pk = None
        pair.a_geonames_id = 900_000_000 + index
        pair.save()


@pytest.fixture
def air_data(db):
    return load_air_data(airports=RAW_AIRPORTS, traffic=RAW_TRAFFIC, dataset="samples")


@pytest.fixture
def atlas(air_data, settings, tmp_path):
    """Air data, the line network (Paris -> Lyon 2 h direct, Lyon -> Marseille, a Paris ->
    Marseille night train, Lyon -> Geneva) and the atlas recomputed from both."""
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    network = make_line_network()
    for station, (name, country) in (
        (network.paris, ("Paris", "FR")),
        (network.lyon, ("Lyon", "FR")),
        (network.marseille, ("Marseille", "FR")),
        (network.geneva, ("Geneva", "CH")),
    ):
        station.place = place_named(name, country)
        station.save(update_fields=["place"])
    build_routing_artifact(run_id="test")
    recompute_atlas(trigger="test")
    return network
