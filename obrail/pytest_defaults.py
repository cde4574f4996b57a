"""Pytest plugin (loaded with ``-p``) setting test defaults before Django reads its settings."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "pytest-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
