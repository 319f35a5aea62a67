"""The paper list: a Line-API ScrollView that renders only the rows on screen.

Cost follows the visible rows, not the number of papers, so 100k papers paint as fast as
ten. Rows are cached as Strips keyed by everything that changes their look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.filter import ANSIToTruecolor, DimFilter, LineFilter, Monochrome, NoColor
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from broadsheet.model import Paper
from broadsheet.text_safety import one_line
from broadsheet.tui.boxes import needs_textuals_pass
from broadsheet.tui.scrolling import ThumbScrollBar, set_content_size

Spans = Sequence[tuple[int, int]]
STAR = "★"
NO_STAR = " "
UNREAD_DOT = "•"
DATE_WIDTH = 10
VOTES_WIDTH = 6
ROWS_KEPT = 256  # rows kept drawn: a few pages to move and scroll through
# Textual's line filters that map each segment's style on its own (ANSI colours to true
# colour, NO_COLOR, dimming): for them, filtering the row styles once is filtering the rows.
STYLE_BY_STYLE_FILTERS = (ANSIToTruecolor, Monochrome, NoColor, DimFilter)


class PaperList(ScrollView, can_focus=True):
    """Rows are indices into `papers`; the list shows `rows` in order with a cursor."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--starred",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--match",
        "paper-list--meta",
    }

    DEFAULT_CSS = """
    PaperList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;
    }
    PaperList > .paper-list--cursor { background: $primary 40%; }
    PaperList:focus > .paper-list--cursor { background: $primary 70%; }
    PaperList > .paper-list--starred { color: $paper-star; text-style: bold; }
    PaperList > .paper-list--unread { color: $paper-unread; text-style: bold; }
    PaperList > .paper-list--read { color: $paper-read; }
    PaperList > .paper-list--match { color: $paper-match; text-style: bold underline; }
    PaperList > .paper-list--meta { color: $text-muted; }
    """

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("home,g", "first", "Top", show=False, id="list.top"),
        Binding("end,G", "last", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    # Messages take a plain __init__, not @dataclass: making a dataclass costs ~0.2 ms of
    # the reader's start each, for nothing these need.
    class Highlighted(Message):
        """The cursor moved to another paper (or to none, when the list is empty)."""

        def __init__(self, paper_list: PaperList, paper_index: int | None) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.paper_index = paper_index

        @property
        def control(self) -> PaperList:
            return self.paper_list

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, PaperList.Highlighted)

    class Selected(Message):
        """Enter or a click on a paper."""

        def __init__(self, paper_list: PaperList, paper_index: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.paper_index = paper_index

        @property
        def control(self) -> PaperList:
            return self.paper_list

    def __init__(
        self,
        papers: Sequence[Paper],
        *,
        is_starred: Callable[[int], bool],
        is_read: Callable[[int], bool],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._papers = papers
        self._rows: Sequence[int] = ()  # nothing until the first search result arrives
        self._is_starred = is_starred
        self._is_read = is_read
        self._title_spans: Callable[[int], Spans] = lambda _index: ()
        # A few pages of the rows being shown, emptied when the results change (the
        # highlights with them). Each Strip is ~20 objects the garbage collector tracks:
        # rows kept from earlier keystrokes, never to be shown again, made every young
        # collection while typing walk ~15,000 objects (2-7 ms, inside a keystroke). A
        # plain dict, oldest out first: Textual's LRUCache links its entries in a ring, so
        # each row it dropped waited, with its Strips, for a collection to free it.
        self._cache: dict[tuple[object, ...], Strip] = {}
        self._style_key: object = None
        self._style_cache: tuple[Style, ...] = ()
        self._filtered_key: object = None
        self._filtered_cache: tuple[Style, ...] = ()
        self.virtual_size = Size(0, len(self._rows))

    # -- data -------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[int]:
        return self._rows

    @property
    def current(self) -> int | None:
        """The paper index under the cursor."""
        if not self._rows:
            return None
        return self._rows[min(self.cursor, len(self._rows) - 1)]

    def set_rows(self, rows: Sequence[int], title_spans: Callable[[int], Spans] | None = None) -> None:
        """Show `rows`; the cursor stays on its paper when that paper is still shown."""
        keep = self.current
        self._rows = rows
        self._title_spans = title_spans or (lambda _index: ())
        self._cache.clear()
        set_content_size(self, Size(self.size.width, len(rows)))  # no layout pass per result
        position = 0
        if keep is not None and rows:
            position = _position_of(rows, keep)
            if position < 0:
                position = 0
        # not through watch_cursor: it would repaint two rows of the list repainted below
        self.set_reactive(PaperList.cursor, position)
        self._scroll_cursor_into_view()
        self._refresh_rows()
        if self.current != keep:
            self.post_message(self.Highlighted(self, self.current))

    def set_papers(self, papers: Sequence[Paper]) -> None:
        """Another set of papers; rows come with the next search result."""
        self._papers = papers
        self._cache.clear()
        self.set_rows(())

    def refresh_paper(self, paper_index: int) -> None:
        """Repaint one paper's row (after a star or read toggle): one line, not the list."""
        position = _position_of(self._rows, paper_index)
        if position >= 0:
            self.refresh_line(position)

    def refresh_all(self) -> None:
        self.refresh()

    def _refresh_rows(self, first: int = 0, count: int | None = None) -> None:
        """Repaint `count` screen lines from `first` (all by default), not the scrollbar drawn
        over the list's right edge: refreshing the whole widget redraws the bar on every
        keystroke, while it only changes with its thumb (and tui/scrolling.py redraws it then)."""
        if self._needs_textuals_pass():
            self.refresh()
        else:
            height = self.size.height if count is None else count
            self.refresh(Region(0, first, self.scrollable_content_region.width, height))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """ScrollView's, but repainting the rows only: the bar redraws what its position changed."""
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = new_value
        if round(old_value) != round(new_value):
            self._refresh_rows()

    def refresh_line(self, y: int) -> None:
        """Repaint row `y` (of the list), not the scrollbar beside it."""
        if self._needs_textuals_pass():
            super().refresh_line(y)
        else:
            self._refresh_rows(y - self.scroll_offset.y, 1)

    # -- cursor -----------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._rows) - 1

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.scroll_to(y=self.scroll_y + self._page(), animate=False, immediate=True)
        self.cursor += self._page()

    def action_page_up(self) -> None:
        self.scroll_to(y=self.scroll_y - self._page(), animate=False, immediate=True)
        self.cursor -= self._page()

    def action_select(self) -> None:
        if (current := self.current) is not None:
            self.post_message(self.Selected(self, current))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = int(self.scroll_y) + offset.y  # from the position: rows carry no per-row meta
        if 0 <= row < len(self._rows):
            self.focus()
            self.cursor = row
            if event.chain >= 2:
                self.action_select()

    # -- rendering --------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._style_key = None

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows))
        self._cache.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows as render_line makes them, plus the app's line filters. Textual's own
        pass also draws borders, padding, tint and opacity, which the list does not use,
        and copies every line to do so (a third of a repaint); with any of them set
        (a user theme could), that pass runs as usual."""
        if self._needs_textuals_pass():
            return super().render_lines(crop)
        filters = tuple(self.get_line_filters())
        background = self.background_colors[1]
        top, width, focused = int(self.scroll_y), self.scrollable_content_region.width, self.has_focus
        x1, x2 = crop.column_span
        # the scrollbar's columns, drawn over (or blank): left out when not asked for
        gutter = 0 if x2 <= width else self.size.width - width
        filtered = (filters, background)
        positions = range(top + crop.line_range.start, top + crop.line_range.stop)
        if all(isinstance(line_filter, STYLE_BY_STYLE_FILTERS) for line_filter in filters):
            strips = self._lines(positions, width, focused, gutter, filtered)
        else:
            strips = [_through(strip, filtered) for strip in self._lines(positions, width, focused, gutter)]
        if (x1, x2) != (0, width + gutter):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's own, made as Widget.vertical_scrollbar makes it, but a ThumbScrollBar."""
        if self._vertical_scrollbar is None:
            bar = ThumbScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)  # noqa: SLF001 - as Textual starts its bars
        return self._vertical_scrollbar

    def _needs_textuals_pass(self) -> bool:
        """Whether the list's box has something only Textual's line pass draws."""
        return needs_textuals_pass(self)

    def render_line(self, y: int) -> Strip:
        return self._line(int(self.scroll_y) + y, self.scrollable_content_region.width, self.has_focus)

    def _line(
        self, position: int, width: int, focused: bool, gutter: int = 0, filtered: Filtering | None = None
    ) -> Strip:
        """Row `position` of the list (not of the screen), `width` cells wide, plus `gutter`
        blank cells (where the scrollbar is drawn over it); with `filtered`, through those
        line filters (each of STYLE_BY_STYLE_FILTERS)."""
        return self._lines(range(position, position + 1), width, focused, gutter, filtered)[0]

    def _lines(
        self, positions: range, width: int, focused: bool, gutter: int = 0, filtered: Filtering | None = None
    ) -> list[Strip]:
        """`_line` for each of `positions`, with what is the same for every row (styles,
        columns, the cache key's tail) worked out once: a keystroke's frame draws ~37 rows."""
        rows = self._rows
        shown = len(rows) if width > 0 else 0
        styles = self._styles()
        row_styles = styles if filtered is None else self._filtered_styles(filtered)
        tail = (focused, width, gutter, _filtering_key(filtered))
        fields = self._row_fields_getter()
        cursor_at = self.cursor
        is_starred, is_read, cache = self._is_starred, self._is_read, self._cache
        strips: list[Strip] = []
        for position in positions:
            if position >= shown:
                blank = Strip.blank(max(width, 0) + gutter, self.rich_style)
                strips += [_through(blank, filtered) if filtered else blank] * (positions.stop - position)
                break
            index = rows[position]
            starred = is_starred(index)
            read = is_read(index)
            cursor = position == cursor_at
            key = (index, starred, read, cursor, tail)
            strip = cache.get(key)
            if strip is None:
                if filtered is not None and cursor:  # the cursor's style is laid over the row's:
                    # filter the result, as Textual does
                    strip = self._render_row(index, starred, read, cursor, width, gutter, styles, fields)
                    strip = _through(strip, filtered)
                else:  # or the styles were filtered once: no copy of every row through the filters
                    strip = self._render_row(index, starred, read, cursor, width, gutter, row_styles, fields)
                if len(cache) >= ROWS_KEPT:
                    del cache[next(iter(cache))]
                cache[key] = strip
            strips.append(strip)
        return strips

    def _row_fields_getter(self) -> Callable[[int], tuple[str, str, str]]:
        """Title, date and upvotes of a row by index; from the cache's columns when it has
        them, so painting a row never decodes a whole paper."""
        papers = self._papers
        titles = getattr(papers, "titles", None)
        if titles is None:
            return _paper_fields(papers)
        dates, upvotes = papers.dates, papers.upvotes  # type: ignore[attr-defined]
        from_ordinal = dt.date.fromordinal

        def fields(index: int) -> tuple[str, str, str]:
            ordinal, votes = dates[index], upvotes[index]
            date = from_ordinal(ordinal).isoformat() if ordinal else ""
            return titles[index], date, f"▲{votes}" if votes > 0 else ""

        return fields

    def _render_row(
        self,
        index: int,
        starred: bool,
        read: bool,
        cursor: bool,
        width: int,
        gutter: int,
        styles: tuple[Style, ...],
        fields: Callable[[int], tuple[str, str, str]],
    ) -> Strip:
        """Segments built directly: a rich Text render per row cost most of a repaint."""
        base, read_style, unread_style, read_match, unread_match, meta_style, star_style, cursor_style, gutter_style = (
            styles
        )
        title_style, match_style = (read_style, read_match) if read else (unread_style, unread_match)

        raw_title, date, votes = fields(index)
        tail = f" {date:>{DATE_WIDTH}} {votes:>{VOTES_WIDTH}}" if width >= 50 else ""
        title_width = max(1, width - 2 - len(tail))
        title = one_line(raw_title)
        if cell_len(title) > title_width:
            title = set_cell_size(title, title_width - 1) + "…"
            shown = len(title) - 1
        else:
            shown = len(title)
            title = title + " " * (title_width - cell_len(title))
        segments = [
            Segment(STAR, star_style) if starred else Segment(NO_STAR if read else UNREAD_DOT, meta_style),
            Segment(" ", base),
        ]
        position = 0
        for start, end in self._title_spans(index):
            start, end = max(start, position), min(end, shown)
            if start >= end:
                continue
            if start > position:
                segments.append(Segment(title[position:start], title_style))
            segments.append(Segment(title[start:end], match_style))
            position = end
        segments.append(Segment(title[position:], title_style))
        if tail:
            segments.append(Segment(tail, meta_style))
        blank = Segment(" " * gutter, gutter_style)
        fits = len(tail) + title_width + 2 == width  # the usual case: cut to width above
        if fits and not cursor:
            if gutter:
                segments.append(blank)
            return Strip(segments, width + gutter)
        strip = Strip(segments, width) if fits else Strip(segments).crop_extend(0, width, base or Style())
        if cursor:
            strip = strip.apply_style(cursor_style)
        return Strip([*strip, blank], width + gutter) if gutter else strip

    def _styles(self) -> tuple[Style, ...]:
        """The row styles, combined once per theme or focus change rather than per row."""
        key = (self.has_focus, self.app.theme)
        if self._style_key != key:
            base = self.rich_style
            read = base + self.get_component_rich_style("paper-list--read")
            unread = base + self.get_component_rich_style("paper-list--unread")
            match = self.get_component_rich_style("paper-list--match")
            self._style_cache = (
                base,
                read,
                unread,
                read + match,
                unread + match,
                base + self.get_component_rich_style("paper-list--meta"),
                base + self.get_component_rich_style("paper-list--starred"),
                self.get_component_rich_style("paper-list--cursor"),
                Style(bgcolor=base.bgcolor),
            )
            self._style_key = key
        return self._style_cache

    def _filtered_styles(self, filtered: Filtering) -> tuple[Style, ...]:
        """The row styles through the line filters, once per theme, focus or filter change."""
        styles = self._styles()
        key = (self._style_key, _filtering_key(filtered))
        if self._filtered_key != key:
            self._filtered_cache = tuple(_filtered_style(style, filtered) for style in styles)
            self._filtered_key = key
        return self._filtered_cache


Filtering = tuple[tuple[LineFilter, ...], Color]  # the app's line filters and the list's background


def _paper_fields(papers: Sequence[Paper]) -> Callable[[int], tuple[str, str, str]]:
    """`PaperList._row_fields_getter` for plain papers (no cached columns)."""

    def fields(index: int) -> tuple[str, str, str]:
        paper = papers[index]
        date = paper.published.date.isoformat() if paper.published else ""
        return paper.title, date, f"▲{paper.upvotes}" if paper.upvotes else ""

    return fields


def _filtering_key(filtered: Filtering | None) -> object:
    return None if filtered is None else (tuple(map(id, filtered[0])), filtered[1])


def _filtered_style(style: Style, filtered: Filtering) -> Style:
    (segment,) = _through(Strip([Segment(" ", style)], 1), filtered)
    return segment.style or Style()


def _through(strip: Strip, filtered: Filtering) -> Strip:
    filters, background = filtered
    for line_filter in filters:
        strip = strip.apply_filter(line_filter, background)
    return strip


def _position_of(rows: Sequence[int], paper_index: int) -> int:
    """Where `paper_index` sits in `rows`, or -1. A range answers in O(1)."""
    if isinstance(rows, range):
        return paper_index - rows.start if paper_index in rows else -1
    try:
        return rows.index(paper_index)
    except ValueError:
        return -1
