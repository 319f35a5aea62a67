"""The filter box: Textual's Input, with a query's error shown inside it, and neither
the text nor the error costing a full-screen layout pass."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import Input

from broadsheet.text_safety import one_line

MAX_ERROR_SHARE = 0.6  # of the box's width; a longer message is cut with an ellipsis


class FilterBox(Input):
    """Input records the text's width in `virtual_size`, a reactive that re-lays out the
    whole screen when it changes: ~2.5 ms on each keystroke here, before any result can
    be drawn. The box is one fixed line whose scrolling Input computes from that value
    directly, so a repaint is all a change needs.

    A malformed query's error is drawn over the right end of the box's line rather than in
    a widget of its own, whose appearing, resizing and disappearing each re-laid out the
    screen (20-30 ms, while typing inside a quote or parentheses)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"filter-box--error"}
    DEFAULT_CSS = """
    FilterBox > .filter-box--error { color: $error; text-style: bold; }
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self._error: str | None = None

    @property
    def error(self) -> str | None:
        return self._error

    def _on_input_changed(self, message: Input.Changed) -> None:
        """The reader follows the box with a watcher on `value`, inside the keystroke's own
        handling. Nothing listens for this message, which would otherwise travel up
        through the row, the screen and the app: a wake-up each, on every keystroke. And
        reaching the screen while a frame is held for a slow search's results, it made
        the screen paint the box alone and the results a 60 Hz slot later."""
        message.stop()

    def show_error(self, message: str | None) -> None:
        """Show `message` at the right end of the box (None clears it)."""
        message = one_line(message) if message else None
        if message != self._error:
            self._error = message
            self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = (self._typed_line() if y == 0 else None) or super().render_line(y)
        if y != 0 or not self._error:
            return strip
        width = strip.cell_length
        room = int(width * MAX_ERROR_SHARE)
        text = f" {self._error} "
        if cell_len(text) > room:
            text = set_cell_size(text, max(room - 2, 0)) + "… "
        if not text.strip():
            return strip
        style = self.rich_style + self.get_component_rich_style("filter-box--error")
        keep = width - cell_len(text)
        return Strip.join([strip.crop(0, keep), Strip([Segment(text, style)], cell_len(text))])

    def _typed_line(self) -> Strip | None:
        """The line as Input draws it, for plain typed text (no suggestion, selection,
        password or highlighter): Input makes it through rich's console renderer, ~0.4 ms
        of every keystroke's frame. None when it must be Input's own drawing. A test holds
        the two to the same cells."""
        value = self.value
        if not value or self.password or self.highlighter is not None or not value.isprintable():
            return None
        focused = self.has_focus
        if focused and (len(self._suggestion) > len(value) or not self.selection.is_empty):
            return None
        if focused and self._cursor_visible:
            cursor = self.cursor_position
            text = value + " " if self.cursor_at_end else value
            under = Segment(text[cursor : cursor + 1], self.get_component_rich_style("input--cursor"))
            segments = [Segment(text[:cursor]), under, Segment(text[cursor + 1 :])]
        else:
            segments = [Segment(value)]
        width = self.scrollable_content_region.width + 1
        scroll_x = int(self.scroll_offset.x)
        strip = Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width)
        return strip.apply_style(self.rich_style)
