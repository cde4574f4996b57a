"""Indexes for the API's filters and indicators at Europe scale (1M trajets, 20M stops).

PostgreSQL-only (INCLUDE, pattern operator classes, expressions), created with RunPython so the
model state and ``makemigrations --check`` are unaffected; on other databases this is a no-op.
"""

from django.db import migrations

WEEKDAYS = ", ".join(
    f"runs_{day}"
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)

INDEXES = {
    # /api/stats/volumes: index-only scan for every grouping of operator/country/kind.
    "trajet_volumes_cover": (
        "trajets_trajet",
        f"(operator_id, origin_country, kind) INCLUDE (distance_km, {WEEKDAYS})",
    ),
    # q= search: exact train number and case-insensitive category.
    "trajet_train_number": ("trajets_trajet", "(train_number)"),
    "trajet_upper_category": ("trajets_trajet", "(UPPER(category::text))"),
    # origin=/destination=/q= by name prefix: LIKE 'x%' needs pattern operator classes
    # under a non-C collation.
    "station_upper_name_prefix": ("trajets_station", "(UPPER(name::text) text_pattern_ops)"),
    "station_normalised_prefix": ("trajets_station", "(normalised_name varchar_pattern_ops)"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, definition) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("trajets", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
