"""Station code normalisation (UIC)."""

from __future__ import annotations

import re

__all__ = ["normalise_uic"]

_DIGITS = re.compile(r"\d+")


def normalise_uic(value: str | None) -> str | None:
    """Return the 7-digit UIC station code (country + station), None when absent or invalid.

    Accepts 7 digits, 8 digits whose last is the SNCF key (``uic8_sncf``), and ids that
    embed one (``StopArea:OCE87184002``). Pseudo codes starting with ``99`` are not UIC codes.
    """
    if not value:
        return None
    found = _DIGITS.findall(str(value))
    if not found:
        return None
    digits = found[-1]
    if len(digits) == 8:
        digits = digits[:7]
    if len(digits) != 7 or digits.startswith("99") or digits.startswith("00"):
        return None
    return digits
