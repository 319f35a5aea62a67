"""The detail pane: everything about the paper under the cursor, wrapped and scrollable.

Built from rich `Text` objects made from plain strings, so nothing in a paper is ever read
as markup; control characters are replaced before they reach the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from broadsheet.links import paper_links
from broadsheet.model import Paper
from broadsheet.sparkline import sparkline
from broadsheet.text_safety import one_line, printable
from broadsheet.tui.boxes import boxed_lines, needs_textuals_pass
from broadsheet.tui.scrolling import set_content_size

Spans = Sequence[tuple[int, int]]


def _highlighted(text: str, spans: Spans, style: Style, base: Style | str = "") -> Text:
    result = Text(text, style=base)
    for start, end in spans:
        result.stylize(style, start, end)
    return result


def upvote_trend(paper: Paper) -> Text | None:
    """`upvotes ▁▃█ 12 → 96 (2026-11-20 … 2026-11-28)` when two or more listings gave a count."""
    history = paper.upvote_history
    if len(history) < 2:
        return None
    first, last = history[0], history[-1]
    line = Text("upvotes ", style="dim")
    line.append(sparkline([sample.upvotes for sample in history]))
    line.append(f" {first.upvotes} → {last.upvotes} ({first.seen.isoformat()} … {last.seen.isoformat()})", "dim")
    return line


def paper_renderable(
    paper: Paper,
    *,
    starred: bool,
    read: bool,
    abstract_spans: Spans = (),
    summary_spans: Spans = (),
    title_spans: Spans = (),
    match_style: Style | None = None,
) -> Group:
    """The pane's content for one paper."""
    match = match_style or Style(bold=True, underline=True)
    parts: list[Text] = [_highlighted(one_line(paper.title), title_spans, match, "bold")]
    facts = []
    if authors := paper.display_authors:
        facts.append(printable(authors))
    if paper.organization:
        facts.append(printable(paper.organization.name))
    if paper.published:
        date = paper.published.date.isoformat()
        facts.append(date + (" (year inferred)" if paper.published.year_inferred else ""))
    if paper.upvotes is not None:
        facts.append(f"▲ {paper.upvotes} upvotes")
    status = ("★ starred" if starred else "") + ("  " if starred else "") + ("read" if read else "unread")
    facts.append(status)
    parts.append(Text(" · ".join(facts), style="dim"))
    if trend := upvote_trend(paper):
        parts.append(trend)
    links = paper_links(paper)
    for url in links:
        parts.append(Text(url, style=Style(link=url, underline=True)))
    if paper.arxiv_id:
        parts.append(Text(f"arXiv:{paper.arxiv_id}", style="dim"))
    if paper.ai_summary:
        parts.append(Text(""))
        parts.append(Text("AI summary (generated, not by the authors)", style="bold italic"))
        parts.append(_highlighted(printable(paper.ai_summary), summary_spans, match, "italic"))
    parts.append(Text(""))
    parts.append(Text("Abstract", style="bold"))
    parts.append(_highlighted(printable(paper.abstract) or "(no abstract)", abstract_spans, match))
    if paper.sources:
        parts.append(Text(""))
        where = ", ".join(f"{s.file}:{s.line}" for s in paper.sources[:5])
        more = f" and {len(paper.sources) - 5} more" if len(paper.sources) > 5 else ""
        parts.append(Text(f"from {printable(where)}{more}", style="dim"))
    return Group(*parts)


def _hover_restyles_links(widget: Widget) -> bool:
    """Whether Textual's pass would restyle links for the hovered one (a link with an
    action, which the pane's plain URL links are not)."""
    hover = widget.hover_style
    return bool(widget.auto_links and hover._link_id and hover._meta and "@click" in hover.meta)


class DetailPane(ScrollView, can_focus=True):
    """Scrollable detail; `show` replaces the content.

    A Line-API view: the content is wrapped once per paper and width, and showing another
    paper repaints only this pane. (A Static in a scroll container re-laid out the whole
    screen on every change: ~20 ms, a stall while moving through the list or typing.)
    """

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; background: $surface; overflow-x: hidden; scrollbar-gutter: stable; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content: RenderableType = Text("No paper selected.", style="dim")
        self._lines: list[list[Segment]] = []  # the content, wrapped
        self._wrapped_width = -1
        self._line_style: Style | None = None

    @property
    def text(self) -> str:
        """The content as plain lines, as wrapped on screen."""
        return "\n".join("".join(segment.text for segment in line).rstrip() for line in self._lines)

    def show(self, renderable: RenderableType) -> None:
        self._content = renderable
        self._wrap(self.scrollable_content_region.width)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._wrapped_width:
            self._wrap(width)
            self.refresh()

    def _wrap(self, width: int) -> None:
        self._wrapped_width = width
        if width <= 0 or not self.is_mounted:
            self._lines = []
        else:
            console = self.app.console
            self._lines = console.render_lines(self._content, console.options.update_width(width), pad=False)
        set_content_size(self, Size(max(width, 0), len(self._lines)))

    def render_lines(self, crop: Region) -> list[Strip]:
        """The pane's lines as Textual's pass draws them, made by `boxed_lines`: that pass
        costs ~60 µs a line, and a paper's first frame draws every line of the pane (~2.3
        ms of a keystroke's frame). With anything else in the box (tint, opacity, set by a
        user's CSS), or a hovered link the pass would restyle, Textual draws it as usual."""
        self._line_style = self.rich_style  # the same for every line (~40 µs to work out)
        try:
            if needs_textuals_pass(self, own_box=True) or _hover_restyles_links(self):
                return super().render_lines(crop)
            return boxed_lines(self, crop, self._content_line)
        finally:
            self._line_style = None

    def render_line(self, y: int) -> Strip:
        """For Textual's pass."""
        return Strip(*self._content_line(y))

    def _content_line(self, y: int) -> tuple[list[Segment], int]:
        """Line `y` of the view in the pane's style (beneath the text's own), and its width."""
        width = self.scrollable_content_region.width
        index = y + self.scroll_offset.y
        style = self._line_style or self.rich_style
        if width <= 0:
            return [], 0
        if 0 <= index < len(self._lines):
            return Segment.adjust_line_length(list(Segment.apply_style(self._lines[index], style)), width, style), width
        return [Segment(" " * width, style)], width
