"""Changing how much a Line-API view scrolls over, without a full-screen layout pass.

Assigning `virtual_size` lays out the whole screen (~15-20 ms at 120x40, as every widget
is then re-rendered). A view whose own box does not change only needs its scrollbar
updated, which is what Textual itself does after a layout; when the scrollbar appears or
disappears the content width changes, and only then is a layout due.

A view whose vertical scrollbar is always shown (the paper list) goes one step further:
its bar is redrawn only when the thumb moves or resizes. Results of 10,000 and of 9,000
rows draw the same one-cell thumb, and redrawing it cost ~1.4 ms of a ~6 ms repaint. And
when the thumb does move, `ThumbScrollBar` redraws only the lines it left or reached.
"""

from __future__ import annotations

from math import ceil
from typing import Self

from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

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


def line_drawings(drawing: tuple[int, ...]) -> list[tuple[int, int | None, int, int | None] | None]:
    """What each line of a vertical bar shows, as ScrollBarRender.render_bar decides it from
    `thumb`: where the line sits against the thumb's first and last cells (track above or
    below it, which scroll differently when clicked, or inside it) and the eighths drawn
    in those two cells. Lines with equal entries are drawn alike (a test holds this)."""
    size = drawing[0]
    if len(drawing) == 1:
        return [None] * size
    first, first_eighths = divmod(max(0, drawing[1]), EIGHTHS)
    last, last_eighths = divmod(max(0, drawing[2]), EIGHTHS)
    return [
        (
            (y > first) - (y < first),
            first_eighths if y == first else None,
            (y > last) - (y < last),
            last_eighths if y == last else None,
        )
        for y in range(size)
    ]


def changed_lines(before: tuple[int, ...], after: tuple[int, ...]) -> list[tuple[int, int]]:
    """The runs of lines (start, stop) a bar of the same height draws differently."""
    runs: list[tuple[int, int]] = []
    start = None
    old, new = line_drawings(before), line_drawings(after)
    for y, (was, now) in enumerate(zip(old, new, strict=True)):
        if was != now and start is None:
            start = y
        elif was == now and start is not None:
            runs.append((start, y))
            start = None
    if start is not None:
        runs.append((start, len(new)))
    return runs


class ThumbScrollBar(ScrollBar):
    """A vertical bar that redraws only what its thumb changed.

    While typing, most results move or resize the thumb, and redrawing the whole bar (its
    content through Textual's renderer, then every line through the styling pass) was
    ~3 ms of an ~8 ms keystroke frame. When only the thumb moved, this bar repaints the
    lines whose drawing changed, and it keeps each kind of line it has drawn (track
    above or below the thumb, thumb, the thumb's ends in eighths) for as long as colours
    and size stay, so a repaint seldom renders anything. The finished lines (after
    Textual's styling pass, which a one-cell column made cost ~1.5 ms when the whole bar
    changed) are kept by kind too, for as long as that look and the line filters stay.
    A test holds it to a fresh ScrollBar's drawing."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._drawn: tuple[tuple[int, ...], tuple[object, ...]] | None = None  # thumb and look, as last drawn
        self._kinds: list[object] = []  # line_drawings of what is being drawn
        self._lines: dict[object, Strip] = {}  # content line by kind, for one look
        self._lines_look: tuple[object, ...] | None = None
        self._finished: dict[object, Strip] = {}  # a whole line after Textual's pass, by kind
        self._finished_look: tuple[object, ...] | None = None

    def _look(self) -> tuple[object, ...]:
        """Everything but the thumb that the drawing depends on (colours: hover, grab, theme)."""
        renderable = ScrollBar.render(self)
        return (
            type(renderable),
            getattr(renderable, "style", None),
            getattr(renderable, "thickness", None),
            self.screen.styles.scrollbar_color.a == 0,  # Textual's bar-less drawing
            self.visual_style,
            self.size,
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self.vertical:
            return super().render_lines(crop)
        drawing, look = thumb(self), self._look()
        if look != self._lines_look:
            self._lines.clear()
            self._lines_look = look
        kinds = self._kinds = line_drawings(drawing)  # type: ignore[assignment]
        self._drawn = (drawing, look)
        finished_look = (look, tuple(map(id, self.get_line_filters())), self.background_colors)
        if finished_look != self._finished_look:
            self._finished.clear()
            self._finished_look = finished_look
        width = self.size.width
        finished = self._finished
        strips: list[Strip] = []
        for y in crop.line_range:
            if y >= len(kinds):
                return super().render_lines(crop)
            kind = kinds[y]
            strip = finished.get(kind)
            if strip is None:
                (strip,) = super().render_lines(Region(0, y, width, 1))
                finished[kind] = strip
            strips.append(strip)
        x1, x2 = crop.column_span
        return strips if (x1, x2) == (0, width) else [strip.crop(x1, x2) for strip in strips]

    def render_line(self, y: int) -> Strip:
        if y >= len(self._kinds):
            return super().render_line(y)
        kind = self._kinds[y]
        line = self._lines.get(kind)
        if line is None:
            line = self._lines[kind] = super().render_line(y)  # Textual renders all the content
        return line

    def refresh(self, *regions: Region, layout: bool = False, repaint: bool = True, recompose: bool = False) -> Self:
        drawn = self._drawn
        if regions or layout or recompose or not repaint or not self.vertical or drawn is None or not self.parent:
            return super().refresh(*regions, layout=layout, repaint=repaint, recompose=recompose)
        before, look = drawn
        now = thumb(self)
        if now == before or now[0] != before[0] or self._look() != look:
            return super().refresh()  # not (only) the thumb: all of it
        width = self.size.width
        return super().refresh(*(Region(0, start, width, stop - start) for start, stop in changed_lines(before, now)))
