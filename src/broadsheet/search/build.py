"""Building the inverted index from papers: tokenize every paper once, in slot order.

Tokenizing 170 MB of abstracts is the cost of a cold build, so each paper's distinct tokens
go straight into per-term slot arrays through C-level `map` calls (no Python loop per
token). Papers are visited in slot order, so every array comes out sorted. The arrays are
`array('I')`, not lists: a slot takes 4 bytes instead of an 8-byte pointer (16M slots at
100k papers), and they reach the flat postings by memcpy. Every few thousand papers the
slots of the terms already known to be frequent move into their bitsets (`TermSlots.settle`),
so their arrays stay short. (Transposing bit matrices for the frequent terms was tried:
slower than these appends.)

A full build may start from the title-only stage's parts (`titles`): it reuses their slot
order and title postings and tokenizes only the abstracts, with the same result.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat

from ..model import Paper
from . import corpus
from .facets import Order, slot_order
from .postings import FieldPostings, TermSlots
from .results import BuildCancelled
from .text import ASCII_TABLE, token_set_bytes
from .vocab import GramIndex, Vocabulary

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
_REPORT_EVERY = 1000
_SETTLE_EVERY = 4000  # papers between TermSlots.settle calls (a multiple of _REPORT_EVERY)
_TITLE_SHARE = 8  # a title costs about an eighth of an abstract to index (for progress only)


@dataclass(slots=True)
class Parts:
    """Everything an index is made of, as built or as loaded from the cache."""

    slot_to_row: list[int]
    vocab: Vocabulary
    title: FieldPostings
    body: FieldPostings
    complete: bool
    orders: dict[str, Order] = field(default_factory=dict)  # sort orders, when loaded from a cache


def build_parts(
    papers: Sequence[Paper],
    titles_only: bool,
    progress: Progress | None,
    should_cancel: Cancel | None,
    titles: Parts | None = None,
) -> Parts:
    """Index titles (and unless `titles_only`, abstracts and AI summaries) of `papers`.

    `titles`, the title-only parts of these same papers, saves tokenizing the titles again
    (and is returned as it is when `titles_only`)."""
    if titles is not None and titles_only:
        return titles
    n = len(papers)
    title_units = 0 if titles is not None else n if titles_only else n // _TITLE_SHARE
    body_units = 0 if titles_only else n
    total = title_units + body_units + n // 4 + 1  # the last part stands for finishing the postings

    def report(done: int) -> None:
        if should_cancel is not None and should_cancel():
            raise BuildCancelled()
        if progress is not None:
            progress(done, total)

    report(0)
    title_slots = TermSlots(n)
    if titles is None:
        slot_to_row = slot_order(papers)
        names = corpus.titles(papers)
        scale = title_units / max(n, 1)
        _collect(title_slots, map(names.__getitem__, slot_to_row), lambda slot: report(int(slot * scale)))
    else:
        slot_to_row = titles.slot_to_row
    body_slots = TermSlots(n)
    if not titles_only:
        bodies = map(_body_text, map(papers.__getitem__, slot_to_row))
        _collect(body_slots, bodies, lambda slot: report(title_units + slot))
    report(title_units + body_units)

    if titles is None:
        keys = sorted(title_slots.arrays.keys() | body_slots.arrays.keys())  # UTF-8 order is code point order
        title = FieldPostings.collect(keys, title_slots)
    else:
        title_keys = [term.encode() for term in titles.vocab.terms]
        keys = sorted(body_slots.arrays.keys() | set(title_keys))
        position = {key: i for i, key in enumerate(keys)}
        title = titles.title.renumbered(list(map(position.__getitem__, title_keys)), len(keys))
    del title_slots
    report(title_units + body_units + n // 16)
    terms = [key.decode() for key in keys]
    body = FieldPostings.empty(n, len(terms)) if titles_only else FieldPostings.collect(keys, body_slots)
    del body_slots
    report(title_units + body_units + n // 8)
    vocab = Vocabulary(terms, GramIndex.build(terms))
    report(total)
    return Parts(slot_to_row, vocab, title, body, not titles_only)


def _body_text(paper: Paper) -> str:
    summary = paper.ai_summary
    return paper.abstract + "\n" + summary if summary else paper.abstract


def _collect(into: TermSlots, texts: Iterable[str], checkpoint: Callable[[int], None]) -> None:
    """Add the distinct tokens of `texts` (as UTF-8 bytes) to `into`, text `i` as slot `i`;
    `checkpoint(i)` runs every _REPORT_EVERY texts."""
    arrays = into.arrays
    get, append = arrays.__getitem__, array.append
    table = ASCII_TABLE
    for slot, text in enumerate(texts):
        if not slot % _REPORT_EVERY:
            checkpoint(slot)
            if not slot % _SETTLE_EVERY:
                into.settle()
        # token_set_bytes, inlined: this line runs once per paper
        tokens = set(text.encode("ascii").translate(table).split()) if text.isascii() else token_set_bytes(text)
        any(map(append, map(get, tokens), repeat(slot)))
