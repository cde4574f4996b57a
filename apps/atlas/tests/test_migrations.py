"""The atlas's CO2 factors move into ``trajets.EmissionFactor`` with nothing lost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("atlas", "0003_build_inputs"), ("trajets", "0020_typical_week_flags")]
AFTER = [("atlas", "0004_factors_into_trajets")]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_factor_rows_are_carried_over_with_their_sources_and_years_and_back():
    old = _migrate(BEFORE)
    emission = old.get_model("trajets", "EmissionFactor")
    co2_factor = old.get_model("atlas", "Co2Factor")
    # The ETL's row and the atlas's row of one ADEME factor, and a DESNZ factor of the atlas.
    etl_row = emission.objects.create(
        mode="air", country="", min_distance_km=0, max_distance_km=1000,
        kg_co2e_per_passenger_km=0.258, label="Flight short",
        source_name="ADEME 2021 via Open Emission Factors DB", year=2021,
    )  # fmt: skip
    co2_factor.objects.create(
        method="ademe", mode="air", route="any", country="", min_km=0, max_km=1000,
        kg_per_pkm=0.258, scope="CO2e, avec effets hors CO2", label="Short-haul flight",
        source="ADEME Base Carbone 2021", source_url="https://example.org/ademe", year=2021,
    )  # fmt: skip
    co2_factor.objects.create(
        method="desnz", mode="air", route="international", country="", min_km=3700,
        kg_per_pkm=0.19212, scope="CO2e, avec effets hors CO2", label="Long-haul",
        source="DESNZ 2021", source_url="https://example.org/desnz", year=2021,
    )  # fmt: skip

    new = _migrate(AFTER)
    factor = new.get_model("trajets", "EmissionFactor")
    merged = factor.objects.get(method="ademe", mode="air", min_distance_km=0)
    assert merged.pk == etl_row.pk  # the trajets keep pointing at it
    assert (merged.scope, merged.source_name, merged.source_url, merged.year) == (
        "CO2e, avec effets hors CO2", "ADEME Base Carbone 2021", "https://example.org/ademe", 2021
    )  # fmt: skip
    assert (merged.kg_co2e_per_passenger_km, merged.max_distance_km) == (0.258, 1000)
    desnz = factor.objects.get(method="desnz")
    assert (
        desnz.mode, desnz.route, desnz.min_distance_km, desnz.max_distance_km,
        desnz.kg_co2e_per_passenger_km, desnz.scope, desnz.label, desnz.source_name,
        desnz.source_url, desnz.year,
    ) == (
        "air", "international", 3700, None, 0.19212, "CO2e, avec effets hors CO2", "Long-haul",
        "DESNZ 2021", "https://example.org/desnz", 2021,
    )  # fmt: skip
    assert factor.objects.count() == 2

    back = _migrate(BEFORE)
    restored = back.get_model("atlas", "Co2Factor")
    assert set(restored.objects.values_list("method", "kg_per_pkm", "source", "year")) == {
        ("ademe", 0.258, "ADEME Base Carbone 2021", 2021),
        ("desnz", 0.19212, "DESNZ 2021", 2021),
    }
    assert back.get_model("trajets", "EmissionFactor").objects.count() == 1
    _migrate(_leaf_nodes())


def _leaf_nodes() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
