"""The vocabulary (every distinct token, sorted) and typo-tolerant lookups into it.

Fuzzy matching runs over the vocabulary, never over documents: a word expands to the
terms within its allowed edits, and their postings do the rest. Scanning a 100k-term
vocabulary with rapidfuzz costs 10-30 ms (it holds the GIL), so candidates come from a
positional bigram index first: split the word into edits+1 disjoint bigrams; any term
within `edits` typos keeps one of them intact, shifted by at most `edits` places
(pigeonhole). Only those candidates are checked with rapidfuzz.

Typos are counted as OSA edits: an insertion, a deletion, a substitution or the swap of two
adjacent letters (`modle`, `grpah`) each count one. The pigeonhole argument survives swaps
because a swap across the boundary of two adjacent pieces leaves the swapped bigram intact,
and that bigram is looked up too.

A word being typed matches by prefix edit distance (the distance to the closest prefix of
a term). Extending the word can only raise that distance, so while the allowed edits stay
the same each keystroke re-checks just the previous keystroke's matches.
"""

from __future__ import annotations

import contextlib
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .steps import drain
from .text import max_edits

GRAM_POSITIONS = 24  # bigrams starting beyond this are not indexed
_CHUNK = 4000  # candidates checked per step (~1-2 ms of rapidfuzz, which holds the GIL)
_CACHE_SIZE = 512

Steps = Generator[None, None, "Expansion"]


@dataclass(frozen=True, slots=True)
class Expansion:
    """The terms a query word matches, by quality: itself, by prefix, with typos."""

    word: str
    prefix: bool
    exact: int  # term id of the word itself, -1 when absent
    prefix_range: tuple[int, int]  # ids of terms starting with the word (prefix mode only)
    fuzzy: tuple[int, ...]  # ids matched only thanks to typos
    fuzzy_terms: frozenset[str]

    def matched_ids(self) -> Iterable[int]:
        yield from range(*self.prefix_range)
        if self.exact >= 0 and not self.prefix_range[0] <= self.exact < self.prefix_range[1]:
            yield self.exact
        yield from self.fuzzy

    def prefix_ranges(self) -> list[tuple[int, int]]:
        """The prefix range, whole (the exact term in it ranks higher anyway): whole ranges
        of short prefixes are the ones precomputed by `warm_up`."""
        lo, hi = self.prefix_range
        return [(lo, hi)] if hi > lo else []


class GramIndex:
    """Term ids by (bigram, position), in one flat array (compact, cheap to save)."""

    def __init__(self, keys: Sequence[str], offsets: array[int], ids: array[int]) -> None:
        self.keys = list(keys)
        self.offsets = offsets
        self.ids = ids
        self._at = {key: i for i, key in enumerate(self.keys)}

    @classmethod
    def build(cls, terms: Sequence[str]) -> GramIndex:
        """Index every bigram position below GRAM_POSITIONS (C-level `map`s, ~0.3 s per 100k terms)."""
        by_length = sorted(range(len(terms)), key=lambda i: -len(terms[i]))
        words = [terms[i] for i in by_length]
        append = list.append
        grouped: dict[str, list[int]] = {}
        for j in range(GRAM_POSITIONS):
            count = _count_longer(words, j + 2)
            if not count:
                break
            at_j: defaultdict[str, list[int]] = defaultdict(list)
            bigrams = map(str.__getitem__, words[:count], repeat(slice(j, j + 2)))
            any(map(append, map(at_j.__getitem__, bigrams), by_length[:count]))
            suffix = str(j)
            for bigram, ids in at_j.items():
                grouped[bigram + suffix] = ids
        keys = sorted(grouped)
        offsets = array("I", [0])
        flat = array("I")
        for key in keys:
            flat.extend(sorted(grouped[key]))
            offsets.append(len(flat))
        return cls(keys, offsets, flat)

    def size(self, key: str) -> int:
        i = self._at.get(key)
        return 0 if i is None else self.offsets[i + 1] - self.offsets[i]

    def ids_of(self, key: str) -> array[int]:
        i = self._at.get(key)
        return array("I") if i is None else self.ids[self.offsets[i] : self.offsets[i + 1]]


def _count_longer(words: list[str], length: int) -> int:
    """How many of `words` (longest first) have at least `length` characters."""
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(words[mid]) >= length:
            lo = mid + 1
        else:
            hi = mid
    return lo


class Vocabulary:
    """Sorted distinct terms; a term's id is its position."""

    def __init__(self, terms: list[str], grams: GramIndex | None = None) -> None:
        self.terms = terms
        self.lengths = [len(term) for term in terms]
        self.grams = grams if grams is not None else GramIndex.build(terms)
        self._cache: dict[tuple[str, bool], Expansion] = {}

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, term: str) -> int:
        i = bisect_left(self.terms, term)
        return i if i < len(self.terms) and self.terms[i] == term else -1

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        lo = bisect_left(self.terms, prefix)
        return lo, bisect_left(self.terms, prefix + "\U0010ffff", lo)

    def short_prefix_ranges(self) -> list[tuple[int, int]]:
        """The id ranges of every distinct one- and two-letter prefix, in prefix order (the
        unions `warm_up` pins). Hops through the terms a two-letter prefix at a time (a
        bisect per prefix), so the cost follows the prefixes (hundreds), not the terms."""
        terms, ranges = self.terms, []
        at, end = 0, len(terms)
        while at < end:
            lo, stop = self.prefix_range(terms[at][:1])
            ranges.append((lo, stop))
            stop = max(stop, at + 1)  # (a term holding U+10FFFF may sort past its prefix's range)
            while at < stop:
                two = terms[at][:2]
                if len(two) == 1:  # the one-letter term itself sorts first among its prefix's
                    at += 1
                    continue
                lo, hi = self.prefix_range(two)
                ranges.append((lo, hi))
                at = max(hi, at + 1)
        return ranges

    def expand(self, word: str, prefix: bool) -> Expansion:
        """`expand_steps` run to completion."""
        return drain(self.expand_steps(word, prefix))

    def expand_steps(self, word: str, prefix: bool) -> Steps:
        """Expand `word`, yielding between bounded chunks of rapidfuzz work."""
        cached = self._cache.get((word, prefix))
        if cached is not None:
            return cached
        edits = max_edits(word)
        exact = self.find(word)
        lo, hi = self.prefix_range(word) if prefix else (0, 0)
        fuzzy: list[int] = []
        if edits:
            pool = self._narrowed_pool(word, prefix, edits)
            if pool is None:
                pool = yield from self._pigeonhole(word, edits)
            matched = yield from self._verify(word, edits, prefix, pool)
            fuzzy = sorted(i for i in matched if i != exact and not lo <= i < hi)
        terms = self.terms
        expansion = Expansion(word, prefix, exact, (lo, hi), tuple(fuzzy), frozenset(terms[i] for i in fuzzy))
        self._remember((word, prefix), expansion)
        return expansion

    def _remember(self, key: tuple[str, bool], expansion: Expansion) -> None:
        cache = self._cache
        cache[key] = expansion
        if len(cache) > _CACHE_SIZE:
            with contextlib.suppress(KeyError, RuntimeError, StopIteration):  # raced another thread
                del cache[next(iter(cache))]

    def _narrowed_pool(self, word: str, prefix: bool, edits: int) -> list[int] | None:
        """Matches of an earlier expansion that must contain this one's, if cached.

        A whole word's matches are within its own prefix matches; a longer prefix's within a
        shorter one's, as long as both allow the same number of edits.
        """
        if not prefix:
            earlier = self._cache.get((word, True))
            return None if earlier is None else list(earlier.matched_ids())
        for cut in range(len(word) - 1, 0, -1):
            if max_edits(word[:cut]) != edits:
                return None
            earlier = self._cache.get((word[:cut], True))
            if earlier is not None:
                return list(earlier.matched_ids())
        return None

    def _pigeonhole(self, word: str, edits: int) -> Generator[None, None, list[int]]:
        """Candidate ids: terms holding one of `edits`+1 disjoint bigrams of `word` near its place."""
        grams = self.grams
        length = len(word)
        cost: dict[int, tuple[int, list[str]]] = {}
        for p in range(length - 1):
            if p + edits + 1 >= GRAM_POSITIONS:  # its window (and a swap key after it) must be indexed
                break
            bigram = word[p : p + 2]
            keys = [bigram + str(j) for j in range(max(0, p - edits), p + edits + 1)]
            cost[p] = (sum(grams.size(key) for key in keys), keys)
        choice = _cheapest_disjoint(cost, edits + 1)
        if choice is None:  # too long a word to place the pieces: check everything
            return list(range(len(self.terms)))
        keys = [key for p in choice for key in cost[p][1]]
        for p, q in zip(choice, choice[1:], strict=False):
            if q == p + 2:  # adjacent pieces: swapping the two letters between them damages both
                swapped = word[p + 2] + word[p + 1]
                keys += [swapped + str(j) for j in range(max(0, p + 1 - edits), p + 2 + edits)]
        pool: set[int] = set()
        for key in keys:
            pool.update(grams.ids_of(key))
            yield
        return list(pool)

    def _verify(self, word: str, edits: int, prefix: bool, pool: list[int]) -> Generator[None, None, set[int]]:
        """The ids in `pool` within `edits` of `word` (of one of their prefixes if `prefix`)."""
        terms, lengths = self.terms, self.lengths
        length = len(word)
        matched: set[int] = set()
        if not prefix:
            low, high = length - edits, length + edits
            for start in range(0, len(pool), _CHUNK):
                ids = [i for i in pool[start : start + _CHUNK] if low <= lengths[i] <= high]
                _extract(word, [terms[i] for i in ids], edits, ids, matched)
                yield
            return matched
        for cut in range(max(1, length - edits), length + edits + 1):
            for start in range(0, len(pool), _CHUNK):
                ids = [i for i in pool[start : start + _CHUNK] if lengths[i] >= cut and i not in matched]
                _extract(word, [terms[i][:cut] for i in ids], edits, ids, matched)
                yield
        return matched


def _extract(word: str, choices: list[str], edits: int, ids: list[int], into: set[int]) -> None:
    if choices:
        hits = process.extract(word, choices, scorer=OSA.distance, score_cutoff=edits, limit=None)
        into.update(ids[index] for _, _, index in hits)


def _cheapest_disjoint(cost: dict[int, tuple[int, list[str]]], pieces: int) -> list[int] | None:
    """Positions of `pieces` non-overlapping bigrams with the fewest candidates in total."""
    positions = sorted(cost)
    best: dict[tuple[int, int], tuple[int, list[int]] | None] = {}

    def solve(index: int, left: int) -> tuple[int, list[int]] | None:
        if left == 0:
            return 0, []
        if index >= len(positions):
            return None
        key = (index, left)
        if key in best:
            return best[key]
        p = positions[index]
        skip = solve(index + 1, left)
        nxt = index + 1
        while nxt < len(positions) and positions[nxt] < p + 2:
            nxt += 1
        rest = solve(nxt, left - 1)
        take = None if rest is None else (cost[p][0] + rest[0], [p] + rest[1])
        options = [o for o in (skip, take) if o is not None]
        best[key] = min(options, key=lambda o: o[0]) if options else None
        return best[key]

    found = solve(0, pieces)
    return None if found is None else found[1]
