"""Errors raised by the ETL; every message names what was wrong and where."""

from __future__ import annotations

from .records import RejectCode


class EtlError(Exception):
    """Base class of every ETL error."""


class ExtractError(EtlError, ValueError):
    """A whole input cannot be read (empty, truncated, missing columns, not the declared
    format), or one record of it (a bad time, a missing reference): ``code`` then says why,
    chosen where the problem is found, for the reject the record becomes."""

    def __init__(self, message: str, *, code: RejectCode = RejectCode.INVALID_RECORD) -> None:
        super().__init__(message)
        self.code = code


class SourceConfigError(EtlError, ValueError):
    """The sources file or a command-line override is invalid."""


class DownloadError(EtlError):
    """A remote source could not be fetched after every retry."""


class LockedError(EtlError):
    """Another ETL run holds the lock."""


class InjectedFailureError(EtlError):
    """Raised on purpose by tests to prove a failed load leaves previous data intact."""


def reject_code_of(exc: ValueError, default: RejectCode = RejectCode.INVALID_RECORD) -> RejectCode:
    """The reject code an :class:`ExtractError` carries from where it was raised; ``default``
    for a plain ValueError (a number that does not parse), chosen by the caller."""
    return exc.code if isinstance(exc, ExtractError) else default
