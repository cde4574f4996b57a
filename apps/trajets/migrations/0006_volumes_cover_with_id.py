"""The indicators' covering index also carries the trajet id.

``/api/stats/volumes`` filtered by a country served joins ``trajets_trajetcountry`` on the
trajet id: without the id in ``trajet_volumes_cover``, PostgreSQL reads the 283 MB table instead
of the index (measured on 1M services: 290-550 ms, 180-210 ms with the id). The index grows
from 47 to 57 MB; the ETL builds the same number of indexes.

Raw SQL on PostgreSQL only, like 0002 which created it: a model ``Index(include=...)`` is not
created on SQLite and raises the system-check warning models.W040 there.
"""

from django.db import migrations

WEEKDAYS = ", ".join(
    f"runs_{day}"
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)
KEY = "(operator_id, origin_country, kind)"


def rebuild(include: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS trajet_volumes_cover")
        schema_editor.execute(
            f"CREATE INDEX trajet_volumes_cover ON trajets_trajet {KEY} INCLUDE ({include})"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("trajets", "0005_lean_indexes_transfer_time")]

    operations = [
        migrations.RunPython(
            rebuild(f"distance_km, id, {WEEKDAYS}"),
            rebuild(f"distance_km, {WEEKDAYS}"),
            elidable=False,
        )
    ]
