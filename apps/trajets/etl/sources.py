"""The versioned sources file: which sources the ETL loads, from where, with which options."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apps.trajets.models import SourceScope

from .errors import SourceConfigError
from .formats import FORMATS, LOADER_OPTIONS

__all__ = [
    "CUSTOM_DATASET",
    "DATASETS",
    "DEFAULT_SOURCES_FILE",
    "OBSERVATION_FORMATS",
    "SourceSpec",
    "load_sources",
]

DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.toml")
# The named source sets: "samples" reads each source's bundled ``path`` (or ``url``), "full"
# its complete dataset (``full_path`` under ETL_FULL_DATA_DIR, or ``full_url``); "custom" is
# a source given by hand (--path, --url, --format), never declared.
DATASETS = ("samples", "full")
# Formats loaded as dated observations only (no trajet): a folder of dated snapshots of
# Back-on-Track's night-train list (apps.trajets.observations).
OBSERVATION_FORMATS = tuple(name for name, entry in FORMATS.items() if entry.is_observation)
CUSTOM_DATASET = "custom"
_RESERVED = {
    "name", "title", "format", "path", "url", "full_path", "full_url", "licence",
    "attribution", "enabled", "scope",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One declared source."""

    name: str
    format: str
    path: str = ""
    title: str = ""
    url: str = ""
    licence: str = ""
    attribution: str = ""
    enabled: bool = True
    #: Which trains of its countries it describes (a ``SourceScope`` value, "" undeclared).
    scope: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    dataset: str = "samples"

    @property
    def display_title(self) -> str:
        """The title pages show: the declared one, else one made from the name."""
        return self.title or self.name.replace("-", " ").title()

    @property
    def location(self) -> str:
        """Where the source is read from (path or URL)."""
        return self.path or self.url


def validate_spec(spec: SourceSpec) -> SourceSpec:
    """Return ``spec`` when its name, format, options, location and scope are usable; raise
    otherwise."""
    if not spec.name or not spec.name.replace("-", "").replace("_", "").isalnum():
        raise SourceConfigError(f"source name {spec.name!r} must be letters, digits, - or _")
    entry = FORMATS.get(spec.format)
    if entry is None:
        raise SourceConfigError(
            f"source {spec.name!r}: unknown format {spec.format!r} "
            f"(known: {', '.join(sorted(FORMATS))})"
        )
    unknown = entry.unknown_options(spec.options)
    if unknown:
        known = sorted(entry.options | LOADER_OPTIONS)
        raise SourceConfigError(
            f"source {spec.name!r}: format {spec.format!r} has no option "
            f"{', '.join(unknown)} (its options: {', '.join(known)})"
        )
    if not spec.path and not spec.url:
        raise SourceConfigError(f"source {spec.name!r}: needs a path or a url")
    if spec.scope not in SourceScope.values or spec.scope == SourceScope.CROSS_BORDER:
        raise SourceConfigError(
            f"source {spec.name!r}: unknown scope {spec.scope!r} "
            f"(known: {', '.join(v for v in SourceScope.values if v and v != 'cross_border')})"
        )
    return spec


def load_sources(
    path: Path = DEFAULT_SOURCES_FILE,
    *,
    dataset: str = "samples",
    full_data_dir: Path | None = None,
) -> list[SourceSpec]:
    """Parse and validate the sources file; names must be unique.

    Returns the sources of ``dataset``: for "samples" those with a ``path`` or ``url``, for
    "full" those with a ``full_path`` (relative to ``full_data_dir``) or ``full_url``.
    """
    if dataset not in DATASETS:
        raise SourceConfigError(
            f"unknown source set {dataset!r}; the sets are: {', '.join(DATASETS)}"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read sources file: {exc}") from exc
    specs: list[SourceSpec] = []
    names: set[str] = set()
    for position, entry in enumerate(data.get("source", []), start=1):
        if not isinstance(entry, dict):
            raise SourceConfigError(f"{path}: [[source]] #{position} is not a table")
        name = str(entry.get("name", ""))
        if name in names:
            raise SourceConfigError(f"{path}: source name {name!r} is declared twice")
        names.add(name)
        if dataset == "full":
            full_path = str(entry.get("full_path", ""))
            location = {
                "path": str((full_data_dir or Path()) / full_path) if full_path else "",
                "url": str(entry.get("full_url", "")),
            }
        else:
            location = {"path": str(entry.get("path", "")), "url": str(entry.get("url", ""))}
        if not (location["path"] or location["url"]):
            if not any(entry.get(key) for key in ("path", "url", "full_path", "full_url")):
                raise SourceConfigError(f"source {name!r}: needs a path or a url")
            continue  # not part of this set
        specs.append(
            validate_spec(
                SourceSpec(
                    name=name,
                    title=str(entry.get("title", "")),
                    format=str(entry.get("format", "")),
                    licence=str(entry.get("licence", "")),
                    attribution=str(entry.get("attribution", "")),
                    enabled=bool(entry.get("enabled", True)),
                    scope=str(entry.get("scope", "")),
                    options={k: v for k, v in entry.items() if k not in _RESERVED},
                    dataset=dataset,
                    **location,
                )
            )
        )
    return specs
