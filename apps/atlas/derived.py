"""The atlas as derived data (registered in :mod:`obrail.derived`), and the edits of its
inputs: airports, air traffic and CO2 factors."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.atlas.models import Airport, AirTraffic
from apps.atlas.refresh import refresh_atlas
from apps.atlas.services import bump_atlas_version
from apps.routing.derived import ARTEFACT as ROUTING_ARTEFACT
from apps.trajets.models import EmissionFactor
from apps.trajets.services import watch_edits
from obrail import derived

__all__ = ["ARTEFACT", "rebuild_atlas", "register_derived"]

ARTEFACT = "atlas"


def rebuild_atlas(change: derived.Change) -> derived.Result:
    """Recompute every city pair unless the latest build has the same inputs' fingerprint
    (imports, routing artefact, rules, day): re-running on unchanged data adds no build."""
    refresh = refresh_atlas(trigger=change.reason, force=change.force)
    build = refresh.build
    if not refresh.recomputed:
        return derived.Result(f"{build.pairs} city pairs, same inputs", is_rebuilt=False)
    return derived.Result(f"{build.pairs} city pairs in {build.duration_s:.1f} s")


@receiver(post_save, sender=EmissionFactor, dispatch_uid="atlas-factor-saved")
@receiver(post_delete, sender=EmissionFactor, dispatch_uid="atlas-factor-deleted")
def forget_cached_figures(sender: object, **kwargs: object) -> None:
    """A corrected factor changes every CO2 figure shown: cached tables are outdated now
    (the stored pairs and the trajets' flight equivalents follow at the next rebuild, the edit
    being recorded; the factors are in the atlas fingerprint)."""
    bump_atlas_version()


def register_derived() -> None:
    """Register the atlas (built from the routing artefact's timetables) and watch the edits
    of its inputs."""
    derived.register(
        ARTEFACT,
        rebuild_atlas,
        after=(ROUTING_ARTEFACT,),
        is_heavy=True,
        description="rail-or-plane city pairs (skipped when its inputs' fingerprint is unchanged)",
    )
    watch_edits((Airport, AirTraffic, EmissionFactor))
