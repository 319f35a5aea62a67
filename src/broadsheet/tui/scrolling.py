"""Changing how much a Line-API view scrolls over, without a full-screen layout pass.

Assigning `virtual_size` lays out the whole screen (~15-20 ms at 120x40, as every widget
is then re-rendered). A view whose own box does not change only needs its scrollbar
updated, which is what Textual itself does after a layout; when the scrollbar appears or
disappears the content width changes, and only then is a layout due.

A view whose vertical scrollbar is always shown (the paper list) goes one step further:
its bar is redrawn only when the thumb moves or resizes. Results of 10,000 and of 9,000
rows draw the same one-cell thumb, and redrawing it cost ~1.4 ms of a ~6 ms repaint.
"""

from __future__ import annotations

from math import ceil

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar

EIGHTHS = 8  # a vertical thumb's ends are drawn in eighths of a cell


def set_content_size(view: ScrollView, size: Size) -> None:
    if size == view.virtual_size:
        return
    styles = view.styles
    if styles.overflow_y == "scroll" and styles.overflow_x == "hidden" and view.show_vertical_scrollbar:
        _resize_fixed_bar(view, size)
        return
    showing = view.show_vertical_scrollbar, view.show_horizontal_scrollbar
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)  # noqa: SLF001 - Textual's own post-layout scrollbar update
    if (view.show_vertical_scrollbar, view.show_horizontal_scrollbar) != showing:
        view.refresh(layout=True)


def _resize_fixed_bar(view: ScrollView, size: Size) -> None:
    """Textual's scrollbar update for a bar that is always there, minus identical redraws."""
    bar = view.vertical_scrollbar
    before = thumb(bar)
    view.set_reactive(ScrollView.virtual_size, size)
    bar.set_reactive(ScrollBar.window_virtual_size, size.height)
    bar.set_reactive(ScrollBar.window_size, view.container_size.height - view.scrollbar_size_horizontal)
    if thumb(bar) != before:
        bar.refresh()
    view.scroll_y = view.validate_scroll_y(view.scroll_y)  # fewer rows: the bar's position follows


def thumb(bar: ScrollBar) -> tuple[int, ...]:
    """What a vertical bar draws, as ScrollBarRender.render_bar works it out: its height
    and the thumb's ends in eighths of a cell (no ends: no thumb). A test holds this to
    the installed Textual's drawing."""
    size = bar.size.height
    virtual = ceil(bar.window_virtual_size)
    window = ceil(bar.window_size) if bar.window_size < bar.window_virtual_size else 0
    if not (window and size and virtual and size != virtual):
        return (size,)
    thumb_size = max(1, window / (virtual / size))
    position = (size - thumb_size) * (bar.position / (virtual - window))
    start = int(position * EIGHTHS)
    return (size, start, start + ceil(thumb_size * EIGHTHS))
