"""The versioned sources file: which sources the ETL loads, from where, with which options."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SourceConfigError
from .extractors import EXTRACTORS

__all__ = ["DEFAULT_SOURCES_FILE", "SourceSpec", "load_sources"]

DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.toml")
_RESERVED = {"name", "format", "path", "url", "licence", "attribution", "enabled"}


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One declared source."""

    name: str
    format: str
    path: str = ""
    url: str = ""
    licence: str = ""
    attribution: str = ""
    enabled: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        """Where the source is read from (path or URL)."""
        return self.path or self.url


def validate_spec(spec: SourceSpec) -> SourceSpec:
    """Return ``spec`` when its name, format and location are usable; raise otherwise."""
    if not spec.name or not spec.name.replace("-", "").replace("_", "").isalnum():
        raise SourceConfigError(f"source name {spec.name!r} must be letters, digits, - or _")
    if spec.format not in EXTRACTORS:
        raise SourceConfigError(
            f"source {spec.name!r}: unknown format {spec.format!r} "
            f"(known: {', '.join(sorted(EXTRACTORS))})"
        )
    if not spec.path and not spec.url:
        raise SourceConfigError(f"source {spec.name!r}: needs a path or a url")
    return spec


def load_sources(path: Path = DEFAULT_SOURCES_FILE) -> list[SourceSpec]:
    """Parse and validate the sources file; names must be unique."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read sources file: {exc}") from exc
    specs: list[SourceSpec] = []
    for position, entry in enumerate(data.get("source", []), start=1):
        if not isinstance(entry, dict):
            raise SourceConfigError(f"{path}: [[source]] #{position} is not a table")
        spec = validate_spec(
            SourceSpec(
                name=str(entry.get("name", "")),
                format=str(entry.get("format", "")),
                path=str(entry.get("path", "")),
                url=str(entry.get("url", "")),
                licence=str(entry.get("licence", "")),
                attribution=str(entry.get("attribution", "")),
                enabled=bool(entry.get("enabled", True)),
                options={k: v for k, v in entry.items() if k not in _RESERVED},
            )
        )
        if any(s.name == spec.name for s in specs):
            raise SourceConfigError(f"{path}: source name {spec.name!r} is declared twice")
        specs.append(spec)
    return specs
