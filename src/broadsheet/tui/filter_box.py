"""The filter box: Textual's Input, minus a full-screen layout pass on every keystroke."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterBox(Input):
    """Input records the text's width in `virtual_size`, a reactive that re-lays out the
    whole screen when it changes: ~2.5 ms on each keystroke here, before any result can
    be drawn. The box is one fixed line whose scrolling Input computes from that value
    directly, so a repaint is all a change needs."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
