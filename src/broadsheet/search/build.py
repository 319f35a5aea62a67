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

The abstracts are most of the work and it all holds the GIL, so from _HELPER_MIN papers
on a helper process tokenizes part of them on the second core (`helper`: it claims chunks
from the front of the slots after this thread's first share, this thread claims them back
from the far end, and the pieces merge in slot order). With no second core free it costs
about what it saves; any failure of the helper falls back to doing its part here. The
abstracts are read through `corpus.bodies`: the corpus cache then decodes no whole records.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat

from ..model import Paper
from . import corpus
from .facets import Order, slot_order
from .helper import Helper, likely_dense
from .postings import FieldPostings, TermSlots
from .results import BuildCancelled
from .text import ASCII_TABLE, token_set_bytes
from .vocab import GramIndex, Vocabulary

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
_REPORT_EVERY = 1000
_SETTLE_EVERY = 4000  # papers between TermSlots.settle calls (a multiple of _REPORT_EVERY)
_HELPER_MIN = 8000  # papers from which a helper process pays off (it takes ~0.1 s to start)
_OWN_SHARE = 0.4  # of the papers, tokenized here before claiming chunks from the helper's end
_CHUNK = 1000  # papers in a chunk sent to the helper or claimed back (~0.1 s of work)
_BODY_CHUNK = 2000  # abstracts read at a time
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
        collect_into(title_slots, map(names.__getitem__, slot_to_row), 0, lambda slot: report(int(slot * scale)))
    else:
        slot_to_row = titles.slot_to_row
    body_slots = TermSlots(n)
    if not titles_only:
        _collect_bodies(papers, slot_to_row, body_slots, lambda slot: report(title_units + slot))
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


def _collect_bodies(
    papers: Sequence[Paper], slot_to_row: list[int], into: TermSlots, checkpoint: Callable[[int], None]
) -> None:
    """Tokenize the abstracts and AI summaries into `into`, by slot. From _HELPER_MIN papers
    on, a helper process takes the slots after this thread's first share, and this thread
    then claims chunks from the far end until the two meet (see `helper`)."""
    n = len(slot_to_row)

    def texts(start: int, stop: int) -> Iterator[str]:
        return _body_texts(papers, slot_to_row[start:stop])

    def at_end(_slot: int) -> None:
        checkpoint(n)  # still checks for cancelling

    own = max(1, int(n * _OWN_SHARE)) if n >= _HELPER_MIN else n
    helper = Helper.start(n, own, lambda start, stop: list(texts(start, stop)), _CHUNK) if own < n else None
    if helper is None:
        own = n
    else:
        into.settle_at = likely_dense(n)
    tail: list[TermSlots] = []  # the chunks claimed from the end, last first
    try:
        collect_into(into, texts(0, own), 0, lambda slot: checkpoint(slot * n // own))
        while helper is not None and (claim := helper.claim_last(_CHUNK)) is not None:
            at_end(0)
            tail.append(TermSlots(n, settle_at=likely_dense(n)))
            collect_into(tail[-1], texts(*claim), claim[0], at_end)
    except BaseException:
        if helper is not None:
            helper.stop()
        raise
    if helper is None:
        return
    into.settle()  # the frequent terms' last slots, while their span is short
    packed = helper.result()
    if packed is not None:
        into.absorb(packed)
    else:  # the helper failed: its chunks are done here
        collect_into(into, texts(own, helper.next), own, at_end)
    for chunk in reversed(tail):
        into.absorb(chunk.packed())


def _body_list(papers: Sequence[Paper], rows: list[int]) -> list[str]:
    """Abstract and AI summary of each of `rows` as one text (the corpus cache reads them
    without decoding whole records: 0.25 s instead of 2 s at 100k papers)."""
    return [abstract + "\n" + summary if summary else abstract for abstract, summary in corpus.bodies(papers, rows)]


def _body_texts(papers: Sequence[Paper], rows: list[int]) -> Iterator[str]:
    """`_body_list` of `rows`, read _BODY_CHUNK at a time."""
    starts = range(0, len(rows), _BODY_CHUNK)
    return chain.from_iterable(_body_list(papers, rows[start : start + _BODY_CHUNK]) for start in starts)


def collect_into(
    into: TermSlots, texts: Iterable[str], first: int = 0, checkpoint: Callable[[int], None] | None = None
) -> None:
    """Add the distinct tokens of `texts` (as UTF-8 bytes) to `into`, text `i` as slot
    `first + i`; `checkpoint(slot)` runs every _REPORT_EVERY slots."""
    arrays = into.arrays
    get, append = arrays.__getitem__, array.append
    table = ASCII_TABLE
    for slot, text in enumerate(texts, first):
        if not slot % _REPORT_EVERY:
            if checkpoint is not None:
                checkpoint(slot)
            if not slot % _SETTLE_EVERY:
                into.settle()
        # token_set_bytes, inlined: this line runs once per paper
        tokens = set(text.encode("ascii").translate(table).split()) if text.isascii() else token_set_bytes(text)
        any(map(append, map(get, tokens), repeat(slot)))
