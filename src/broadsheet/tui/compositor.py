"""A compositor whose partial repaints draw only the widgets that show on the changed cells.

Textual's partial repaint draws every widget that overlaps the box around all the changed
regions, each over its whole visible height. On a keystroke the filter box (top) and the
status line (bottom) change with the list, so that box is the whole screen: the detail
pane, the containers and the screen's own background are drawn and cut up on every
keystroke, then thrown away, because each stretch of a line (a "chop", between two widget
edges) goes to the frontmost widget and only the changed cells are written out. That was
half the time of a keystroke's frame.

Here a widget is drawn only when a changed cell shows it: it overlaps a changed region, and
on some changed line one of its chops that the widgets in front of it have not filled
touches a changed span. It is drawn over its full visible width (chops must keep Textual's
alignment) and over the lines from the first to the last such line. The terminal gets the
same bytes as from Textual's own pass, less cursor moves that write nothing
(tests/test_compositor.py compares the two).

It relies on Compositor internals (`cuts`, `visible_widgets`, `_dirty_regions`,
`ChopsUpdate`) of the Textual line pinned in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

Chops = list[dict[int, Strip | None]]
LineSpans = dict[int, list[tuple[int, int]]]


class ShowThroughCompositor(Compositor):
    def render_partial_update(self) -> ChopsUpdate | None:
        screen = self.size.region
        changed = [region.intersection(screen) for region in self._dirty_regions]
        self._dirty_regions.clear()
        changed = [region for region in changed if region]
        if not changed:
            return None
        spans = list(self._regions_to_spans(changed))
        line_spans: LineSpans = {}
        for y, x1, x2 in spans:
            line_spans.setdefault(y, []).append((x1, x2))
        cuts = self.cuts
        chops: Chops = [dict.fromkeys(line_cuts[:-1]) for line_cuts in cuts]
        for widget, region, part in self._overlapping(changed):
            lines = _lines_showing(chops, cuts, part, line_spans)
            if lines is None:
                continue
            top, bottom = lines
            part = Region(part.x, top, part.width, bottom - top)
            strips = widget.render_lines(part.translate(-region.offset))
            _fill(chops, cuts, part, strips, line_spans)
        return ChopsUpdate(chops, spans, [line_cuts[1:] for line_cuts in cuts])

    def _overlapping(self, changed: list[Region]) -> Iterator[tuple[Widget, Region, Region]]:
        """Front to back, each widget overlapping a changed region: (widget, its region,
        its visible part over the lines it shares with the changed regions)."""
        for widget, (region, clip) in self.visible_widgets.items():
            visible = region.intersection(clip)
            if not visible:
                continue
            top = bottom = None
            for region_changed in changed:
                if visible.overlaps(region_changed):
                    hit = visible.intersection(region_changed)
                    top = hit.y if top is None else min(top, hit.y)
                    bottom = hit.bottom if bottom is None else max(bottom, hit.bottom)
            if top is not None and bottom is not None:
                yield widget, region, Region(visible.x, top, visible.width, bottom - top)


def _lines_showing(chops: Chops, cuts: list[list[int]], part: Region, line_spans: LineSpans) -> tuple[int, int] | None:
    """The first and one past the last line of `part` where it shows on a changed cell;
    None when the widgets in front cover all of them."""
    first = last = None
    for y in part.line_range:
        spans = line_spans.get(y)
        if spans is not None and next(_needed(chops[y], cuts[y], part, spans), None) is not None:
            if first is None:
                first = y
            last = y
    return None if first is None or last is None else (first, last + 1)


def _needed(line: dict[int, Strip | None], line_cuts: list[int], part: Region, spans: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    """The chops (start, end) of one line inside `part` that no widget in front has filled
    and that touch a changed span: the only ones written out."""
    x1, x2 = part.x, part.right
    for index in range(len(line_cuts) - 1):
        cut = line_cuts[index]
        if cut >= x2:
            break
        end = line_cuts[index + 1]
        if cut >= x1 and line[cut] is None and any(cut < s2 and end > s1 for s1, s2 in spans):
            yield cut, end


def _fill(chops: Chops, cuts: list[list[int]], part: Region, strips: list[Strip], line_spans: LineSpans) -> None:
    """Cut from each changed line of a widget the chops it shows in (what Textual's pass
    keeps of its division of the line at every cut, without making the rest)."""
    x = part.x
    for y, strip in zip(part.line_range, strips, strict=False):  # as Textual: no more lines than drawn
        spans = line_spans.get(y)
        if spans is None:
            continue
        line = chops[y]
        for cut, end in list(_needed(line, cuts[y], part, spans)):
            line[cut] = strip.crop(cut - x, end - x)
