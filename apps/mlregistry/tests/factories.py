"""Small builders for the registry's tests."""

from __future__ import annotations

from apps.mlregistry.models import ModelVersion
from apps.mlregistry.services import promote, train_model


def trained(seed: int = 16) -> ModelVersion:
    """A candidate version of the modal-share model trained with ``seed``."""
    return train_model("modal-share", seed=seed, actor="tests", reason="test")


def in_production(seed: int = 16) -> ModelVersion:
    """A version trained with ``seed`` and put in production."""
    version = trained(seed)
    return promote("modal-share", version.number, actor="tests", reason="test")


def corrupt(version: ModelVersion) -> None:
    """Alter one byte of the stored artefact (its checksum no longer matches)."""
    text = version.artefact.replace('"seed":', '"seed":1', 1)
    ModelVersion.objects.filter(pk=version.pk).update(artefact=text)
