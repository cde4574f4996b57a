"""Horizontal bar charts of the pages: their rows and their SVG geometry (each chart is also
a text summary and a table)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

# Bar charts are drawn in CSS pixels (no viewBox): their text keeps its size at any screen
# width (at least 12 px even at 320 px) and the bars stretch as percentages of the width. Each
# label sits on its own lines above its bar, wrapped, never cut.
LINE_PX = 18
BAR_HEIGHT = 18
LABEL_GAP = 3
BAR_GAP = 14
#: Characters per label line: 30 at 14 px fit in the 288 px of a 320 px screen.
LABEL_LINE_CHARS = 30
#: The longest bar's share of the width: its value (up to ~10 characters) fits after it.
BAR_MAX_PERCENT = 62.0
VALUE_DX = 6


@dataclass(frozen=True)
class ChartRow:
    """One bar: its label, value, the value as displayed, and an optional series."""

    label: str
    value: float
    display: str
    series: str = ""


@dataclass(frozen=True)
class LabelLine:
    """One line of a bar's label and its baseline (px from the top of the chart)."""

    text: str
    y: float


@dataclass(frozen=True)
class BarLayout:
    """Where one bar goes in the SVG: its label lines above it, the bar, its value after it."""

    row: ChartRow
    lines: tuple[LabelLine, ...]
    y: float
    text_y: float
    width_percent: float


@dataclass(frozen=True)
class ChartLayout:
    """The SVG geometry of a horizontal bar chart, in CSS pixels (its width is the page's)."""

    height: int
    bar_height: int
    value_dx: int
    bars: tuple[BarLayout, ...]


def wrap_label(label: str, width: int = LABEL_LINE_CHARS) -> list[str]:
    """The label on lines of at most ``width`` characters, cut between words when it can."""
    lines = textwrap.wrap(label, width, break_long_words=True, break_on_hyphens=False)
    return lines or [""]


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart with its table: every chart is also a text summary and a table."""

    key: str
    title: str
    summary: str
    label_header: str
    value_header: str
    rows: tuple[ChartRow, ...]
    #: What the chart shows in a download's file name, in French words (``departs-par-operateur``).
    file_slug: str = ""
    #: Rows of the whole ranking when the chart shows only its top (its download has them all).
    ranking_size: int | None = None

    def layout(self) -> ChartLayout:
        """Each label wrapped above its bar; bar lengths proportional to the values, the
        largest taking ``BAR_MAX_PERCENT`` of the width."""
        largest = max((row.value for row in self.rows), default=0) or 1
        bars = []
        top = BAR_GAP / 2
        for row in self.rows:
            texts = wrap_label(row.label)
            # A baseline sits about a quarter of the line height above the line's bottom.
            lines = tuple(
                LabelLine(text, top + (index + 1) * LINE_PX - 4) for index, text in enumerate(texts)
            )
            y = top + len(texts) * LINE_PX + LABEL_GAP
            share = max(row.value, 0) / largest * BAR_MAX_PERCENT
            bars.append(
                BarLayout(
                    row=row,
                    lines=lines,
                    y=y,
                    text_y=y + BAR_HEIGHT - 4,
                    width_percent=round(max(share, 0.3 if row.value else 0.0), 2),
                )
            )
            top = y + BAR_HEIGHT + BAR_GAP
        return ChartLayout(
            height=round(top - BAR_GAP / 2),
            bar_height=BAR_HEIGHT,
            value_dx=VALUE_DX,
            bars=tuple(bars),
        )
