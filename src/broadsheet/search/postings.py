"""Postings of one field (title or body): which slots hold each term.

Frequent terms (in more than 1/32 of the papers) are kept as ready bitsets: smaller than
their slot lists and free to combine. Rarer terms keep sorted slot lists, concatenated in
term-id order in one flat `array`, so all terms sharing a prefix (a contiguous id range in
the sorted vocabulary) are one slice, scattered into a bitset in one C-level pass.
"""

from __future__ import annotations

import contextlib
import operator
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Generator, Iterable, Sequence
from functools import partial
from itertools import accumulate, compress, repeat
from typing import TYPE_CHECKING

from . import bits

if TYPE_CHECKING:
    from typing import TypeAlias

    # a TermSlots as terms, their slot counts, their slots end to end, and the bitsets
    Packed: TypeAlias = tuple[list[bytes], array[int], array[int], dict[bytes, int]]

_SCATTER_CHUNK = 25_000  # slots scattered per step (~2-5 ms)
_RANGE_CACHE_MIN = 20_000  # cache unions that scattered at least this many slots
_RANGE_CACHE_SIZE = 64
_TERMS_PER_STEP = 2000  # term ids looked up between yields
_NO_SLOTS: array[int] = array("I")  # shared, never extended


def dense_threshold(n_docs: int) -> int:
    """A term in this many papers is stored as a bitset (no bigger than its slot list)."""
    return max(16, n_docs // 32)


class TermSlots:
    """The slots of each term while the indexer collects them, in ascending slot order.

    The indexer appends to `arrays` (an `array('I')` per UTF-8 term: 4 bytes a slot).
    `settle` moves the slots of the terms known to be frequent (in dense_threshold papers
    or more, so bitsets in the end) into bitsets: their arrays then hold only the slots
    since the last call. Those terms hold 2/3 of all slots (44 MB of arrays at 100k papers,
    which with the heap fragmentation they leave behind raised the peak memory ~35 MB).

    Collecting only part of the papers (see `helper`), a term is likely dense with fewer
    slots: `settle_at` lowers the count that makes a bitset. A term that stays below the
    threshold goes back to a slot list in `FieldPostings.collect`.
    """

    def __init__(self, n_docs: int, settle_at: int | None = None) -> None:
        self.n_docs = n_docs
        self.settle_at = dense_threshold(n_docs) if settle_at is None else settle_at
        self.arrays: defaultdict[bytes, array[int]] = defaultdict(partial(array, "I"))
        self.frequent: dict[bytes, int] = {}
        self.flags = bits.new_flags(n_docs)  # scratch for bits.from_ascending

    def settle(self) -> None:
        arrays, frequent = self.arrays, self.frequent
        grown = compress(arrays.keys(), map(self.settle_at.__le__, map(len, arrays.values())))
        for key in dict.fromkeys([*frequent, *grown]):
            slots = arrays[key]
            if slots:
                frequent[key] = frequent.get(key, 0) | bits.from_ascending(self.flags, slots)
                del slots[:]

    def packed(self) -> Packed:
        """The whole state in a few objects, cheap to pickle (see `helper`)."""
        arrays = self.arrays
        flat = array("I")
        any(map(flat.extend, arrays.values()))
        return list(arrays), array("I", map(len, arrays.values())), flat, self.frequent

    def absorb(self, packed: Packed) -> None:
        """Add the `packed` state of another TermSlots whose slots all come after these."""
        keys, sizes, flat, frequent = packed
        ends = list(accumulate(sizes))
        parts = map(flat.__getitem__, map(slice, [0, *ends], ends))
        any(map(array.extend, map(self.arrays.__getitem__, keys), parts))
        mine = self.frequent
        for key, bitset in frequent.items():
            mine[key] = mine.get(key, 0) | bitset


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
    def collect(cls, keys: Sequence[bytes], slots: TermSlots) -> FieldPostings:
        """From the slots collected per term, with term ids by `keys` (sorted; a term
        missing from `slots` has none). Empties `slots`, freeing arrays as it goes."""
        n_docs = slots.n_docs
        arrays = list(map(slots.arrays.pop, keys, repeat(_NO_SLOTS)))
        slots.arrays.clear()
        sizes = list(map(len, arrays))
        threshold = dense_threshold(n_docs)
        frequent = {bisect_left(keys, key): bitset for key, bitset in slots.frequent.items()}
        slots.frequent.clear()
        for term_id, bitset in list(frequent.items()):
            if bitset.bit_count() + sizes[term_id] < threshold:  # settled early, and rare after all
                del frequent[term_id]
                arrays[term_id] = array("I", sorted([*bits.to_slots(bitset), *arrays[term_id]]))
                sizes[term_id] = len(arrays[term_id])
        dense: dict[int, int] = {}
        for term_id in sorted(frequent.keys() | {i for i, size in enumerate(sizes) if size >= threshold}):
            rest = bits.from_ascending(slots.flags, arrays[term_id]) if sizes[term_id] else 0
            dense[term_id] = frequent.get(term_id, 0) | rest
            arrays[term_id] = _NO_SLOTS
            sizes[term_id] = 0
        offsets = array("I", accumulate(sizes, initial=0))
        postings = array("I")
        any(map(postings.extend, arrays))  # a memcpy per term
        return cls(n_docs, offsets, postings, dense)

    def renumbered(self, new_ids: Sequence[int], n_terms: int) -> FieldPostings:
        """These postings in a bigger vocabulary of `n_terms` terms, where term `i` becomes
        `new_ids[i]`. The ids must keep their order, so the flat postings stay as they are
        (shared, not copied)."""
        offsets = self.offsets
        sizes = [0] * n_terms
        any(map(sizes.__setitem__, new_ids, map(operator.sub, offsets[1:], offsets)))
        dense = dict(zip(map(new_ids.__getitem__, self.dense), self.dense.values(), strict=True))
        return FieldPostings(self.n_docs, array("I", accumulate(sizes, initial=0)), self.postings, dense)

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
        one- and two-letter prefixes, whose scatter would cost tens of ms per keystroke).

        Narrow ranges go first and a wider one ORs in the unions of those inside it, so
        each slot is scattered once rather than once per prefix length (~2x faster)."""
        offsets, pinned = self.offsets, self._pinned
        big = [r for r in dict.fromkeys(ranges) if offsets[r[1]] - offsets[r[0]] >= _RANGE_CACHE_MIN]
        wanted = [r for r in big if r not in pinned]
        known = dict(pinned)
        for lo, hi in sorted(wanted, key=lambda r: r[1] - r[0]):
            known[(lo, hi)] = self._union_reusing(lo, hi, known)
        for lo_hi in wanted:  # in the order asked: the cache file keeps this order
            pinned[lo_hi] = known[lo_hi]

    def _union_reusing(self, lo: int, hi: int, known: dict[tuple[int, int], int]) -> int:
        """The union of the ids lo..hi-1: the `known` unions of disjoint ranges inside it,
        and the terms outside those."""
        inside = sorted((r for r in known if lo <= r[0] and r[1] <= hi), key=lambda r: (r[0], -r[1]))
        result = 0
        rest: list[tuple[int, int]] = []
        at = lo
        for start, stop in inside:
            if start >= at:  # the widest of the ranges starting here, clear of the previous one
                result |= known[(start, stop)]
                rest.append((at, start))
                at = stop
        rest.append((at, hi))
        flags = bits.new_flags(self.n_docs)
        offsets, dense, dense_ids = self.offsets, self.dense, self.dense_ids
        for start, stop in rest:
            for term_id in dense_ids[bisect_left(dense_ids, start) : bisect_left(dense_ids, stop)]:
                result |= dense[term_id]
            if offsets[stop] > offsets[start]:
                bits.scatter(flags, self.postings[offsets[start] : offsets[stop]])
        return result | bits.from_flags(flags)

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
