"""Index for the default list order (departure_time, id), found by bench_api on 1M trajets.

With departure_time alone PostgreSQL reads and sorts every trajet sharing the first departure
minutes to break ties on id; with both columns the first page is the first 50 index entries.
PostgreSQL only, like 0002.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS trajet_departure_id ON trajets_trajet (departure_time, id)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS trajet_departure_id")


class Migration(migrations.Migration):
    dependencies = [("trajets", "0002_api_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
