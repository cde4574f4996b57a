"""Use cases of the registry: train, evaluate, promote, roll back, retire, describe."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from apps.mlregistry import modal_share
from apps.mlregistry.artefacts import ArtefactError, dump_artefact, sha256_of
from apps.mlregistry.families import FAMILIES, KNOWN_MODELS, MODAL_SHARE_DATA, read_observations
from apps.mlregistry.models import ModelVersion, RegisteredModel, RegistryEvent
from apps.mlregistry.serving import load_version, recheck
from apps.trajets.models import ImportRun
from obrail.errors import InvalidInput, UnprocessableInput

logger = logging.getLogger(__name__)

DEFAULT_SEED = 16


def latest_imports() -> list[dict[str, Any]]:
    """The latest successful import of each source: the data a model's application reads."""
    latest = {}
    runs = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).select_related("source")
    for run in runs.order_by("source__name", "-finished_at", "-pk"):
        latest.setdefault(run.source.name, run)
    return [
        {
            "source": name,
            "import_run": run.pk,
            "input_checksum": run.input_checksum,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        }
        for name, run in sorted(latest.items())
    ]


def _model(name: str) -> RegisteredModel:
    try:
        return RegisteredModel.objects.get(name=name)
    except RegisteredModel.DoesNotExist:
        raise LookupError(f"unknown model {name!r}") from None


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            {"reason": [gettext("Indiquez le motif du changement (il est journalisé).")]}
        )
    return reason


def train_model(name: str, *, seed: int = DEFAULT_SEED, actor: str, reason: str) -> ModelVersion:
    """Train ``name`` into a new candidate version; the same data and seed give the same
    artefact, so an identical one already stored is returned instead of a duplicate."""
    if name not in KNOWN_MODELS:
        raise LookupError(f"unknown model {name!r}; known: {', '.join(sorted(KNOWN_MODELS))}")
    family = FAMILIES[KNOWN_MODELS[name]]
    result = family.train(seed=seed)
    text = dump_artefact(result.artefact)
    checksum = sha256_of(text)
    with transaction.atomic():
        model, _created = RegisteredModel.objects.get_or_create(
            name=name, defaults={"family": family.name, "title": family.default_title}
        )
        existing = model.versions.filter(sha256=checksum).first()
        if existing is not None:
            return existing
        number = (model.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ModelVersion.objects.create(
            model=model,
            number=number,
            artefact=text,
            sha256=checksum,
            seed=seed,
            parameters=result.parameters,
            metrics=result.metrics,
            card=result.card,
            data_version={"training_data": result.training_data, "imports": latest_imports()},
            trained_by=actor,
        )
        RegistryEvent.objects.create(
            model=model, version=version, action=RegistryEvent.Action.TRAIN, actor=actor,
            reason=_require_reason(reason),
        )  # fmt: skip
    logger.info("model %s v%s trained (sha256 %s)", name, number, checksum[:12])
    return version


def get_version(name: str, number: int | None = None) -> ModelVersion:
    """A version of ``name`` (default: the production one, else the latest)."""
    model = _model(name)
    versions = model.versions.select_related("model")
    if number is not None:
        version = versions.filter(number=number).first()
        if version is None:
            raise LookupError(f"{name} has no version {number}")
        return version
    version = versions.filter(status=ModelVersion.Status.PRODUCTION).first() or versions.first()
    if version is None:
        raise LookupError(f"{name} has no version yet: run train_model {name}")
    return version


@dataclass(frozen=True)
class Evaluation:
    """Leave-one-out error of a version, recomputed from its artefact's observations."""

    version: ModelVersion
    loo: modal_share.LeaveOneOut
    observations: list[dict[str, Any]]


def evaluate_version(name: str, number: int | None = None) -> Evaluation:
    """Recompute the leave-one-out error of a version from the observations it stored."""
    version = get_version(name, number)
    load_version(version)  # refuses a corrupted artefact (ArtefactError)
    observations = json.loads(version.artefact)["observations"]
    times = [o["rail_time_min"] for o in observations]
    shares = [o["rail_share_pct"] / 100.0 for o in observations]
    return Evaluation(version, modal_share.leave_one_out(times, shares), observations)


def _check_loadable(version: ModelVersion) -> None:
    try:
        load_version(version)
    except ArtefactError as error:
        raise UnprocessableInput({"version": [str(error)]}) from error


def promote(name: str, number: int, *, actor: str, reason: str) -> ModelVersion:
    """Put version ``number`` in production (the previous one is retired); audited."""
    reason = _require_reason(reason)
    with transaction.atomic():
        model = RegisteredModel.objects.select_for_update().get(pk=_model(name).pk)
        version = model.versions.filter(number=number).first()
        if version is None:
            raise UnprocessableInput(
                {
                    "version": [
                        gettext("%(name)s n'a pas de version %(number)s.")
                        % {"name": name, "number": number}
                    ]
                }
            )
        if version.status == ModelVersion.Status.PRODUCTION:
            raise UnprocessableInput(
                {
                    "version": [
                        gettext("La version %(number)s est déjà en production.")
                        % {"number": number}
                    ]
                }
            )
        _check_loadable(version)
        return _swap(model, version, actor=actor, reason=reason, action="promote")


def rollback(name: str, *, actor: str, reason: str) -> ModelVersion:
    """Put back in production the version that was before the current one; audited."""
    reason = _require_reason(reason)
    with transaction.atomic():
        model = RegisteredModel.objects.select_for_update().get(pk=_model(name).pk)
        current = model.versions.filter(status=ModelVersion.Status.PRODUCTION).first()
        if current is None:
            raise UnprocessableInput(
                {"detail": [gettext("%(name)s n'a aucune version en production.") % {"name": name}]}
            )
        event = (
            model.events.filter(
                version=current, action__in=["promote", "rollback"], previous__isnull=False
            )
            .select_related("previous")
            .first()
        )
        if event is None:
            raise UnprocessableInput(
                {
                    "detail": [
                        gettext("Aucune version n'était en production avant la version %(number)s.")
                        % {"number": current.number}
                    ]
                }
            )
        _check_loadable(event.previous)
        return _swap(model, event.previous, actor=actor, reason=reason, action="rollback")


def _swap(
    model: RegisteredModel, version: ModelVersion, *, actor: str, reason: str, action: str
) -> ModelVersion:
    previous = model.versions.filter(status=ModelVersion.Status.PRODUCTION).first()
    if previous is not None:
        previous.status = ModelVersion.Status.RETIRED
        previous.save(update_fields=["status"])
    version.status = ModelVersion.Status.PRODUCTION
    version.save(update_fields=["status"])
    RegistryEvent.objects.create(
        model=model, version=version, previous=previous, action=action, actor=actor, reason=reason
    )
    # This process reads the new pointer at its next request (now, and again once committed,
    # in case a request read the old one in between); others within POINTER_TTL_S.
    recheck(model.name)
    transaction.on_commit(lambda: recheck(model.name))
    logger.info(
        "model %s: v%s in production (%s, was v%s) by %s",
        model.name, version.number, action, previous.number if previous else None, actor,
    )  # fmt: skip
    return version


def retire(name: str, number: int, *, actor: str, reason: str) -> ModelVersion:
    """Retire a candidate (a production version is replaced by promote or rollback)."""
    reason = _require_reason(reason)
    with transaction.atomic():
        version = get_version(name, number)
        if version.status == ModelVersion.Status.PRODUCTION:
            raise UnprocessableInput(
                {
                    "version": [
                        gettext(
                            "Une version en production se remplace (promotion ou retour arrière)."
                        )
                    ]
                }
            )
        version.status = ModelVersion.Status.RETIRED
        version.save(update_fields=["status"])
        RegistryEvent.objects.create(
            model=version.model, version=version, action="retire", actor=actor, reason=reason
        )
    return version


@dataclass(frozen=True)
class Freshness:
    """Whether the production version's data is older than the current data."""

    name: str
    title: str
    number: int
    trained_at: Any
    reasons: tuple[str, ...]

    @property
    def is_stale(self) -> bool:
        return bool(self.reasons)


def model_freshness() -> list[Freshness]:
    """Each production model, with why its data is out of date (empty: up to date)."""
    current_imports = {row["source"]: row for row in latest_imports()}
    checksum = None
    rows = []
    for version in ModelVersion.objects.filter(status="production").select_related("model"):
        reasons = []
        trained = version.data_version.get("training_data", {})
        if trained.get("path", "").endswith(MODAL_SHARE_DATA.name):
            if checksum is None:
                checksum = read_observations()[1]
            if trained.get("sha256") != checksum:
                reasons.append("training_data")
        seen = {row["source"]: row for row in version.data_version.get("imports", [])}
        for source, row in current_imports.items():
            if source not in seen or seen[source]["import_run"] != row["import_run"]:
                reasons.append(source)
        rows.append(
            Freshness(
                version.model.name, version.model.title, version.number, version.trained_at,
                tuple(reasons),
            )
        )  # fmt: skip
    return rows
