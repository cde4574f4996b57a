"""Errors of the modal-share package."""

from __future__ import annotations

__all__ = ["FitError", "ParameterError"]


class ParameterError(ValueError):
    """An input outside its documented domain (the message names it and its value)."""


class FitError(ValueError):
    """The observations cannot determine the curve (fewer than 3, or one rail time only)."""
