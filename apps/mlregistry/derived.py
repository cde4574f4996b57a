"""Model staleness as derived data (registered in :mod:`obrail.derived`): after every change,
each production model's training data is compared with the current data, and a model whose
data is older is reported (the registry's pages compute the same freshness live)."""

from __future__ import annotations

import logging

from apps.atlas.derived import ARTEFACT as ATLAS
from apps.mlregistry.services import model_freshness
from obrail import derived

__all__ = ["ARTEFACT", "check_model_staleness", "register_derived"]

logger = logging.getLogger(__name__)

ARTEFACT = "model-staleness"


def check_model_staleness(change: derived.Change) -> derived.Result:
    """Log a warning for each production model trained on data older than the current data
    (what changed: the training file or a source's latest import)."""
    rows = model_freshness()
    stale = [row for row in rows if row.is_stale]
    for row in stale:
        logger.warning(
            "model %s v%s is stale: %s changed since it was trained",
            row.name, row.number, ", ".join(row.reasons),
            extra={"model": row.name, "version": row.number},
        )  # fmt: skip
    if not stale:
        return derived.Result(f"{len(rows)} production model(s), none stale")
    names = ", ".join(f"{row.name} v{row.number}" for row in stale)
    return derived.Result(f"stale: {names} (retrain with manage.py train_model)")


def register_derived() -> None:
    """Register model staleness (its application reads the atlas's pairs)."""
    derived.register(
        ARTEFACT,
        check_model_staleness,
        after=(ATLAS,),
        description="production models trained on data older than the current data",
    )
