"""Recompute the atlas only when what it is computed from has changed.

The city pairs follow from the imported data (timetables, stations, airports, air traffic:
every successful ``ImportRun``), from the routing artefact the rail times are searched in (its
version: a lost or rebuilt artefact changes it), from the atlas rules (this code:
``ATLAS_RULES_VERSION`` and the release, ``OBRAIL_VERSION``), from the CO2 factors (the trajets'
flight equivalents are priced with them) and from the day (a country's main timetable may have
run out since). A build records the fingerprint of those inputs;
``refresh_atlas`` skips the recomputation when the latest build has the same fingerprint, so
the start-up job and cron can call it as often as they like.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from apps.atlas.models import AtlasBuild
from apps.atlas.services import recompute_atlas
from apps.routing.services import artifact_root, artifact_version
from apps.trajets.models import ImportRun
from apps.trajets.services import ensure_factors, factors_fingerprint

__all__ = ["ATLAS_RULES_VERSION", "AtlasRefresh", "atlas_inputs", "refresh_atlas"]

# Change this version when a rule of the atlas changes (city of an airport, rail times, flight
# times, the trajets' flight equivalent), so that the next refresh recomputes every pair.
ATLAS_RULES_VERSION = "2026-12-06.3"


def atlas_inputs() -> str:
    """Fingerprint of what the atlas is computed from (see the module's docstring)."""
    latest_run = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).aggregate(
        latest=Max("pk")
    )["latest"]
    parts = (
        ATLAS_RULES_VERSION,
        settings.OBRAIL_VERSION,
        str(latest_run or 0),
        artifact_version(artifact_root()) or "no routing artefact",
        factors_fingerprint(),
        timezone.localdate().isoformat(),
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AtlasRefresh:
    """The build that is current, and whether this refresh computed it."""

    build: AtlasBuild
    recomputed: bool


def refresh_atlas(*, trigger: str, force: bool = False) -> AtlasRefresh:
    """Recompute every city pair unless the latest build was computed from the same inputs
    (``force`` recomputes anyway). The published CO2 factors are put in place either way."""
    ensure_factors()
    inputs = atlas_inputs()
    latest = AtlasBuild.objects.order_by("-started_at", "-pk").first()
    if latest is not None and latest.inputs == inputs and not force:
        return AtlasRefresh(latest, recomputed=False)
    build = recompute_atlas(trigger=trigger)
    build.inputs = inputs
    build.save(update_fields=["inputs"])
    return AtlasRefresh(build, recomputed=True)
