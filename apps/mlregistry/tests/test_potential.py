"""The modal-shift potential of the atlas pairs, checked against a computation of its own."""

from __future__ import annotations

import math

import pytest

from apps.mlregistry.potential import shift_potential
from apps.mlregistry.tests.factories import city_pair, in_production

pytestmark = pytest.mark.django_db


def _share(version, minutes: float) -> float:
    a, b = version.parameters["intercept"], version.parameters["slope_per_h"]
    return 1.0 / (1.0 + math.exp(-(a + b * minutes / 60.0)))


def test_the_potential_is_passengers_times_the_curve_and_co2_by_the_method():
    version = in_production()
    city_pair("Paris", "Lyon", rail_min=120, passengers=1_000_000, flown_km=430, rail_km=460)
    city_pair("Paris", "Nice", rail_min=330, passengers=2_000_000, flown_km=750, rail_km=930)
    city_pair("Paris", "Toulouse", rail_min=500, passengers=3_000_000)
    city_pair("Paris", "Brest", rail_min=200, passengers=500_000, upper_bound=True)
    city_pair("Paris", "Ajaccio", rail_min=None, passengers=700_000)
    city_pair("Paris", "Madrid", rail_min=200, passengers=900_000, countries=("FR", "ES"))
    found = shift_potential(scope="domestic", country="FR", method="ademe")

    lyon = 1_000_000 * _share(version, 120)
    nice = 2_000_000 * _share(version, 330)
    assert found.passengers == round(lyon + nice)
    # ADEME: air 0.258 kg/pkm under 1000 km (with non-CO2 effects), French rail 0.00592.
    co2 = (lyon * (430 * 0.258 - 460 * 0.00592) + nice * (750 * 0.258 - 930 * 0.00592)) / 1000
    assert found.co2_t == pytest.approx(co2, abs=0.2)
    assert found.passengers_band[0] < found.passengers < found.passengers_band[1]
    assert found.co2_band_t[0] < found.co2_t < found.co2_band_t[1]
    assert (found.out_of_range, found.no_rail_time) == (1, 1)
    # Brest's rail time is only an upper bound: its potential is a floor, kept apart.
    assert [p.label for p in found.floor.pairs] == ["Paris – Brest"]
    assert found.floor.passengers == round(500_000 * _share(version, 200))
    assert [p.label for p in found.pairs] == ["Paris – Lyon", "Paris – Nice"]
    assert found.version == version.number


def test_an_international_scope_keeps_pairs_with_one_end_in_the_country():
    in_production()
    city_pair("Paris", "Madrid", rail_min=200, passengers=900_000, countries=("FR", "ES"))
    city_pair("Paris", "Lyon", rail_min=120, passengers=1_000_000)
    found = shift_potential(scope="international", country="ES", method="desnz")
    assert [p.label for p in found.pairs] == ["Paris – Madrid"]
