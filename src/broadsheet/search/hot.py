"""Postings of the most frequent terms, built by transposing bit matrices.

About three quarters of all (term, paper) pairs belong to the ~1000 most frequent terms,
and appending each pair to a Python list costs ~250 ns on a slow machine. Instead each
paper gets a row of flags, one per frequent term (set by one C-level `map`); 1024 rows
make a 1024x1024 bit matrix, and ten mask-and-shift steps on that 128 KB int transpose it:
row t of the result is then term t's bitset over those papers. Rows of consecutive blocks
concatenate into the term's bitset over all slots.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import repeat

from .bits import from_flags

WIDTH = 1024  # frequent terms tracked, and papers per block
_LEVELS = 10  # log2(WIDTH)
_ROW_BYTES = WIDTH // 8


def _swap_masks() -> list[int]:
    """Mask j selects matrix bits (row r, column c) with bit j of r clear and of c set."""
    masks = []
    for j in range(_LEVELS):
        pattern = sum(1 << c for c in range(WIDTH) if (c >> j) & 1).to_bytes(_ROW_BYTES, "little")
        zero = bytes(_ROW_BYTES)
        rows = b"".join(zero if (r >> j) & 1 else pattern for r in range(WIDTH))
        masks.append(int.from_bytes(rows, "little"))
    return masks


_MASKS: list[int] | None = None


def transpose(matrix: int) -> int:
    """Transpose a WIDTH x WIDTH bit matrix stored row-major (bit r*WIDTH + c)."""
    global _MASKS
    if _MASKS is None:
        _MASKS = _swap_masks()
    for j, mask in enumerate(_MASKS):
        shift = (1 << j) * (WIDTH - 1)
        swapped = (matrix ^ (matrix >> shift)) & mask
        matrix ^= swapped | (swapped << shift)
    return matrix


def pick_hot(sample: Iterable[set[bytes]], sampled: int, n_docs: int, min_df: int) -> list[bytes]:
    """Up to WIDTH terms likely to reach `min_df` papers, judged from a sample of papers."""
    counts: Counter[bytes] = Counter()
    for tokens in sample:
        counts.update(tokens)
    scale = n_docs / max(1, sampled)
    return [term for term, count in counts.most_common(WIDTH) if count * scale >= min_df * 0.8]


class HotTerms:
    """Accumulates, paper by paper in slot order, the bitsets of a fixed set of terms."""

    def __init__(self, terms: list[bytes]) -> None:
        self.terms = terms
        self.column: dict[bytes, int] = {term: i for i, term in enumerate(terms)}
        self.members = frozenset(terms)
        self._block: list[bytearray] = []
        self._rows: list[bytes] = []  # transposed blocks, WIDTH rows of _ROW_BYTES each

    def add(self, tokens: set[bytes]) -> set[bytes]:
        """Record the frequent tokens of the next paper; return the others."""
        row = bytearray(WIDTH + 1)  # one flag byte per frequent term, plus a spare for the rest
        any(map(row.__setitem__, map(self.column.get, tokens, repeat(WIDTH)), repeat(1)))
        del row[WIDTH]
        self._block.append(row)
        if len(self._block) == WIDTH:
            self._flush()
        return tokens - self.members

    def _flush(self) -> None:
        block = self._block
        if not block:
            return
        flags = b"".join(block) + bytes(WIDTH * (WIDTH - len(block)))
        matrix = from_flags(flags)
        self._rows.append(transpose(matrix).to_bytes(WIDTH * _ROW_BYTES, "little"))
        self._block = []

    def bitsets(self) -> dict[bytes, int]:
        """Every term's bitset over all slots added so far."""
        self._flush()
        out = {}
        for i, term in enumerate(self.terms):
            start = i * _ROW_BYTES
            joined = b"".join(rows[start : start + _ROW_BYTES] for rows in self._rows)
            out[term] = int.from_bytes(joined, "little")
        self._rows = []
        return out
