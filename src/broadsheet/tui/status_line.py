"""The one-line status bar: counts, sort and progress.

A Static re-lays out the whole screen on every update; this line has a fixed height, so
it only repaints itself. It changes on every keystroke, star and search, and Textual's
pass (the text made into content, cut, padded and styled) cost ~0.6 ms of each such
frame, so the line is drawn here as one segment; with a box Textual's pass alone draws
(a border, tint, opacity), that pass runs as usual. A test holds the two to the same cells.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from broadsheet.text_safety import one_line
from broadsheet.tui.boxes import needs_textuals_pass

ELLIPSIS = "…"


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = ""
        self._style_key: Style | None = None
        self._style_cache = (Style(), Style())

    @property
    def text(self) -> str:
        return self._text

    def show(self, text: str) -> None:
        text = one_line(text)
        if text != self._text:
            self._text = text
            self.refresh()  # same size: no layout pass

    def _styles(self) -> tuple[Style, Style]:
        """The text's style (with the offset Textual's pass attaches for selecting text)
        and the padding's, made again only when the colours change."""
        base = self.rich_style
        if self._style_key != base:
            self._style_key = base
            self._style_cache = (base + Style.from_meta({"offset": (0, 0)}), Style(bgcolor=base.bgcolor))
        return self._style_cache

    def render(self) -> Text:
        """For Textual's own pass (see the module's docstring): as data, never as markup."""
        return Text(self._text, no_wrap=True, overflow="ellipsis")

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.outer_size.height != 1 or needs_textuals_pass(self, own_padding=True):
            return super().render_lines(crop)
        width = self.outer_size.width
        padding = self.styles.padding
        inner = width - padding.left - padding.right
        text = self._text
        if inner <= 0:
            text = ""
        elif cell_len(text) > inner:
            text = set_cell_size(text, inner - 1) + ELLIPSIS
        text_style, blank_style = self._styles()
        segments = [Segment(" " * padding.left, blank_style), Segment(text, text_style)]
        segments.append(Segment(" " * max(0, width - padding.left - cell_len(text)), blank_style))
        strip = Strip(segments).crop(0, width) if width > 0 else Strip([], 0)
        background = self.background_colors[1]
        for line_filter in self.get_line_filters():
            strip = strip.apply_filter(line_filter, background)
        x1, x2 = crop.column_span
        return [strip if (x1, x2) == (0, width) else strip.crop(x1, x2) for _ in crop.line_range]
