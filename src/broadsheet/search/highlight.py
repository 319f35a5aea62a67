"""Which characters of a paper a query matched, computed per paper when it is shown.

The spans follow the matching rules exactly: the same tokenizer, the same expansions
(cached from the search itself, so this is cheap), the same phrase patterns. An exact or
typo match covers the whole token; a prefix match covers the typed part (for a prefix
with typos, the closest prefix of the token). Excluded words are not highlighted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from .phrase import PhraseMatcher
from .query import Phrase, Query, Word, positive_terms
from .results import Highlights, Span
from .text import max_edits, token_spans
from .vocab import Expansion

if TYPE_CHECKING:
    from ..model import Paper
    from .vocab import Vocabulary


def highlights(paper: Paper, query: Query, vocab: Vocabulary, titles_only: bool = False) -> Highlights:
    """Spans matched by the positive words and phrases of `query` in `paper`.

    `titles_only` for the title-only index, which matched nothing else."""
    highlighter = Highlighter(query, vocab)
    if titles_only:
        return Highlights(title=highlighter.title(paper.title))
    return highlighter.paper(paper)


class Highlighter:
    """One query's highlighting, made once and applied to many papers: a list repaint asks
    for ~40 titles, and most of their tokens ("for", "learning", ...) recur, so each
    distinct token is matched against the query's words once."""

    def __init__(self, query: Query, vocab: Vocabulary) -> None:
        words: list[tuple[Word, Expansion]] = []
        phrases: list[Phrase] = []
        for node in positive_terms(query.root):
            if isinstance(node, Word):
                words.append((node, vocab.expand(node.text, node.prefix)))
            else:
                phrases.append(node)
        self._words = {
            field: [(w, e) for w, e in words if w.field in ("any", field)] for field in ("title", "abstract")
        }
        self._phrases = {
            field: [PhraseMatcher(p.words, p.prefix) for p in phrases if p.field in ("any", field)]
            for field in ("title", "abstract")
        }
        self._lengths: dict[str, dict[str, tuple[int, ...]]] = {"title": {}, "abstract": {}}

    def title(self, title: str, tokens: Sequence[tuple[int, int, str]] | None = None) -> list[Span]:
        """`tokens`: the title's token_spans, when the caller keeps them."""
        return self._spans(title, "title", tokens)

    def paper(self, paper: Paper) -> Highlights:
        return Highlights(
            title=self._spans(paper.title, "title"),
            abstract=self._spans(paper.abstract, "abstract"),
            ai_summary=self._spans(paper.ai_summary or "", "abstract"),
        )

    def _spans(self, text: str, field: str, tokens: Sequence[tuple[int, int, str]] | None = None) -> list[Span]:
        if not text:
            return []
        found: list[Span] = []
        words = self._words[field]
        if words:
            memo = self._lengths[field]
            for start, end, token in token_spans(text) if tokens is None else tokens:
                lengths = memo.get(token)
                if lengths is None:
                    lengths = memo[token] = tuple(
                        length for word, expansion in words if (length := _matched_length(token, word, expansion))
                    )
                if lengths:
                    same_length = len(token) == end - start  # lowercasing can change lengths
                    found.extend((start, start + length) if same_length else (start, end) for length in lengths)
        for matcher in self._phrases[field]:
            found.extend(matcher.spans(text))
        return _merge(found)


def _matched_length(token: str, word: Word, expansion: Expansion) -> int:
    """How many leading characters of `token` the word matched (0: no match)."""
    text = word.text
    if token == text:
        return len(token)
    if word.prefix and token.startswith(text):
        return len(text)
    if token not in expansion.fuzzy_terms:
        return 0
    if not word.prefix:
        return len(token)
    edits = max_edits(text)
    best, best_length = edits + 1, len(token)
    for length in range(max(1, len(text) - edits), min(len(token), len(text) + edits) + 1):
        distance = OSA.distance(text, token[:length], score_cutoff=edits)
        if distance < best or (distance == best and abs(length - len(text)) < abs(best_length - len(text))):
            best, best_length = distance, length
    return best_length


def _merge(spans: list[Span]) -> list[Span]:
    """Sorted, with overlapping or touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
