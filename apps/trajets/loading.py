"""The warehouse's public write side, for the loaders of other apps (the atlas's air traffic)
and their commands: the ETL's lock and input checksums, the skipped run of an unchanged
input, the ETL's error, and the derived-data rebuild after a run (re-exported from the modules
that define them), so that every load is locked, traced and followed by the same rebuild as
the ETL's.

It imports the ETL's loader: pages and APIs never import it (they use
:mod:`apps.trajets.services`), so a web worker does not load the ETL."""

from __future__ import annotations

from apps.trajets.etl.errors import EtlError
from apps.trajets.etl.loader import etl_lock, input_checksum, skip_unchanged
from apps.trajets.rebuild import rebuild_after_run

__all__ = ["EtlError", "etl_lock", "input_checksum", "rebuild_after_run", "skip_unchanged"]
