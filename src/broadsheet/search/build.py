"""Building the inverted index from papers: tokenize every paper once, in slot order.

Tokenizing 170 MB of abstracts is the cost of a cold build, so each paper's distinct tokens
go straight into per-term slot lists through C-level `map` calls (no Python loop per
token). Papers are visited in slot order, so every list comes out sorted. (Transposing bit
matrices for the frequent terms was tried: slower than these appends.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat

from ..model import Paper
from . import corpus
from .facets import slot_order
from .postings import FieldPostings
from .results import BuildCancelled
from .text import ASCII_TABLE, token_set_bytes
from .vocab import GramIndex, Vocabulary

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
_REPORT_EVERY = 1000


@dataclass(slots=True)
class Parts:
    """Everything an index is made of, as built or as loaded from the cache."""

    slot_to_row: list[int]
    vocab: Vocabulary
    title: FieldPostings
    body: FieldPostings
    complete: bool
    orders: dict[str, list[int]] = field(default_factory=dict)  # slot orders, when loaded from a cache


def build_parts(
    papers: Sequence[Paper], titles_only: bool, progress: Progress | None, should_cancel: Cancel | None
) -> Parts:
    """Index titles (and unless `titles_only`, abstracts and AI summaries) of `papers`."""
    n = len(papers)
    total = n + n // 4 + 1  # the last quarter stands for finishing the postings

    def report(done: int) -> None:
        if should_cancel is not None and should_cancel():
            raise BuildCancelled()
        if progress is not None:
            progress(done, total)

    report(0)
    slot_to_row = slot_order(papers)
    title_lists: defaultdict[bytes, list[int]] = defaultdict(list)
    body_lists: defaultdict[bytes, list[int]] = defaultdict(list)
    title_get, body_get = title_lists.__getitem__, body_lists.__getitem__
    append = list.append
    table = ASCII_TABLE
    titles = corpus.titles(papers)
    for start in range(0, n, _REPORT_EVERY):
        report(start)
        for slot in range(start, min(n, start + _REPORT_EVERY)):
            row = slot_to_row[slot]
            any(map(append, map(title_get, token_set_bytes(titles[row])), repeat(slot)))
            if titles_only:
                continue
            paper = papers[row]
            summary = paper.ai_summary
            body = paper.abstract + "\n" + summary if summary else paper.abstract
            # token_set_bytes, inlined: this line runs 100k times
            tokens = set(body.encode("ascii").translate(table).split()) if body.isascii() else token_set_bytes(body)
            any(map(append, map(body_get, tokens), repeat(slot)))
    report(n)
    keys = sorted(title_lists.keys() | body_lists.keys())  # UTF-8 byte order is code point order
    terms = [key.decode() for key in keys]
    title = FieldPostings.from_lists(n, [title_lists.get(key) for key in keys])
    del title_lists
    report(n + n // 16)
    if titles_only:
        body_postings = FieldPostings.empty(n, len(terms))
    else:
        body_postings = FieldPostings.from_lists(n, [body_lists.get(key) for key in keys])
    del body_lists
    report(n + n // 8)
    vocab = Vocabulary(terms, GramIndex.build(terms))
    report(total)
    return Parts(slot_to_row, vocab, title, body_postings, not titles_only)
