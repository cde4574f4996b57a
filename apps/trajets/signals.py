"""Signals sent by the ETL, for caches and artefacts built from the harmonised data."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per ETL run, after its loads are committed, when one of them changed data; kwargs
# ``source`` (DataSource) and ``run`` (ImportRun) of the last such load. Receivers rebuild what
# depends on the data (routing artefact, caches).
import_completed = Signal()

# Sent after every ETL run, once its lock is released, whether or not it changed data;
# kwarg ``changed`` (bool). Receivers rebuild what is missing or older than the data (a
# process killed between a commit and the rebuild left it so): a re-run repairs it.
etl_finished = Signal()

# Sent by the commands that write the warehouse (``etl``, ``seed_synthetic``) once their writes
# are committed: receivers bring what they derive up to the current data version and return a
# line for the command's report, or None when it was current already.
data_settled = Signal()


def settle_derived_data(sender: type) -> list[str]:
    """Send ``data_settled`` and return the receivers' report lines."""
    return [line for _receiver, line in data_settled.send(sender=sender) if line]
