"""The detail pane: everything about the paper under the cursor, wrapped and scrollable.

Built from rich `Text` objects made from plain strings, so nothing in a paper is ever read
as markup; control characters are replaced before they reach the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from broadsheet.links import paper_links
from broadsheet.model import Paper
from broadsheet.sparkline import sparkline
from broadsheet.text_safety import one_line, printable

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


class DetailPane(VerticalScroll, can_focus=True):
    """Scrollable detail; `show` replaces the content."""

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; background: $surface; }
    DetailPane > Static { width: 100%; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("No paper selected.", style="dim"), id="detail-body")

    def show(self, renderable: Group | Text) -> None:
        self.query_one("#detail-body", Static).update(renderable)
        self.scroll_home(animate=False)
