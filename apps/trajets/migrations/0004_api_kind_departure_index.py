"""Index for ``kind=`` lists in the default order, found by bench_api on 1M trajets.

Night trains leave in the evening: walking (departure_time, id) and skipping day trains reads
most of the table before the first night train. PostgreSQL only, like 0002.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS trajet_kind_departure_id "
            "ON trajets_trajet (kind, departure_time, id)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS trajet_kind_departure_id")


class Migration(migrations.Migration):
    dependencies = [("trajets", "0003_api_departure_index")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
