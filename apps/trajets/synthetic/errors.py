"""Errors of the synthetic dataset generator."""

from __future__ import annotations


class SyntheticDataError(ValueError):
    """A bad option or input for the generator, with the option named in the message."""
