"""Signals sent by the ETL, for caches and artefacts built from the harmonised data."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a source was loaded and committed: kwargs ``source`` (DataSource) and ``run``
# (ImportRun). Receivers rebuild what depends on the data (routing artefact, caches).
import_completed = Signal()
