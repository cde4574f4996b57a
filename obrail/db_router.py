"""Database router for a streaming read replica (``DATABASE_REPLICA_URL``).

Installed by the settings only when a replica is configured. Reads go to the ``replica``
alias, writes to ``default`` (the primary). A read made while a transaction is open on the
primary stays there: it must see the transaction's own writes, which a replica cannot have.
Sessions, accounts and login attempts are read on the primary too: the request after a login
must find its session, and a lockout its latest failures, whatever the replica's lag (largest
during the nightly ETL's bulk writes). Migrations run on the primary only; the replica receives
them through streaming replication.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

#: The alias of the replica in ``DATABASES``.
REPLICA_DB_ALIAS = "replica"
#: Apps whose rows are read right after they are written, by the next request.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "admin"})


class PrimaryReplicaRouter:
    """Send reads to the replica and writes (and reads inside a transaction) to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        """The replica, unless the primary has a transaction open in this thread or the model
        is one of ``PRIMARY_ONLY_APPS``."""
        if (
            model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        """Always the primary: the replica is read-only."""
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        """Both aliases hold the same data, so objects from either may be related."""
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        """Migrate the primary only."""
        return db == DEFAULT_DB_ALIAS
