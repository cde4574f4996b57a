"""Train labels as sources write them: ``EN 442 Slovakia``, ``NJ 40421``, ``IC Nuit 3755``,
``ICE 28`` (a line), ``00165``, ``R-E``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["TrainLabel", "line_category", "split_label"]

# The first run of digits (with "/"-separated alternatives) not glued to letters before it.
_NUMBER = re.compile(r"(?<!\w)\d+(?:\s*/\s*\d+)*")


# A category glued to its number at the start of a label (``R800``, ``EC282``).
_GLUED = re.compile(r"^([A-Z][A-Za-z]{0,3})(\d{2,})\b")


class TrainLabel(NamedTuple):
    """A label split into its category (letters before the number), number and name."""

    category: str
    number: str
    name: str


def split_label(text: str) -> TrainLabel:
    """Split a train label: ``EN 442 Slovakia`` → (``EN``, ``442``, ``Slovakia``),
    ``IC Nuit 3755`` → (``IC Nuit``, ``3755``, ""), ``R-E`` → (``R-E``, "", ""),
    ``1944`` → ("", ``1944``, ""), ``IRN 1641/R 4112`` → (``IRN``, ``1641``, ``/ R 4112``),
    ``R800 / EC282`` → (``R``, ``800``, ``/ EC282``)."""
    text = text.strip().strip('"').strip()
    found = _NUMBER.search(text)
    if found is None:
        glued = _GLUED.search(text)
        if glued is None:
            return TrainLabel(text, "", "")
        # ``R800 / EC282``: a category glued to its number, other numbers after it.
        return TrainLabel(glued.group(1), glued.group(2), _rest(text[glued.end() :]))
    number = re.sub(r"\s*/\s*", "/", found.group())
    return TrainLabel(text[: found.start()].strip(" -"), number, _rest(text[found.end() :]))


def _rest(text: str) -> str:
    """What follows the number: a name, or the train's other numbers (``/R 4112`` →
    ``/ R 4112``)."""
    text = text.strip()
    if text.startswith("/"):
        return "/ " + text[1:].strip()
    return text


def line_category(route_short_name: str) -> str:
    """The train category a line name gives: ``ICE 28`` → ``ICE``, ``EN`` → ``EN``; none for
    a line code glued to its number (``C30``, ``P53``: TER lines, not categories)."""
    text = route_short_name.strip()
    if re.search(r"[^\W\d_]\d", text):
        return ""
    return split_label(text).category
