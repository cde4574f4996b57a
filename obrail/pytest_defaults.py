"""Pytest plugin (loaded with ``-p``) setting test defaults before Django reads its settings."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "pytest-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
# Runtime files (ETL cache, routing artefacts) of a test session never land in the work tree.
os.environ.setdefault("OBRAIL_VAR_DIR", tempfile.mkdtemp(prefix="obrail-test-var-"))
os.environ.setdefault("CACHE_URL", "locmem://")
