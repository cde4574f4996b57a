"""Domain errors shared by services, views and the API error handler.

The API answers 400 when a request breaks its documented schema (a type, a bound, a pattern,
a required field) and 422 when it follows the schema but cannot be processed: a rule across
parameters, a value the data does not know, a bound that depends on stored data, or a valid
computation its solver could not finish.
"""

from __future__ import annotations

from typing import Any


class InvalidInput(ValueError):  # noqa: N818 - reads as a noun, like ValidationError
    """Input rejected by a service, with messages keyed by the offending parameter: a 400."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from the messages, not from the joined text (it crosses process boundaries).
        return (type(self), (self.errors,))


class UnprocessableInput(InvalidInput):
    """Input the schema allows but a rule across parameters or the data refuses: a 422."""


class ComputationFailed(UnprocessableInput):
    """Valid input on which the computation itself failed (e.g. the ODE integrator gave up):
    a 422 in the API, a message on the page."""
