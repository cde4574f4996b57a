"""Signals sent by the ETL, for caches and artefacts built from the harmonised data."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once per ETL run, after its loads are committed, when one of them changed data; kwargs
# ``source`` (DataSource) and ``run`` (ImportRun) of the last such load. Receivers rebuild what
# depends on the data (routing artefact, caches).
import_completed = Signal()
