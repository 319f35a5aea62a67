"""Finding a phrase (consecutive tokens) in a text, fast enough to check thousands of papers.

Postings only say that a paper has all the words; the order is checked on the text. A
regex with a look-behind for the left word boundary, or with IGNORECASE, loses the regex
engine's literal-prefix scan and runs ~15x slower, so the text is lowercased first and
the left boundary is checked by hand on each (rare) hit.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from itertools import chain

_SEPARATORS = "qxzjkvwyfgbpmhculdrnoiseta"  # ASCII keeps joined text 1 byte a character


class PhraseMatcher:
    """Where `words` occur as consecutive tokens (the last one as a prefix when `prefix`)."""

    __slots__ = ("_fast", "_slow", "separator")

    def __init__(self, words: tuple[str, ...], prefix: bool) -> None:
        body = r"[\W_]+".join(re.escape(word) for word in words)
        tail = "" if prefix else r"(?![^\W_])"
        self._fast = re.compile(body + tail)
        self._slow = re.compile(r"(?<![^\W_])" + body + tail, re.IGNORECASE)
        letters = chain(_SEPARATORS, map(chr, range(0x4E00, 0xA000)))  # then CJK ideographs
        letter = next(c for c in letters if all(c not in word for word in words))
        self.separator = f" {letter} "  # a word between two texts: no phrase runs across it

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Spans of the occurrences in `text`."""
        lowered = text.lower()
        if len(lowered) != len(text):  # lowercasing moved characters: use the slow path
            for match in self._slow.finditer(text):
                yield match.span()
            return
        for match in self._fast.finditer(lowered):
            start = match.start()
            if start == 0 or not lowered[start - 1].isalnum():
                yield match.span()

    def found_in(self, text: str) -> bool:
        for _ in self.spans(text):
            return True
        return False

    def which(self, texts: list[str]) -> list[int]:
        """Indices of the `texts` holding the phrase: one regex scan over them all, joined
        by a separator word no phrase can span (3x faster than a scan per text)."""
        joined = self.separator.join(texts)
        lowered = joined.lower()
        if len(lowered) != len(joined):
            return [i for i, text in enumerate(texts) if self.found_in(text)]
        starts = []
        at = 0
        for text in texts:
            starts.append(at)
            at += len(text) + 3
        found: list[int] = []
        for match in self._fast.finditer(lowered):
            start = match.start()
            if start == 0 or not lowered[start - 1].isalnum():
                index = bisect_right(starts, start) - 1
                if not found or found[-1] != index:
                    found.append(index)
        return found
