"""Reading per-paper fields in bulk, from columns when the paper sequence has them.

The corpus cache (`broadsheet.corpus_cache.CachedPapers`) decodes a paper only when it is
indexed into, but keeps keys, titles, dates and upvotes as plain lists. Going through
those lists keeps loading the index, sorting and title-only indexing free of 100k record
decodings (~1-2 s); a plain list of papers is read attribute by attribute. Either way the
values are the same, so a cache saved from one loads with the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from ..model import Paper, upvote_growth


def _column(papers: Sequence[Paper], name: str) -> list[Any] | None:
    column = getattr(papers, name, None)
    if hasattr(column, "as_list"):  # the cache's keys and titles: cut into strings once
        column = column.as_list()
    return column if isinstance(column, list) and len(column) == len(papers) else None


def digest(papers: Sequence[Paper]) -> str:
    """The corpus cache's `content_digest` of these papers: stored with cached papers (so
    loading an index digests nothing), worked out from the columns otherwise."""
    stored = getattr(papers, "digest", None)
    if isinstance(stored, str):
        return stored
    from broadsheet.corpus_cache import TextColumn, content_digest  # one definition of both

    return content_digest(TextColumn.pack(keys(papers)), TextColumn.pack(titles(papers)), dates(papers))


def keys(papers: Sequence[Paper]) -> list[str]:
    return _column(papers, "keys") or [paper.key for paper in papers]


def titles(papers: Sequence[Paper]) -> list[str]:
    return _column(papers, "titles") or [paper.title for paper in papers]


def title_column(papers: Sequence[Paper]) -> Sequence[str]:
    """Titles by row, for reading a few at a time: the corpus cache's column as it is (it
    cuts a title out when asked; cutting all 100k at once is one ~10-30 ms call, which a
    keystroke would otherwise wait for)."""
    return _lazy_column(papers, "titles") or titles(papers)


def key_chunks(papers: Sequence[Paper], size: int) -> Iterator[list[str]]:
    """The keys by row, `size` at a time: the corpus cache's column is cut a chunk at a
    time (cutting 100k keys at once held the first `is:unread` keystroke for ~20 ms)."""
    column = _lazy_column(papers, "keys")
    for start in range(0, len(papers), size):
        if column is not None:
            yield column.cut(start, start + size)  # type: ignore[attr-defined]
        else:
            yield [paper.key for paper in papers[start : start + size]]


def _lazy_column(papers: Sequence[Paper], name: str) -> Sequence[str] | None:
    column = getattr(papers, name, None)
    if hasattr(column, "as_list") and len(column) == len(papers):  # type: ignore[arg-type]
        return column  # type: ignore[return-value]
    return None


def dates(papers: Sequence[Paper]) -> list[int]:
    """Day ordinals of the publication dates; 0 for undated papers."""
    column = _column(papers, "dates")
    if column is not None:
        return column
    return [paper.published.date.toordinal() if paper.published else 0 for paper in papers]


def upvotes(papers: Sequence[Paper]) -> list[int | None]:
    column = _column(papers, "upvotes")
    if column is not None:  # the cache writes -1 for unknown
        return [None if votes < 0 else votes for votes in column]
    return [paper.upvotes for paper in papers]


class Facts(NamedTuple):
    """Per row: author count, upvotes gained per day, organization as (id, name)."""

    authors: Sequence[int | None]
    growth: Sequence[float | None]
    organizations: Sequence[tuple[str, str] | None]


def facts(papers: Sequence[Paper]) -> Facts:
    """Fields only a whole record holds: the corpus cache keeps them as columns, so the
    sort and filter tables need no decoding of 100k records (~2 s)."""
    cached = getattr(papers, "facts", None)
    if callable(cached):
        return Facts(*cached())
    authors, growth, organizations = [], [], []
    for paper in papers:
        authors.append(paper.author_count)
        growth.append(upvote_growth(paper))
        org = paper.organization
        organizations.append((org.id, org.name) if org is not None else None)
    return Facts(authors, growth, organizations)


def bodies(papers: Sequence[Paper], rows: Sequence[int]) -> list[tuple[str, str | None]]:
    """(abstract, AI summary) of `rows` (see `body_reader`)."""
    return list(map(body_reader(papers), rows))


def body_reader(papers: Sequence[Paper]) -> Callable[[int], tuple[str, str | None]]:
    """(abstract, AI summary) of a row: the corpus cache reads them without decoding the
    rest of each record (half the time of a phrase check over thousands of papers)."""
    body_text = getattr(papers, "body_text", None)
    if body_text is not None:
        return body_text  # type: ignore[no-any-return]

    def read(row: int) -> tuple[str, str | None]:
        paper = papers[row]
        return paper.abstract, paper.ai_summary

    return read
