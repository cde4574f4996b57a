"""The volume summary counts real departures in each source's typical week, per source.

Its rows are derived data: they are dropped and rebuilt by the next import (until then the
indicators are computed from the trajets).
"""

import django.db.models.deletion
from django.db import migrations, models


def forget_summary(apps, schema_editor):
    apps.get_model("stats", "VolumeSummary").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0002_kind_overnight"),
        ("trajets", "0013_service_truth"),
    ]

    operations = [
        migrations.RunPython(forget_summary, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(model_name="volumesummary", name="volumesummary_unique_cell"),
        migrations.RemoveField(model_name="volumesummary", name="weekly_departures"),
        migrations.AddField(
            model_name="volumesummary",
            name="departures",
            field=models.PositiveBigIntegerField(verbose_name="départs dans la semaine"),
        ),
        migrations.AlterField(
            model_name="volumesummary",
            name="km_served",
            field=models.FloatField(verbose_name="train-km dans la semaine"),
        ),
        migrations.AlterField(
            model_name="volumesummary",
            name="services",
            field=models.PositiveIntegerField(verbose_name="trains circulant dans la semaine"),
        ),
        migrations.AddField(
            model_name="volumesummary",
            name="source",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="trajets.datasource",
            ),
        ),
        migrations.AddField(
            model_name="volumesummary",
            name="source_name",
            field=models.CharField(max_length=80, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="volumesummary",
            name="week_start",
            field=models.DateField(verbose_name="semaine type (lundi)"),
        ),
        migrations.AddConstraint(
            model_name="volumesummary",
            constraint=models.UniqueConstraint(
                fields=(
                    "data_version",
                    "served_country",
                    "source",
                    "operator",
                    "origin_country",
                    "kind",
                ),
                name="volumesummary_unique_cell",
            ),
        ),
    ]
