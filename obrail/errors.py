"""Domain errors shared by services, views and the API error handler."""

from __future__ import annotations

from typing import Any


class InvalidInput(ValueError):  # noqa: N818 - reads as a noun, like ValidationError
    """Input rejected by a service, with messages keyed by the offending parameter."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from the messages, not from the joined text (it crosses process boundaries).
        return (type(self), (self.errors,))


class ComputationFailed(InvalidInput):
    """Valid input on which the computation itself failed (e.g. the ODE integrator gave up):
    a 422 in the API, a message on the page."""
