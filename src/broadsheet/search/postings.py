"""Postings of one field (title or body): which slots hold each term.

Frequent terms (in more than 1/32 of the papers) are kept as ready bitsets: smaller than
their slot lists and free to combine. Rarer terms keep sorted slot lists, concatenated in
term-id order in one flat `array`, so all terms sharing a prefix (a contiguous id range in
the sorted vocabulary) are one slice, scattered into a bitset in one C-level pass.
"""

from __future__ import annotations

import contextlib
from array import array
from bisect import bisect_left
from collections.abc import Generator, Iterable, Sequence
from itertools import accumulate, chain

from . import bits
from .steps import drain

_SCATTER_CHUNK = 25_000  # slots scattered per step (~2-5 ms)
_RANGE_CACHE_MIN = 20_000  # cache unions that scattered at least this many slots
_RANGE_CACHE_SIZE = 64
_TERMS_PER_STEP = 2000  # term ids looked up between yields


def dense_threshold(n_docs: int) -> int:
    """A term in this many papers is stored as a bitset (no bigger than its slot list)."""
    return max(16, n_docs // 32)


class FieldPostings:
    """Slots per term id for one field."""

    def __init__(self, n_docs: int, offsets: array[int], postings: array[int], dense: dict[int, int]) -> None:
        self.n_docs = n_docs
        self.offsets = offsets  # len(vocab) + 1 entries; dense terms have empty slices
        self.postings = postings
        self.dense = dense
        self.dense_ids = sorted(dense)
        self._range_cache: dict[tuple[int, int], int] = {}
        self._pinned: dict[tuple[int, int], int] = {}

    @classmethod
    def from_lists(cls, n_docs: int, lists: Sequence[list[int] | None]) -> FieldPostings:
        """From one ascending slot list (or None) per term id (bulk C-level passes: a
        realistic vocabulary has 200k terms)."""
        threshold = dense_threshold(n_docs)
        sizes = [len(slots) if slots else 0 for slots in lists]
        dense = {i: bits.from_slots(lists[i] or (), n_docs) for i, size in enumerate(sizes) if size >= threshold}
        sparse_sizes = [0 if size >= threshold else size for size in sizes]
        offsets = array("I", accumulate(sparse_sizes, initial=0))
        sparse = (slots for slots, size in zip(lists, sparse_sizes, strict=True) if size)
        postings = array("I", chain.from_iterable(sparse))  # type: ignore[arg-type]
        return cls(n_docs, offsets, postings, dense)

    @classmethod
    def empty(cls, n_docs: int, n_terms: int) -> FieldPostings:
        return cls(n_docs, array("I", bytes(4 * (n_terms + 1))), array("I"), {})

    def nbytes(self) -> int:
        dense = len(self.dense) * (self.n_docs // 8 + 28)
        return self.offsets.itemsize * len(self.offsets) + self.postings.itemsize * len(self.postings) + dense

    def term(self, term_id: int) -> int:
        """The bitset of one term."""
        if term_id < 0:
            return 0
        dense = self.dense.get(term_id)
        if dense is not None:
            return dense
        start, stop = self.offsets[term_id], self.offsets[term_id + 1]
        return bits.from_slots(self.postings[start:stop], self.n_docs) if stop > start else 0

    def union_steps(self, ranges: Iterable[tuple[int, int]], ids: Iterable[int] = ()) -> Generator[None, None, int]:
        """Bitset of every term in the id `ranges` and in `ids`, yielding between chunks."""
        result = 0
        slices: list[tuple[int, int]] = []
        for lo, hi in ranges:
            cached = self._pinned.get((lo, hi))
            if cached is None:
                cached = self._range_cache.get((lo, hi))
            if cached is not None:
                result |= cached
                continue
            part = yield from self._range_steps(lo, hi)
            result |= part
        offsets, dense = self.offsets, self.dense
        for i, term_id in enumerate(ids, 1):
            bitset = dense.get(term_id)
            if bitset is not None:
                result |= bitset
            elif offsets[term_id + 1] > offsets[term_id]:
                start, stop = offsets[term_id], offsets[term_id + 1]
                if slices and slices[-1][1] == start:  # neighbouring ids: one slice
                    slices[-1] = (slices[-1][0], stop)
                else:
                    slices.append((start, stop))
            if i % _TERMS_PER_STEP == 0:
                yield
        if slices:
            result |= yield from self._scatter_steps(slices)
        return result

    def _range_steps(self, lo: int, hi: int) -> Generator[None, None, int]:
        result = 0
        first, last = bisect_left(self.dense_ids, lo), bisect_left(self.dense_ids, hi)
        for i, term_id in enumerate(self.dense_ids[first:last], 1):
            result |= self.dense[term_id]
            if i % 64 == 0:  # an OR of 100k-bit ints is a few microseconds
                yield
        start, stop = self.offsets[lo], self.offsets[hi]
        if stop > start:
            result |= yield from self._scatter_steps([(start, stop)])
        if stop - start >= _RANGE_CACHE_MIN:
            cache = self._range_cache
            if len(cache) >= _RANGE_CACHE_SIZE:
                with contextlib.suppress(KeyError, RuntimeError, StopIteration):  # raced another thread
                    del cache[next(iter(cache))]
            cache[(lo, hi)] = result
        return result

    @property
    def pinned(self) -> dict[tuple[int, int], int]:
        """The unions `pin` computed, by id range (saved with the index, so a loaded index
        need not compute them again)."""
        return self._pinned

    def pin(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Precompute and keep the unions of the big id ranges among `ranges` (the
        one- and two-letter prefixes, whose scatter would cost tens of ms per keystroke)."""
        for lo, hi in ranges:
            if self.offsets[hi] - self.offsets[lo] >= _RANGE_CACHE_MIN and (lo, hi) not in self._pinned:
                self._pinned[(lo, hi)] = drain(self._range_steps(lo, hi))

    def _scatter_steps(self, slices: list[tuple[int, int]]) -> Generator[None, None, int]:
        flags = bits.new_flags(self.n_docs)
        postings = self.postings
        done = 0
        for count, (start, stop) in enumerate(slices, 1):
            if count % _TERMS_PER_STEP == 0:
                yield
            while start < stop:
                end = min(stop, start + _SCATTER_CHUNK - done)
                bits.scatter(flags, postings[start:end])
                done += end - start
                start = end
                if done >= _SCATTER_CHUNK:
                    done = 0
                    yield
        result = bits.from_flags(flags)
        yield  # the caller may have more to do: end this step here
        return result
