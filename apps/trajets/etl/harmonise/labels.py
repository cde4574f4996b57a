"""Train labels as sources write them: ``EN 442 Slovakia``, ``NJ 40421``, ``IC Nuit 3755``,
``ICE 28`` (a line), ``00165``, ``R-E``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["TrainLabel", "line_category", "split_label"]

# The first run of digits (with "/"-separated alternatives) not glued to letters before it.
_NUMBER = re.compile(r"(?<!\w)\d+(?:\s*/\s*\d+)*")


class TrainLabel(NamedTuple):
    """A label split into its category (letters before the number), number and name."""

    category: str
    number: str
    name: str


def split_label(text: str) -> TrainLabel:
    """Split a train label: ``EN 442 Slovakia`` → (``EN``, ``442``, ``Slovakia``),
    ``IC Nuit 3755`` → (``IC Nuit``, ``3755``, ""), ``R-E`` → (``R-E``, "", ""),
    ``1944`` → ("", ``1944``, "")."""
    text = text.strip().strip('"').strip()
    found = _NUMBER.search(text)
    if found is None:
        return TrainLabel(text, "", "")
    number = re.sub(r"\s*/\s*", "/", found.group())
    return TrainLabel(text[: found.start()].strip(" -"), number, text[found.end() :].strip())


def line_category(route_short_name: str) -> str:
    """The train category a line name gives: ``ICE 28`` → ``ICE``, ``EN`` → ``EN``; none for
    a line code glued to its number (``C30``, ``P53``: TER lines, not categories)."""
    text = route_short_name.strip()
    if re.search(r"[^\W\d_]\d", text):
        return ""
    return split_label(text).category
