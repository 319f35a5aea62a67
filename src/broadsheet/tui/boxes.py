"""When a widget that draws its own lines must still go through Textual's line pass.

The paper list and the status line make their finished lines themselves (Textual's pass
copies and restyles every line, a large share of a keystroke's frame). That pass also
draws what a widget's box may have: a border, an outline, padding, tint, reduced opacity
or a hatch. None of these is set by the reader's own CSS, but a user's CSS could set one,
and then the widget hands its lines to Textual as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from textual._border import get_box
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget


def needs_textuals_pass(widget: Widget, *, own_padding: bool = False, own_box: bool = False) -> bool:
    """Whether `widget`'s box has something only Textual's line pass draws; padding counts
    unless the widget draws its own (`own_padding`), borders and padding unless it draws
    its lines with `boxed_lines` (`own_box`)."""
    styles = widget.styles
    return bool(
        (styles.border.spacing and not own_box)
        or (styles.padding and not (own_padding or own_box))
        or styles.outline.spacing
        or styles.tint.a
        or styles.text_opacity != 1.0
        or widget.opacity != 1.0
        or (styles.has_rule("hatch") and styles.hatch != "none")
    )


ContentLine = Callable[[int], tuple[list[Segment], int]]


def boxed_lines(widget: Widget, crop: Region, content_line: ContentLine) -> list[Strip]:
    """`widget`'s lines in `crop` as Textual's pass draws them, for a box of side borders and
    padding (`needs_textuals_pass(widget, own_box=True)` is False): the content lines are
    made here, each from `content_line(y)` (the segments of content line `y` and their
    width in cells, as `render_line(y)` would give them) between the same border and padding
    segments, as one Strip (each of Textual's Strip operations makes a new one, ~7 µs);
    a top or bottom border or padding line is left to Textual's pass. That pass works out
    the box anew for every line (~40 µs each), a fifth of a keystroke's frame when a pane
    of ~40 lines changes; here the box is worked out once."""
    width, height = widget.region.size
    content_width, content_height = widget.content_region.size
    styles = widget.styles
    padding, gutter = styles.padding, styles.gutter
    base_background, background = widget.background_colors
    inner, outer = widget._styles_cache.get_inner_outer(base_background, background)  # noqa: SLF001 - Textual's own
    blank = inner.rich_style
    (_, (right_edge, right_color), _, (left_edge, left_color)) = styles.border
    left = [Segment(" " * padding.left, blank)] if padding.left else []
    right = [Segment(" " * padding.right, blank)] if padding.right else []
    if left_edge:
        left.insert(0, get_box(left_edge, inner, outer, Style(foreground=base_background + left_color))[1][0])
    if right_edge:
        right.append(get_box(right_edge, inner, outer, Style(foreground=base_background + right_color))[1][2])
    filters = widget.get_line_filters()
    strips: list[Strip] = []
    for y in crop.line_range:
        content_y = y - gutter.top
        if content_y < 0 or y >= height - gutter.bottom:
            (strip,) = Widget.render_lines(widget, Region(0, y, width, 1))  # line filters applied
        else:
            line, cells = content_line(content_y) if content_y < content_height else ([], 0)
            if cells < content_width:
                line = [*line, Segment(" " * (content_width - cells), blank)]
            elif cells > content_width:
                line = Segment.adjust_line_length(line, content_width, blank)
            strip = Strip([*left, *line, *right], width)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
        strips.append(strip)
    x1, x2 = crop.column_span
    if (x1, x2) != (0, width):
        strips = [strip.crop(x1, x2) for strip in strips]
    return strips
