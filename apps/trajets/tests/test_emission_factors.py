"""The one table of CO2 factors: seeding writes the published set, corrects changed values,
and writes nothing the second time."""

from __future__ import annotations

import pytest

from apps.trajets.emission_factors import ensure_factors, factors_fingerprint
from apps.trajets.etl.harmonise.co2 import PUBLISHED_FACTORS
from apps.trajets.models import EmissionFactor

pytestmark = pytest.mark.django_db


def test_seeding_writes_every_published_factor_once_and_is_idempotent():
    first = ensure_factors()
    assert (first.created, first.updated) == (len(PUBLISHED_FACTORS), 0)
    assert EmissionFactor.objects.count() == len(PUBLISHED_FACTORS)
    fingerprint = factors_fingerprint()
    again = ensure_factors()
    assert (again.created, again.updated) == (0, 0)
    assert factors_fingerprint() == fingerprint


def test_seeding_corrects_a_row_whose_published_values_changed_and_keeps_its_id():
    ensure_factors()
    row = EmissionFactor.objects.get(method="ademe", mode="air", min_distance_km=0)
    EmissionFactor.objects.filter(pk=row.pk).update(
        kg_co2e_per_passenger_km=0.3, source_name="an older edition", year=2019, scope=""
    )
    seeding = ensure_factors()
    assert (seeding.created, seeding.updated) == (0, 1)
    corrected = EmissionFactor.objects.get(pk=row.pk)
    assert (corrected.kg_co2e_per_passenger_km, corrected.year) == (0.258, 2021)
    assert corrected.source_name.startswith("ADEME Base Carbone 2021")
    assert corrected.scope.startswith("CO2e, avec effets hors CO2")


def test_seeding_leaves_factors_the_code_does_not_publish():
    ensure_factors()
    extra = EmissionFactor.objects.create(
        method="ademe", mode="rail", country="CZ", kg_co2e_per_passenger_km=0.05,
        label="Czech rail", source_name="a later edition", year=2024,
    )  # fmt: skip
    assert ensure_factors().updated == 0
    assert EmissionFactor.objects.get(pk=extra.pk).kg_co2e_per_passenger_km == 0.05


def test_every_published_factor_has_a_unique_key_a_source_a_year_and_a_scope():
    keys = [factor.key for factor in PUBLISHED_FACTORS]
    assert len(keys) == len(set(keys))
    assert all(f.source and f.year and f.scope for f in PUBLISHED_FACTORS)
