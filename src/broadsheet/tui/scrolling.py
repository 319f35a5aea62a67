"""Changing how much a Line-API view scrolls over, without a full-screen layout pass.

Assigning `virtual_size` lays out the whole screen (~15-20 ms at 120x40, as every widget
is then re-rendered). A view whose own box does not change only needs its scrollbar
updated, which is what Textual itself does after a layout; when the scrollbar appears or
disappears the content width changes, and only then is a layout due.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def set_content_size(view: ScrollView, size: Size) -> None:
    if size == view.virtual_size:
        return
    showing = view.show_vertical_scrollbar, view.show_horizontal_scrollbar
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)  # noqa: SLF001 - Textual's own post-layout scrollbar update
    if (view.show_vertical_scrollbar, view.show_horizontal_scrollbar) != showing:
        view.refresh(layout=True)
