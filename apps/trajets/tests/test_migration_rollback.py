"""A migration rolls back and forward again without losing the rows it does not own (the
runbook's "rollback of a migration", docs/operations.md; cited by the report)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from apps.trajets.models import DataSource

#: The latest trajets migrations: the source scopes (0018) and the NeTEx format (0019).
BEFORE = "0017_source_observations"


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.mark.django_db(transaction=True)
def test_the_latest_trajets_migrations_roll_back_and_forward_keeping_the_rows():
    DataSource.objects.create(name="kept", title="Kept", format="gtfs", scope="regional")
    call_command("migrate", "trajets", BEFORE, verbosity=0)
    assert "scope" not in _columns("trajets_datasource")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM trajets_datasource WHERE name = 'kept'")
        assert cursor.fetchone() == ("kept",)  # the row outlives the rollback
    call_command("migrate", verbosity=0)
    assert "scope" in _columns("trajets_datasource")
    kept = DataSource.objects.get(name="kept")
    assert kept.scope == ""  # the rolled-back column comes back with its default
