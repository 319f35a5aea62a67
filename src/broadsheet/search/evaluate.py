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

import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import bits
from .query import All, And, Node, Not, Or, Org, Phrase, Range, Status, Word, positive_terms
from .results import StatusLookup

if TYPE_CHECKING:
    from .index import SearchIndex

Steps = Generator[None, None, int]
TITLE_WEIGHTS = (8, 7, 5)  # exact, prefix, with typos
BODY_WEIGHTS = (3, 2, 1)
_CHECKS_PER_STEP = 400  # papers verified between yields (~2 ms)
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


def phrase_regex(words: tuple[str, ...], prefix: bool) -> re.Pattern[str]:
    """Consecutive tokens, separated by anything that is not a letter or digit."""
    body = r"[\W_]+".join(re.escape(word) for word in words)
    tail = "" if prefix else r"(?![^\W_])"
    return re.compile(r"(?<![^\W_])" + body + tail, re.IGNORECASE)


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
        regex = phrase_regex(node.words, node.prefix) if len(node.words) > 1 else None
        for name, postings in fields:
            found = universe
            for i, word in enumerate(node.words):
                if node.prefix and i == len(node.words) - 1:
                    found &= yield from postings.union_steps([index.vocab.prefix_range(word)])
                else:
                    found &= postings.term(index.vocab.find(word))
                if not found:
                    break
            if found and regex is not None:
                found = yield from self._verify(regex, found, name == "title")
            hits[name] = found
        old = self.phrase_hits.get(node, (0, 0))
        self.phrase_hits[node] = (old[0] | hits["title"], old[1] | hits["body"])
        return hits["title"] | hits["body"]

    def _verify(self, regex: re.Pattern[str], candidates: int, in_title: bool) -> Steps:
        papers, slot_to_row = self.index.papers, self.index.slot_to_row
        search = regex.search
        kept: list[int] = []
        for i, slot in enumerate(bits.to_slots(candidates), 1):
            paper = papers[slot_to_row[slot]]
            if in_title:
                if search(paper.title):
                    kept.append(slot)
            elif search(paper.abstract) or (paper.ai_summary and search(paper.ai_summary)):
                kept.append(slot)
            if i % _CHECKS_PER_STEP == 0:
                yield
        return bits.from_slots(kept, self.index.n)

    def _status(self, node: Status, universe: int) -> Steps:
        lookup = self.status or StatusLookup()
        index = self.index
        starred = node.status == "starred"
        keys = lookup.starred if starred else lookup.read
        predicate = lookup.is_starred if starred else lookup.is_read
        marked = 0
        if keys is not None:
            if len(keys) <= universe.bit_count():
                slot_of_key = index.slot_of_key
                marked = bits.from_slots([slot_of_key[k] for k in keys if k in slot_of_key], index.n)
            else:
                slot_keys = index.keys_by_slot
                marked = bits.from_slots([s for s in bits.to_slots(universe) if slot_keys[s] in keys], index.n)
        elif predicate is not None:
            slot_keys = index.keys_by_slot
            kept: list[int] = []
            for i, slot in enumerate(bits.to_slots(universe), 1):
                if predicate(slot_keys[slot]):
                    kept.append(slot)
                if i % (_CHECKS_PER_STEP * 8) == 0:
                    yield
            marked = bits.from_slots(kept, index.n)
        marked &= universe
        return marked if node.status != "unread" else universe ^ marked

    def scores(self, root: Node, matched: int) -> Generator[None, None, bytes]:
        """Per-slot relevance of the `matched` slots, one byte each."""
        counter = bits.BitCounter()
        for node in list(positive_terms(root))[:_MAX_SCORED]:
            if isinstance(node, Word):
                tiers = yield from self.index.word_tiers_steps(node.text, node.prefix)
                if node.field in ("any", "title"):
                    _add_tiers(counter, tiers.title, TITLE_WEIGHTS, matched)
                if node.field in ("any", "abstract"):
                    _add_tiers(counter, tiers.body, BODY_WEIGHTS, matched)
            else:
                title_hits, body_hits = self.phrase_hits.get(node, (0, 0))
                counter.add(title_hits & matched, TITLE_WEIGHTS[0])
                counter.add(body_hits & matched, BODY_WEIGHTS[0])
        return counter.as_bytes(self.index.n)


def _add_tiers(counter: bits.BitCounter, tiers: tuple[int, int, int], weights: tuple[int, int, int], within: int) -> None:
    exact, prefix, typo = tiers
    exact &= within
    prefix = prefix & within & ~exact
    typo = typo & within & ~(exact | prefix)
    counter.add(exact, weights[0])
    counter.add(prefix, weights[1])
    counter.add(typo, weights[2])
