"""Evaluating a query tree to a bitset of slots, then scoring the matches.

Every node is evaluated within a `universe` (the slots still in the running) and returns
the subset of it that matches, so `AND` narrows as it goes: the cheap word lookups run
first and the per-paper checks (phrase verification, status callbacks) only see what
survived. The same mechanism narrows a growing query to the previous results.

Scores are small per-slot counters (see `bits.BitCounter`): per word, the best match in the
title (exact 8, prefix 7, typo 5) plus the best in the abstract or AI summary (3, 2, 1),
so any title match outranks any abstract-only one, and exact beats fuzzy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import bits, corpus
from .phrase import PhraseMatcher
from .query import All, And, Node, Not, Or, Org, Phrase, Range, Status, Word, positive_terms
from .results import StatusLookup

if TYPE_CHECKING:
    from ..model import Paper
    from .index import SearchIndex

Steps = Generator[None, None, int]
TITLE_WEIGHTS = (8, 7, 5)  # exact, prefix, with typos
BODY_WEIGHTS = (3, 2, 1)
_CHECKS_PER_STEP = 50  # papers whose text is checked between yields (at 100k, 200 made steps of 3-5 ms)
_READ_SLICE = 0.002  # seconds of reading texts between yields (when they come from disk)
_LOOKUPS_PER_STEP = 2000  # status lookups between yields
_MAX_SCORED = 20  # terms that count toward relevance (keeps scores within a byte)


@dataclass(frozen=True, slots=True)
class Tiers:
    """Slots where a word matched exactly, by prefix, or only with typos, per field."""

    title: tuple[int, int, int]
    body: tuple[int, int, int]

    def any_of(self, field: str) -> int:
        title, body = self.title, self.body
        result = 0
        if field in ("any", "title"):
            result |= title[0] | title[1] | title[2]
        if field in ("any", "abstract"):
            result |= body[0] | body[1] | body[2]
        return result


def _cost(node: Node) -> int:
    if isinstance(node, Phrase):
        return 2 if len(node.words) > 1 else 1
    if isinstance(node, Status):
        return 3
    if isinstance(node, Not):
        return _cost(node.child)
    if isinstance(node, (And, Or)):
        return max(_cost(child) for child in node.children)
    return 0


class Evaluator:
    """One search's evaluation; remembers per-term matches for scoring."""

    def __init__(self, index: SearchIndex, status: StatusLookup | None) -> None:
        self.index = index
        self.status = status
        self.phrase_hits: dict[Phrase, tuple[int, int]] = {}

    def run(self, node: Node, universe: int) -> Steps:
        """The slots of `universe` that match `node`."""
        if not universe:
            return 0
        if isinstance(node, All):
            return universe
        if isinstance(node, Word):
            tiers = yield from self.index.word_tiers_steps(node.text, node.prefix)
            return universe & tiers.any_of(node.field)
        if isinstance(node, Phrase):
            return (yield from self._phrase(node, universe))
        if isinstance(node, Range):
            facets = self.index.facets
            if node.field == "date":
                return universe & facets.date_bits(node.low, node.high)
            return universe & facets.number_bits(node.field, node.low, node.high)
        if isinstance(node, Org):
            return universe & self.index.facets.org_bits(node.value)
        if isinstance(node, Status):
            return (yield from self._status(node, universe))
        if isinstance(node, Not):
            return universe ^ (yield from self.run(node.child, universe))
        if isinstance(node, And):
            for child in sorted(node.children, key=_cost):
                universe = yield from self.run(child, universe)
                if not universe:
                    break
            return universe
        if isinstance(node, Or):
            found = 0
            for child in node.children:
                found |= yield from self.run(child, universe)
            return found
        raise TypeError(f"unknown query node {node!r}")  # pragma: no cover

    def _phrase(self, node: Phrase, universe: int) -> Steps:
        index = self.index
        fields = []
        if node.field in ("any", "title"):
            fields.append(("title", index.title))
        if node.field in ("any", "abstract") and index.complete:
            fields.append(("body", index.body))
        hits = {"title": 0, "body": 0}
        for name, postings in fields:
            found = universe
            for i, word in enumerate(node.words):
                if node.prefix and i == len(node.words) - 1:
                    found &= yield from postings.union_steps([index.vocab.prefix_range(word)])
                else:
                    found &= postings.term(index.vocab.find(word))
                if not found:
                    break
            if found and len(node.words) > 1:
                found = yield from self._verify(node, name, found, universe)
            hits[name] = found
        old = self.phrase_hits.get(node, (0, 0))
        self.phrase_hits[node] = (old[0] | hits["title"], old[1] | hits["body"])
        return hits["title"] | hits["body"]

    def _verify(self, node: Phrase, field: str, candidates: int, universe: int) -> Steps:
        """The candidates whose text has the phrase; verdicts are kept across searches."""
        index = self.index
        key = (node.words, node.prefix, field)
        known, known_hits = index.phrase_verdicts.get(key, (0, 0))
        papers, slot_to_row = index.papers, index.slot_to_row
        matcher = PhraseMatcher(node.words, node.prefix)
        slots = bits.to_slots(candidates & ~known)
        titles = index.titles if field == "title" else []
        kept: list[int] = []
        for start in range(0, len(slots), _CHECKS_PER_STEP):
            chunk = slots[start : start + _CHECKS_PER_STEP]
            if field == "title":
                texts = [titles[slot_to_row[slot]] for slot in chunk]
            else:  # abstract and summary as one text: the separator keeps them apart
                texts = yield from _bodies(papers, [slot_to_row[slot] for slot in chunk], matcher.separator)
            kept.extend(chunk[i] for i in matcher.which(texts))
            yield
        known_hits |= bits.from_slots(kept, index.n)
        index.remember_phrase(key, known | universe, known_hits)
        return known_hits & candidates

    def _status(self, node: Status, universe: int) -> Steps:
        lookup = self.status or StatusLookup()
        index = self.index
        kind = "starred" if node.status == "starred" else "read"
        if lookup.version is None:
            marked = yield from self._marked(lookup, kind, universe)
        else:  # the caller promises the same version means the same state: reuse
            key = (kind, lookup.version)
            everywhere = index.status_bits.get(key)
            if everywhere is None:
                everywhere = yield from self._marked(lookup, kind, bits.full(index.n))
                index.remember_status(key, everywhere)
            marked = everywhere & universe
        return marked if node.status != "unread" else universe ^ marked

    def _marked(self, lookup: StatusLookup, kind: str, universe: int) -> Steps:
        """The slots of `universe` that are starred (or read)."""
        index = self.index
        keys = lookup.starred if kind == "starred" else lookup.read
        predicate = lookup.is_starred if kind == "starred" else lookup.is_read
        kept: list[int] = []
        if keys is not None and len(keys) <= universe.bit_count():
            find = (yield from index.slot_of_key_steps()).get
            for i, key in enumerate(keys, 1):  # the marked papers are fewer: look them up
                slot = find(key)
                if slot is not None:
                    kept.append(slot)
                if i % _LOOKUPS_PER_STEP == 0:
                    yield
        else:
            test: Callable[[str], bool] | None = keys.__contains__ if keys is not None else predicate
            if test is None:  # nothing known: nothing starred or read
                return 0
            slot_keys = yield from index.keys_by_slot_steps()
            for i, slot in enumerate(bits.to_slots(universe), 1):
                if test(slot_keys[slot]):
                    kept.append(slot)
                if i % _LOOKUPS_PER_STEP == 0:
                    yield
        return bits.from_slots(kept, index.n) & universe

    def scores(self, root: Node, matched: int) -> Generator[None, None, bytes]:
        """Per-slot relevance of the `matched` slots, one byte each."""
        counter = bits.BitCounter()
        for node in list(positive_terms(root))[:_MAX_SCORED]:
            yield
            if isinstance(node, Word):
                tiers = yield from self.index.word_tiers_steps(node.text, node.prefix)
                if node.field in ("any", "title"):
                    _add_tiers(counter, tiers.title, TITLE_WEIGHTS, matched)
                if node.field in ("any", "abstract"):
                    _add_tiers(counter, tiers.body, BODY_WEIGHTS, matched)
            else:
                yield from self._phrase(node, matched)  # every match gets its verdict (cached)
                title_hits, body_hits = self.phrase_hits[node]
                counter.add(title_hits & matched, TITLE_WEIGHTS[0])
                counter.add(body_hits & matched, BODY_WEIGHTS[0])
        return (yield from counter.as_bytes_steps(self.index.n))


def _add_tiers(
    counter: bits.BitCounter, tiers: tuple[int, int, int], weights: tuple[int, int, int], within: int
) -> None:
    exact, prefix, typo = tiers
    exact &= within
    prefix = prefix & within & ~exact
    typo = typo & within & ~(exact | prefix)
    counter.add(exact, weights[0])
    counter.add(prefix, weights[1])
    counter.add(typo, weights[2])


def _bodies(papers: Sequence[Paper], rows: list[int], separator: str) -> Generator[None, None, list[str]]:
    """Abstract and summary of each row as one text, yielding whenever reading them has
    taken _READ_SLICE: warm, a step's texts read in well under a millisecond; from a file
    that left the page cache, each can wait for the disk, and a step's 200 read in one go
    once stalled the UI 200-370 ms at 100k papers."""
    read = corpus.body_reader(papers)
    texts: list[str] = []
    clock = time.perf_counter
    began = clock()
    for row in rows:
        abstract, summary = read(row)
        texts.append(f"{abstract}{separator}{summary}" if summary else abstract)
        if clock() - began > _READ_SLICE:
            yield
            began = clock()
    return texts
