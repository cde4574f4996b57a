"""Versioned on-disk artefacts of plain numpy arrays, switched atomically.

Layout under a root directory::

    root/CURRENT                      one line: the name of the current version
    root/versions/<version>/<name>.npy
    root/versions/<version>/manifest.json

A version directory is written in full under a temporary name, renamed into place, and only
then does ``CURRENT`` change, by ``os.replace`` of a freshly written file: a reader sees either
the old version or the new one, never a mix. Writers sharing the directory (several hosts on
one volume, an ETL run and a rebuild by hand) take an exclusive ``flock`` on ``root/.lock``
for the switch and the pruning only: ``CURRENT`` never goes back to an older version, and a
version is never deleted twice or while it is current. Arrays are plain ``.npy`` files (no pickles),
loaded with ``np.load(mmap_mode="r")`` so that every worker shares the page cache.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .errors import ParameterError

__all__ = [
    "FORMAT_VERSION",
    "Artifact",
    "ArtifactError",
    "ArtifactLoader",
    "current_version",
    "read_artifact",
    "write_artifact",
]

#: Version of the on-disk layout, recorded in every manifest.
FORMAT_VERSION = 1

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class ArtifactError(ParameterError):
    """An artefact is missing, incomplete or does not match its manifest."""


@dataclass(frozen=True, eq=False)
class Artifact:
    """A loaded version: its name, its manifest and its (memory-mapped) arrays."""

    version: str
    manifest: Mapping[str, object]
    arrays: Mapping[str, NDArray]
    path: Path = field(repr=False)

    def __getitem__(self, name: str) -> NDArray:
        try:
            return self.arrays[name]
        except KeyError:
            raise ArtifactError(f"artefact {self.version} has no array {name!r}") from None


def write_artifact(
    root: Path | str,
    arrays: Mapping[str, NDArray],
    *,
    run_id: str | int | None,
    metadata: Mapping[str, object] | None = None,
    keep: int = 3,
) -> str:
    """Write ``arrays`` as a new version under ``root``, switch ``CURRENT`` to it (unless a
    newer version was published meanwhile), return it.

    The manifest records the format version, the ETL ``run_id``, each array's dtype, shape
    and SHA-256, and ``metadata``. Only the ``keep`` most recent versions are kept.
    """
    root = Path(root)
    if keep < 1:
        raise ParameterError(f"keep={keep} must be >= 1")
    for name in arrays:
        if not _NAME.match(name):
            raise ParameterError(f"array name {name!r} must match {_NAME.pattern}")
    versions = root / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    version = f"{stamp:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    staging = versions / f".{version}.tmp"
    staging.mkdir()
    entries: dict[str, dict[str, object]] = {}
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        if array.dtype.hasobject:
            raise ParameterError(f"array {name!r} has dtype object: only plain arrays are stored")
        np.save(staging / f"{name}.npy", array, allow_pickle=False)
        entries[name] = {
            "dtype": array.dtype.str,
            "shape": list(array.shape),
            "sha256": _sha256(staging / f"{name}.npy"),
        }
    manifest = {
        "format_version": FORMAT_VERSION,
        "version": version,
        "run_id": run_id,
        "created_at": stamp.isoformat(),
        "arrays": entries,
        "metadata": dict(metadata or {}),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(staging, versions / version)
    with _exclusive_lock(root / ".lock"):
        current = current_version(root)
        # Names sort by creation time: a slower concurrent writer does not go back in time.
        if current is None or current < version or not (versions / current).is_dir():
            pointer = root / f".CURRENT.{uuid.uuid4().hex}.tmp"
            pointer.write_text(version + "\n")
            os.replace(pointer, root / "CURRENT")
            current = version
        _prune(versions, keep=keep, current=current)
    return version


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed) for the block."""
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def read_artifact(root: Path | str, *, verify: bool = False) -> Artifact:
    """Load the current version under ``root`` with memory-mapped arrays.

    With ``verify`` every file's SHA-256 is checked against the manifest.

    Raises
    ------
    ArtifactError
        If there is no current version, a file is missing, or a check fails.
    """
    root = Path(root)
    version = current_version(root)
    if version is None:
        raise ArtifactError(f"no routing artefact under {root} (CURRENT is missing)")
    path = root / "versions" / version
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise ArtifactError(f"artefact {version}: unreadable manifest ({error})") from error
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"artefact {version}: format_version {manifest.get('format_version')!r}, "
            f"expected {FORMAT_VERSION}"
        )
    arrays: dict[str, NDArray] = {}
    for name, entry in manifest["arrays"].items():
        file = path / f"{name}.npy"
        try:
            is_intact = not verify or _sha256(file) == entry["sha256"]
        except OSError as error:
            raise ArtifactError(f"artefact {version}: cannot read {name}.npy ({error})") from error
        if not is_intact:
            raise ArtifactError(f"artefact {version}: checksum mismatch for {name}.npy")
        try:
            array = np.load(file, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as error:
            raise ArtifactError(f"artefact {version}: cannot load {name}.npy ({error})") from error
        if list(array.shape) != entry["shape"] or array.dtype.str != entry["dtype"]:
            raise ArtifactError(f"artefact {version}: {name}.npy does not match the manifest")
        arrays[name] = array
    return Artifact(version=version, manifest=manifest, arrays=arrays, path=path)


def current_version(root: Path | str) -> str | None:
    """Name of the current version under ``root``, or None if there is none."""
    try:
        version = (Path(root) / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    return version or None


class ArtifactLoader:
    """Loads the current version on first use and again whenever ``CURRENT`` changes.

    ``get()`` costs one small file read when nothing changed, so workers pick up a new
    version on their next request without a restart. ``build`` turns an :class:`Artifact`
    into whatever the caller serves (a graph and a timetable), once per version.
    """

    def __init__(self, root: Path | str, build: Callable[[Artifact], object] | None = None) -> None:
        self.root = Path(root)
        self._build = build
        self._lock = threading.Lock()
        self._version: str | None = None
        self._value: object | None = None

    def get(self) -> object:
        """Return the built value of the current version, reloading it if it changed."""
        version = current_version(self.root)
        if version is None:
            raise ArtifactError(f"no routing artefact under {self.root} (CURRENT is missing)")
        if version != self._version:
            with self._lock:
                if version != self._version:
                    artifact = read_artifact(self.root)
                    self._value = artifact if self._build is None else self._build(artifact)
                    self._version = artifact.version
        return self._value

    @property
    def version(self) -> str | None:
        """The version currently loaded, if any."""
        return self._version


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _prune(versions: Path, *, keep: int, current: str) -> None:
    """Delete all but the ``keep`` newest versions (names sort by creation time)."""
    names = sorted(
        entry.name
        for entry in versions.iterdir()
        if entry.is_dir() and not entry.name.startswith(".")
    )
    for name in names[:-keep]:
        if name != current:
            # Readers that still map its files keep them until they let go (POSIX unlink).
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(versions / name)
