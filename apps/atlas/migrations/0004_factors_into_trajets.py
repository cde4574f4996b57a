"""Move the atlas's CO2 factors into the one factor table, ``trajets.EmissionFactor``.

Every ``Co2Factor`` row is carried over with its method, route, country, band, value, scope,
label, source, link and year. A row that the trajets table already holds under the same key
(method, mode, route, country, lower bound: ADEME's factors, seeded by both apps) is merged
into it: the trajets row keeps its id (trajets point at it) and takes the atlas row's values,
which carry the scope; a value that differed is logged. Reversing copies every factor back.
"""

from __future__ import annotations

import logging

from django.db import migrations

logger = logging.getLogger(__name__)


def _key(method, mode, route, country, min_km):
    return (method, mode, route, country, float(min_km))


def carry_factors(apps, schema_editor):
    co2_factor = apps.get_model("atlas", "Co2Factor")
    emission_factor = apps.get_model("trajets", "EmissionFactor")
    stored = {
        _key(r.method, r.mode, r.route, r.country, r.min_distance_km): r
        for r in emission_factor.objects.all()
    }
    for factor in co2_factor.objects.all():
        key = _key(factor.method, factor.mode, factor.route, factor.country, factor.min_km)
        row = stored.get(key) or emission_factor(
            method=factor.method,
            mode=factor.mode,
            route=factor.route,
            country=factor.country,
            min_distance_km=factor.min_km,
        )
        if row.pk is not None and row.kg_co2e_per_passenger_km != factor.kg_per_pkm:
            logger.warning(
                "factor %s: the trajets table had %s, the atlas's %s is kept",
                key,
                row.kg_co2e_per_passenger_km,
                factor.kg_per_pkm,
            )
        row.max_distance_km = factor.max_km
        row.kg_co2e_per_passenger_km = factor.kg_per_pkm
        row.scope = factor.scope
        row.label = factor.label or row.label or f"{factor.mode} {factor.country or 'EU'}"
        row.source_name = factor.source
        row.source_url = factor.source_url
        row.year = factor.year
        row.save()


def carry_factors_back(apps, schema_editor):
    co2_factor = apps.get_model("atlas", "Co2Factor")
    emission_factor = apps.get_model("trajets", "EmissionFactor")
    for row in emission_factor.objects.all():
        co2_factor.objects.update_or_create(
            method=row.method,
            mode=row.mode,
            route=row.route,
            country=row.country,
            min_km=row.min_distance_km,
            defaults={
                "max_km": row.max_distance_km,
                "kg_per_pkm": row.kg_co2e_per_passenger_km,
                "scope": row.scope,
                "label": row.label,
                "source": row.source_name,
                "source_url": row.source_url,
                "year": row.year or 0,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("atlas", "0003_build_inputs"),
        ("trajets", "0021_emission_factor_methods_flight_equivalent"),
    ]

    operations = [
        migrations.RunPython(carry_factors, carry_factors_back),
        migrations.DeleteModel(name="Co2Factor"),
    ]
