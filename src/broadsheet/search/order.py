"""Putting matched slots in display order without a per-result Python sort where possible.

Slot order is already "newest first, then key", so the default order is a straight read
of the bitset, and relevance only has to group slots by score (one C-level pass per
big group of equal scores, `bytes.find` hops for small ones). Other orders go through a
precomputed permutation: a C-level gather over all slots for big results, a keyed sort
for small ones.
"""

from __future__ import annotations

from collections.abc import Generator
from itertools import compress
from typing import TYPE_CHECKING

from . import bits

if TYPE_CHECKING:
    from .index import SearchIndex

_GATHER_CHUNK = 25_000
_MAX_GROUPS = 24  # beyond this many distinct scores a keyed sort is cheaper
_SMALL_GROUP = 24  # a score group under 1/24 of the results is gathered by `find` hops


def order_rows(
    index: SearchIndex, matched: int, sort: str, reverse: bool, scores: bytes | None
) -> Generator[None, None, list[int]]:
    """Rows of the `matched` slots in `sort` order (reversed when `reverse`)."""
    slot_to_row = index.slot_to_row
    if not matched:
        return []
    if sort == "relevance" and scores is not None:
        return (yield from _by_score(slot_to_row, matched, scores, reverse, index.n))
    if sort == "relevance" or (sort == "date" and not reverse):  # no scores: all tie
        return bits.select(slot_to_row, matched)
    name = ("-" if reverse else "") + sort
    order = index.facets.order(name)
    yield
    count = matched.bit_count()
    if count * 16 < index.n:
        slots = bits.to_slots(matched)
        slots.sort(key=order.rank.__getitem__)
        return [slot_to_row[s] for s in slots]
    flags = bits.to_flags(matched, index.n)
    picked = bytearray()
    for start in range(0, index.n, _GATHER_CHUNK):
        picked += bytes(map(flags.__getitem__, order.slots[start : start + _GATHER_CHUNK]))
        yield
    return list(compress(order.rows, picked))


def _by_score(
    slot_to_row: list[int], matched: int, scores: bytes, reverse: bool, n: int
) -> Generator[None, None, list[int]]:
    """Highest score first (lowest when `reverse`), ties in slot order."""
    flags = bits.to_flags(matched, n)
    rows = list(compress(slot_to_row, flags))
    yield
    mine = bytes(compress(scores, flags))
    values = sorted(set(mine), reverse=not reverse)
    if len(values) == 1:
        return rows
    yield
    if len(values) > _MAX_GROUPS:
        positions = sorted(range(len(rows)), key=mine.__getitem__, reverse=not reverse)
        yield
        return [rows[i] for i in positions]
    out: list[int] = []
    table = bytearray(256)
    for value in values:
        needle = bytes((value,))
        if mine.count(needle) * _SMALL_GROUP < len(mine):  # few: hop between them
            find = mine.find
            at = find(needle)
            while at >= 0:
                out.append(rows[at])
                at = find(needle, at + 1)
        else:  # many: one C-level pass over all
            table[value] = 1
            out.extend(compress(rows, mine.translate(table)))
            table[value] = 0
        yield
    return out
