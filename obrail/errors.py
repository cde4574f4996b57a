"""Domain errors shared by services, views and the API error handler."""

from __future__ import annotations


class InvalidInput(ValueError):  # noqa: N818 - reads as a noun, like ValidationError
    """Input rejected by a service, with messages keyed by the offending parameter."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()))
