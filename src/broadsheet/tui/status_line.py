"""The one-line status bar: counts, sort and progress.

A Static re-lays out the whole screen on every update; this line has a fixed height, so
it only repaints itself. It changes on every keystroke, star and search.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    @property
    def text(self) -> str:
        return self._text.plain

    def show(self, text: str) -> None:
        if text != self._text.plain:
            self._text = Text(text, no_wrap=True, overflow="ellipsis")
            self.refresh()  # same size: no layout pass

    def render(self) -> Text:
        return self._text
