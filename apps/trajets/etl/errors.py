"""Errors raised by the ETL; every message names what was wrong and where."""

from __future__ import annotations


class EtlError(Exception):
    """Base class of every ETL error."""


class ExtractError(EtlError, ValueError):
    """A whole input cannot be read (empty, truncated, missing columns, not the declared format)."""


class SourceConfigError(EtlError, ValueError):
    """The sources file or a command-line override is invalid."""


class DownloadError(EtlError):
    """A remote source could not be fetched after every retry."""


class LockedError(EtlError):
    """Another ETL run holds the lock."""


class InjectedFailureError(EtlError):
    """Raised on purpose by tests to prove a failed load leaves previous data intact."""
