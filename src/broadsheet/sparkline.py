"""A one-line bar chart of numbers (`▁▂▄█`), for the upvote trend in the detail pane.

Pure text, no terminal or Textual involved, so the core can test it and any front end use it.
"""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int | float], width: int = 40) -> str:
    """One bar per value, lowest value `▁`, highest `█`; all equal values draw a flat `▁` line.

    More values than `width` are grouped into `width` runs of neighbours, each drawn as its
    largest value, so the whole span stays visible (counts only grow, so that is the latest).
    """
    if not values or width < 1:
        return ""
    if len(values) > width:
        size = len(values)
        values = [max(values[i * size // width : (i + 1) * size // width]) for i in range(width)]
    low, high = min(values), max(values)
    if high == low:
        return BARS[0] * len(values)
    top = len(BARS) - 1
    return "".join(BARS[round((value - low) / (high - low) * top)] for value in values)
