"""Leaner indexes for the bulk loads, and a per-station minimum transfer time.

Foreign keys whose column already leads a composite or unique index, and the emission-factor
keys (never looked up from the factor side), lose their own index: the ETL measured 5-10 %
faster loads. The two departure-order indexes that 0003 and 0004 created in raw SQL become
model indexes under the same names, so SQLite gets them too.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

RAW_INDEXES = {
    "trajet_departure_id": "(departure_time, id)",
    "trajet_kind_departure_id": "(kind, departure_time, id)",
}


def drop_raw_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in RAW_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def restore_raw_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in RAW_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON trajets_trajet {columns}")


class Migration(migrations.Migration):
    dependencies = [
        ("trajets", "0004_api_kind_departure_index"),
    ]

    operations = [
        migrations.RunPython(drop_raw_indexes, restore_raw_indexes, elidable=False),
        migrations.RemoveIndex(
            model_name="stop",
            name="trajets_sto_station_f93174_idx",
        ),
        migrations.RemoveIndex(
            model_name="trajet",
            name="trajets_tra_kind_02fe67_idx",
        ),
        migrations.RemoveIndex(
            model_name="trajet",
            name="trajets_tra_departu_7df6c7_idx",
        ),
        migrations.RemoveIndex(
            model_name="trajet",
            name="trajets_tra_import__3b1848_idx",
        ),
        migrations.AddField(
            model_name="station",
            name="min_transfer_min",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Publié par la source (GTFS transfers.txt) ; vide : valeur par défaut.",
                null=True,
                validators=[django.core.validators.MaxValueValidator(180)],
                verbose_name="temps de correspondance minimal (min)",
            ),
        ),
        migrations.AlterField(
            model_name="calendarexception",
            name="trajet",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="calendar_exceptions",
                to="trajets.trajet",
            ),
        ),
        migrations.AlterField(
            model_name="stop",
            name="trajet",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="stops",
                to="trajets.trajet",
            ),
        ),
        migrations.AlterField(
            model_name="trajet",
            name="destination",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="trajets_to",
                to="trajets.station",
                verbose_name="destination",
            ),
        ),
        migrations.AlterField(
            model_name="trajet",
            name="flight_emission_factor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="trajets.emissionfactor",
                verbose_name="facteur avion utilisé",
            ),
        ),
        migrations.AlterField(
            model_name="trajet",
            name="operator",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="trajets",
                to="trajets.operator",
            ),
        ),
        migrations.AlterField(
            model_name="trajet",
            name="origin",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="trajets_from",
                to="trajets.station",
                verbose_name="origine",
            ),
        ),
        migrations.AlterField(
            model_name="trajet",
            name="rail_emission_factor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="trajets.emissionfactor",
                verbose_name="facteur train utilisé",
            ),
        ),
        migrations.AlterField(
            model_name="trajet",
            name="source",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="trajets",
                to="trajets.datasource",
            ),
        ),
        migrations.AlterField(
            model_name="trajetcountry",
            name="trajet",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="countries",
                to="trajets.trajet",
            ),
        ),
        migrations.AlterField(
            model_name="trajetprovenance",
            name="source",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="provenances",
                to="trajets.datasource",
            ),
        ),
        migrations.AddIndex(
            model_name="trajet",
            index=models.Index(
                fields=["kind", "departure_time", "id"], name="trajet_kind_departure_id"
            ),
        ),
        migrations.AddIndex(
            model_name="trajet",
            index=models.Index(fields=["departure_time", "id"], name="trajet_departure_id"),
        ),
    ]
