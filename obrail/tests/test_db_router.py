"""With DATABASE_REPLICA_URL, reads go to a real streaming replica and writes to the primary.

The scenario runs in a Django process of its own, configured like an app container (primary
and replica URLs in the environment), against a primary and a hot standby that replays its
WAL (obrail/tests/postgres_replica.py). Pausing the replica's replay makes the two servers
differ, so each read shows which server answered it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from obrail.db_router import PrimaryReplicaRouter
from obrail.tests.postgres_replica import ReplicaPair, ReplicaSetupError, streaming_replica

BASE_DIR = Path(__file__).resolve().parents[2]

# Runs in the child process: migrate the primary, then write and read through the ORM.
SCENARIO = r"""
import json

import django

django.setup()
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections, transaction

from obrail.tests.postgres_replica import wait_until

call_command("migrate", "contenttypes", verbosity=0)
replica = connections["replica"]


def in_recovery(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("select pg_is_in_recovery()")
        return cursor.fetchone()[0]


def table_on_replica():
    with replica.cursor() as cursor:
        cursor.execute("select to_regclass('django_content_type') is not null")
        return cursor.fetchone()[0]


facts = {
    "replica_in_recovery": in_recovery("replica"),
    "primary_in_recovery": in_recovery("default"),
}
facts["migrations_replicated"] = wait_until(table_on_replica)
rows = ContentType.objects.filter(app_label="replica_test")
ContentType.objects.create(app_label="replica_test", model="first")
facts["first_write_replicated"] = wait_until(lambda: rows.count() == 1)
with replica.cursor() as cursor:
    cursor.execute("select pg_wal_replay_pause()")
ContentType.objects.create(app_label="replica_test", model="second")
facts["count_read_while_replay_paused"] = rows.count()
facts["count_on_primary"] = rows.using("default").count()
with transaction.atomic():
    facts["count_read_inside_transaction"] = rows.count()
with replica.cursor() as cursor:
    cursor.execute("select pg_wal_replay_resume()")
facts["second_write_replicated"] = wait_until(lambda: rows.count() == 2)
print(json.dumps(facts))
"""


@pytest.fixture(scope="module")
def replica_pair() -> Iterator[ReplicaPair]:
    try:
        with streaming_replica() as pair:
            yield pair
    except ReplicaSetupError as error:
        message = f"cannot set up a PostgreSQL streaming replica: {error}"
        if os.environ.get("OBRAIL_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _run_scenario(pair: ReplicaPair) -> dict[str, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "obrail.settings",
        "DEBUG": "true",
        "DATABASE_URL": pair.primary_url,
        "DATABASE_REPLICA_URL": pair.replica_url,
        "CACHE_URL": "locmem://",
    }
    env.pop("DATABASE_PASSWORD", None)
    result = subprocess.run(
        [sys.executable, "-c", SCENARIO],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_reads_go_to_the_replica_and_writes_to_the_primary(replica_pair):
    facts = _run_scenario(replica_pair)

    assert facts["replica_in_recovery"] is True
    assert facts["primary_in_recovery"] is False
    # Migrations ran on the primary and reached the read-only replica by streaming.
    assert facts["migrations_replicated"] is True
    # Both writes succeeded: they went to the primary (the hot standby refuses writes).
    assert facts["first_write_replicated"] is True
    assert facts["count_on_primary"] == 2
    # With replay paused the replica still has one row: the ORM's read was answered there.
    assert facts["count_read_while_replay_paused"] == 1
    # Inside a transaction, reads stay on the primary and see its latest state.
    assert facts["count_read_inside_transaction"] == 2
    assert facts["second_write_replicated"] is True


def test_router_migrates_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "trajets") is True
    assert router.allow_migrate("replica", "trajets") is False


def test_sessions_accounts_and_login_attempts_are_read_on_the_primary():
    # Review of #18: the request after a login must find its session whatever the lag.
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from apps.trajets.models import Trajet

    router = PrimaryReplicaRouter()
    for model in (Session, get_user_model(), AccessAttempt):
        assert router.db_for_read(model) == "default", model
    assert router.db_for_read(Trajet) == "replica"
