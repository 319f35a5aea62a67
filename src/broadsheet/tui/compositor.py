"""A compositor whose partial repaints draw only the widgets that show on the changed cells.

Textual's partial repaint draws every widget that overlaps the box around all the changed
regions, each over its whole visible height. On a keystroke the filter box (top) and the
status line (bottom) change with the list, so that box is the whole screen: the detail
pane, the containers and the screen's own background are drawn and cut up on every
keystroke, then thrown away, because each stretch of a line (a "chop", between two widget
edges) goes to the frontmost widget and only the changed cells are written out. That was
half the time of a keystroke's frame.

Here the chops that touch a changed span are listed first; then, front to back, a widget is
drawn only if one of those still undrawn lies inside it, over the box around them (from the
first to the last such line, the leftmost to the rightmost such chop: box edges are cuts,
so pieces keep Textual's alignment), and only those chops are cut from its lines. Widgets
behind are not visited once every changed cell has its widget. The terminal gets the same
bytes as from Textual's own pass, less cursor moves and style codes that write nothing
(tests/test_compositor.py compares the two over a session of keys, a resize and a modal).

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
Open = dict[int, list[tuple[int, int]]]  # by line: the chops (start, end) still to draw


class ShowThroughCompositor(Compositor):
    def render_partial_update(self) -> ChopsUpdate | None:
        screen = self.size.region
        changed = [region.intersection(screen) for region in self._dirty_regions]
        self._dirty_regions.clear()
        changed = [region for region in changed if region]
        if not changed:
            return None
        spans = list(self._regions_to_spans(changed))
        cuts = self.cuts
        chops: Chops = [dict.fromkeys(line_cuts[:-1]) for line_cuts in cuts]
        to_draw = _chops_to_draw(cuts, spans)
        for widget, region, part in self._overlapping(changed):
            if not to_draw:
                break  # every changed cell has its widget
            part = _showing(to_draw, part)
            if part is None:
                continue
            strips = widget.render_lines(part.translate(-region.offset))
            _fill(chops, to_draw, part, strips)
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


def _chops_to_draw(cuts: list[list[int]], spans: list[tuple[int, int, int]]) -> Open:
    """Every chop (between two neighbouring cuts) that touches a changed span: the only
    ones written out."""
    line_spans: dict[int, list[tuple[int, int]]] = {}
    for y, x1, x2 in spans:
        line_spans.setdefault(y, []).append((x1, x2))
    to_draw: Open = {}
    for y, ranges in line_spans.items():
        line_cuts = cuts[y]
        found = [
            (cut, end)
            for cut, end in zip(line_cuts, line_cuts[1:], strict=False)
            if any(cut < x2 and end > x1 for x1, x2 in ranges)
        ]
        if found:
            to_draw[y] = found
    return to_draw


def _showing(to_draw: Open, part: Region) -> Region | None:
    """The box around the chops inside `part` still to draw (from the first to the last
    such line, from the leftmost to the rightmost such chop: edges are cuts, so pieces
    keep Textual's alignment); None when the widgets in front have drawn them all."""
    x1, x2 = part.x, part.right
    top = bottom = left = right = None
    for y in part.line_range:
        line = to_draw.get(y)
        if line is None:
            continue
        inside = [(cut, end) for cut, end in line if x1 <= cut < x2]
        if inside:
            if top is None:
                top = y
            bottom = y + 1
            left = inside[0][0] if left is None else min(left, inside[0][0])
            right = inside[-1][1] if right is None else max(right, inside[-1][1])
    if top is None or bottom is None or left is None or right is None:
        return None
    return Region(left, top, right - left, bottom - top)


def _fill(chops: Chops, to_draw: Open, part: Region, strips: list[Strip]) -> None:
    """Cut from a widget's lines the chops still to draw inside it (what Textual's pass
    keeps of its division of each line at every cut, without making the rest)."""
    x1, x2 = part.x, part.right
    for y, strip in zip(part.line_range, strips, strict=False):  # as Textual: no more lines than drawn
        line = to_draw.get(y)
        if line is None:
            continue
        left = []
        for cut, end in line:
            if x1 <= cut < x2:
                chops[y][cut] = strip.crop(cut - x1, end - x1)
            else:
                left.append((cut, end))
        if left:
            to_draw[y] = left
        else:
            del to_draw[y]
