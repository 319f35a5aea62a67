"""Markdown: a reading list to paste into notes or an issue; renders on GitHub (GFM).

Each paper is one list item, `[title](best link)` then compact metadata; with a status
callback it becomes a task-list item (`- [x]` when read) with a star for starred papers.

Escaping: paper text is data, never markup. Every ASCII character that could start inline
markup or HTML (`\\ ` * _ [ ] < > # | ~ $ &`) is backslash-escaped, which CommonMark and
GitHub render as the character itself; `$` keeps GitHub from typesetting math, `&` keeps
`&copy;` from becoming ©, `<` keeps `<script>` from being HTML. Text at the start of a
line (blockquoted abstracts) also has list, heading and numbering markers escaped.
Whitespace runs collapse to one space and control characters become visible stand-ins.
Not neutralised: GitHub's own autolinks of bare URLs, `@user`, `#123` and `:emoji:`
shortcodes in plain text, which are not Markdown syntax and cannot be escaped away.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from broadsheet.links import best_link
from broadsheet.model import Paper
from broadsheet.text_safety import one_line

Status = Callable[[str], tuple[bool, bool]]
GroupBy = Literal["date", "status", "none"]

_INLINE = re.compile(r"([\\`*_\[\]<>#|~$&])")
# Block markers that matter only at the start of a line: lists, ordered lists, setext rules.
_LINE_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")
_URL_UNSAFE = re.compile(r"[\s()<>\\\x00-\x1f\x7f]")
_MAX_NAMES = 3


def escape(text: str) -> str:
    """`text` on one line, shown literally wherever inline Markdown is parsed."""
    return _INLINE.sub(r"\\\1", one_line(text))


def escape_line(text: str) -> str:
    """Like `escape`, for text that begins a line, where `-`, `+`, `1.` would start a block."""
    escaped = escape(text)
    match = _LINE_START.match(escaped)
    if not match:
        return escaped
    if match.group(1):
        return "\\" + escaped
    return match.group(2) + "\\" + escaped[match.end(2) :]


def _link_target(url: str) -> str:
    """Percent-encode what would end or break a link destination (parens, spaces, `<>`, `\\`)."""
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _who(paper: Paper) -> str:
    """Up to three names then `et al.`; else the author count; plus the organization."""
    parts: list[str] = []
    if paper.authors:
        names = ", ".join(paper.authors[:_MAX_NAMES])
        parts.append(names + (" et al." if len(paper.authors) > _MAX_NAMES else ""))
    elif paper.display_authors:
        parts.append(paper.display_authors)
    if paper.organization and paper.organization.name.strip():
        parts.append(paper.organization.name)
    return " · ".join(parts)


def _item(paper: Paper, *, show_date: bool, with_abstracts: bool, status: Status | None) -> str:
    box = ""
    if status is not None:
        starred, read = status(paper.key)
        box = ("[x] " if read else "[ ] ") + ("★ " if starred else "")
    meta = [_who(paper)]
    if show_date and paper.published:
        meta.append(paper.published.date.isoformat() + (" (year inferred)" if paper.published.year_inferred else ""))
    if paper.upvotes is not None:
        meta.append(f"{paper.upvotes} upvote" + ("" if paper.upvotes == 1 else "s"))
    details = " · ".join(escape(m) for m in meta if m)
    title = escape(paper.title) or "(untitled)"
    line = f"- {box}[{title}]({_link_target(best_link(paper))})" + (f" — {details}" if details else "")
    if with_abstracts:
        if paper.abstract.strip():
            line += "\n  > " + escape_line(paper.abstract)
        elif paper.ai_summary and paper.ai_summary.strip():
            line += "\n  > *AI summary:* " + escape(paper.ai_summary)
    return line + "\n"


def _groups(papers: list[Paper], group_by: GroupBy, status: Status | None) -> list[tuple[str, list[Paper]]]:
    """Headings and their papers, input order kept within a group; empty groups dropped."""
    if group_by == "none":
        return [("", papers)]
    if group_by == "date":
        dated = sorted({p.published.date for p in papers if p.published}, reverse=True)
        groups = [(d.isoformat(), [p for p in papers if p.published and p.published.date == d]) for d in dated]
        return [*groups, ("Undated", [p for p in papers if not p.published])]
    if status is None:
        raise ValueError("grouping by status needs a status callback")
    marks = {p.key: status(p.key) for p in papers}
    return [
        ("Starred", [p for p in papers if marks[p.key][0]]),
        ("Unread", [p for p in papers if not marks[p.key][0] and not marks[p.key][1]]),
        ("Read", [p for p in papers if not marks[p.key][0] and marks[p.key][1]]),
    ]


def write_markdown(
    papers: Iterable[Paper],
    *,
    group_by: GroupBy = "date",
    with_abstracts: bool = False,
    status: Status | None = None,
) -> Iterator[str]:
    """A `# Reading list` with `##` sections: by date (newest first, undated last), by
    starred/unread/read (needs `status(key) -> (starred, read)`), or none.

    Raises ValueError at once for `group_by="status"` without a callback (not lazily).
    """
    groups = [(h, ps) for h, ps in _groups(list(papers), group_by, status) if ps]
    return _render(groups, show_date=group_by != "date", with_abstracts=with_abstracts, status=status)


def _render(
    groups: list[tuple[str, list[Paper]]], *, show_date: bool, with_abstracts: bool, status: Status | None
) -> Iterator[str]:
    yield "# Reading list\n"
    for heading, members in groups:
        yield f"\n## {heading}\n\n" if heading else "\n"
        for paper in members:
            yield _item(paper, show_date=show_date, with_abstracts=with_abstracts, status=status)
