"""Which characters of a paper a query matched, computed per paper when it is shown.

The spans follow the matching rules exactly: the same tokenizer, the same expansions
(cached from the search itself, so this is cheap), the same phrase patterns. An exact or
typo match covers the whole token; a prefix match covers the typed part (for a prefix
with typos, the closest prefix of the token). Excluded words are not highlighted.
"""

from __future__ import annotations

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
    if titles_only:
        return title_highlights(paper.title, query, vocab)
    texts = {"title": paper.title, "abstract": paper.abstract, "ai_summary": paper.ai_summary or ""}
    return _spans(texts, query, vocab)


def title_highlights(title: str, query: Query, vocab: Vocabulary) -> Highlights:
    """Spans in a title alone: what a list row shows, without the rest of the paper."""
    return _spans({"title": title, "abstract": "", "ai_summary": ""}, query, vocab)


def _spans(texts: dict[str, str], query: Query, vocab: Vocabulary) -> Highlights:
    spans: dict[str, list[Span]] = {name: [] for name in texts}
    words: list[tuple[Word, Expansion]] = []
    phrases: list[Phrase] = []
    for node in positive_terms(query.root):
        if isinstance(node, Word):
            words.append((node, vocab.expand(node.text, node.prefix)))
        else:
            phrases.append(node)
    for name, text in texts.items():
        if not text:
            continue
        field = "title" if name == "title" else "abstract"
        mine = [(w, e) for w, e in words if w.field in ("any", field)]
        if mine:
            for start, end, token in token_spans(text):
                for word, expansion in mine:
                    length = _matched_length(token, word, expansion)
                    if length:
                        same_length = len(token) == end - start  # lowercasing can change lengths
                        spans[name].append((start, start + length) if same_length else (start, end))
        for phrase in phrases:
            if phrase.field in ("any", field):
                spans[name].extend(PhraseMatcher(phrase.words, phrase.prefix).spans(text))
    return Highlights(**{name: _merge(found) for name, found in spans.items()})


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
