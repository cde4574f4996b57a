"""The artefact format: canonical JSON text with a SHA-256 checksum (no pickle).

Canonical means sorted keys, no whitespace, UTF-8, no NaN: the same content always gives the
same bytes, so two trainings on the same data and seed have the same checksum.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["ARTEFACT_FORMAT", "ArtefactError", "dump_artefact", "load_artefact", "sha256_of"]

#: Written in every artefact; a reader refuses a format it does not know.
ARTEFACT_FORMAT = "obrail-model/1"


class ArtefactError(ValueError):
    """A stored artefact that cannot be served: checksum mismatch, bad JSON, unknown format."""


def dump_artefact(content: dict[str, Any]) -> str:
    """The canonical JSON text of ``content`` (with the format written in)."""
    return json.dumps(
        {**content, "format": ARTEFACT_FORMAT},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def sha256_of(text: str) -> str:
    """The hex SHA-256 of the artefact's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_artefact(text: str, *, expected_sha256: str, where: str) -> dict[str, Any]:
    """Parse an artefact after checking its checksum; ``where`` names it in the errors."""
    actual = sha256_of(text)
    if actual != expected_sha256:
        raise ArtefactError(
            f"{where}: checksum mismatch (stored {expected_sha256[:12]}…, artefact "
            f"{actual[:12]}…): the artefact was altered or corrupted; refusing to load it"
        )
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArtefactError(f"{where}: not valid JSON ({error})") from error
    found = content.get("format") if isinstance(content, dict) else None
    if found != ARTEFACT_FORMAT:
        raise ArtefactError(
            f"{where}: unknown artefact format {found!r} (expected {ARTEFACT_FORMAT!r})"
        )
    return content
