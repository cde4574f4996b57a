"""Serving: each process loads a production artefact once and swaps it atomically.

A process reads the production version's id and checksum (one indexed query) at most once
every :data:`POINTER_TTL_S` seconds, and at once after a promotion or rollback made in the
process itself; when it differs from the one loaded, the new artefact is loaded, its checksum
checked, and the predictor swapped in one assignment under a lock. An artefact refused at
load leaves the previously loaded version serving (logged and counted); a process with
nothing loaded answers that the model is unavailable.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from apps.mlregistry.artefacts import ArtefactError, load_artefact
from apps.mlregistry.families import FAMILIES
from apps.mlregistry.metrics import observe_load_failure
from apps.mlregistry.models import ModelVersion, RegisteredModel

logger = logging.getLogger(__name__)

__all__ = [
    "POINTER_TTL_S",
    "LoadedModel",
    "ModelUnavailable",
    "load_version",
    "recheck",
    "serving_model",
    "unload_all",
]


class ModelUnavailable(LookupError):  # noqa: N818 - a state, like obrail.errors.InvalidInput
    """No version of the model can be served (none in production, or none loadable)."""


@dataclass(frozen=True)
class LoadedModel:
    """A version loaded in this process."""

    name: str
    version_id: int
    number: int
    sha256: str
    predictor: Any
    #: The production version could not be loaded: this (earlier) one keeps serving.
    is_fallback: bool = False


_LOADED: dict[str, LoadedModel] = {}
#: (version id, checksum) pairs refused in this process: not read again on every request.
_REFUSED: set[tuple[int, str]] = set()
#: When each model's production pointer was last read (``time.monotonic()``).
_CHECKED: dict[str, float] = {}
_LOCK = threading.Lock()
#: Seconds a process serves its loaded version before reading the production pointer again:
#: a promotion made in another process is served everywhere within this delay.
POINTER_TTL_S = 1.0


def load_version(version: ModelVersion) -> LoadedModel:
    """Check and load one version's artefact (ArtefactError if it cannot be served)."""
    where = f"{version.model.name} v{version.number}"
    content = load_artefact(version.artefact, expected_sha256=version.sha256, where=where)
    family = FAMILIES.get(content.get("family", ""))
    if family is None or family.name != version.model.family:
        raise ArtefactError(f"{where}: family {content.get('family')!r} is not served here")
    try:
        predictor = family.load(content)
    except (KeyError, TypeError, ValueError) as error:
        raise ArtefactError(f"{where}: malformed artefact ({error})") from error
    return LoadedModel(version.model.name, version.pk, version.number, version.sha256, predictor)


def serving_model(name: str) -> LoadedModel:
    """The loaded production version of ``name`` (loading or swapping it when it changed)."""
    current = _LOADED.get(name)
    now = time.monotonic()
    if current is not None and now - _CHECKED.get(name, -POINTER_TTL_S) < POINTER_TTL_S:
        return current
    row = (
        ModelVersion.objects.filter(model__name=name, status=ModelVersion.Status.PRODUCTION)
        .values_list("pk", "sha256")
        .first()
    )
    if row is None:
        if not RegisteredModel.objects.filter(name=name).exists():
            raise LookupError(name)
        raise ModelUnavailable(gettext("%(name)s : aucune version en production.") % {"name": name})
    if current is not None and ((current.version_id, current.sha256) == row or row in _REFUSED):
        _CHECKED[name] = now
        return current
    with _LOCK:
        current = _LOADED.get(name)
        if current is not None and (current.version_id, current.sha256) == row:
            return current
        version = ModelVersion.objects.select_related("model").get(pk=row[0])
        try:
            loaded = load_version(version)
        except ArtefactError as error:
            observe_load_failure(model=name)
            _REFUSED.add(row)
            logger.error("model artefact refused at load: %s", error)
            if current is None:
                raise ModelUnavailable(
                    gettext(
                        "%(name)s : l'artefact de la version en production est refusé (%(error)s)."
                    )
                    % {"name": name, "error": error}
                ) from error
            if not current.is_fallback:
                current = LoadedModel(**{**current.__dict__, "is_fallback": True})
                _LOADED[name] = current
            _CHECKED[name] = now
            return current
        _LOADED[name] = loaded
        _CHECKED[name] = now
        logger.info("model %s v%s loaded (sha256 %s)", name, loaded.number, loaded.sha256[:12])
        return loaded


def recheck(name: str) -> None:
    """Read the production pointer of ``name`` on the next request (after a change here)."""
    _CHECKED.pop(name, None)


def unload_all() -> None:
    """Forget every loaded model (tests; a process otherwise keeps its models)."""
    with _LOCK:
        _LOADED.clear()
        _REFUSED.clear()
        _CHECKED.clear()
