"""Exceptions raised by the chemostat solver package."""

from __future__ import annotations

__all__ = ["ChemostatError", "IntegrationError", "ParameterError"]


class ChemostatError(Exception):
    """Base class of every error raised by the package."""


class ParameterError(ChemostatError, ValueError):
    """A parameter is out of its domain; the message names it and its value."""

    def __init__(self, name: str, value: object, requirement: str) -> None:
        self.name = name
        self.value = value
        self.requirement = requirement
        super().__init__(f"{name}={value!r}: {requirement}")


class IntegrationError(ChemostatError, ArithmeticError):
    """The ODE integrator failed (its message is kept)."""
