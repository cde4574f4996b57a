"""The running version: ``OBRAIL_VERSION``, else the git commit, else the package version."""

from __future__ import annotations

import subprocess
from functools import cache
from importlib import metadata

from django.conf import settings


@cache
def get_version() -> str:
    """Return the version string shown by ``/health`` and the metrics."""
    if settings.OBRAIL_VERSION:
        return settings.OBRAIL_VERSION
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=2,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    if commit:
        return f"git:{commit}"
    try:
        return metadata.version("obrail")
    except metadata.PackageNotFoundError:
        return "0.1.0"
