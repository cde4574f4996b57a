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
