"""Deciding whether a new query can only match a subset of an older one's results.

Then the new search runs within the old results instead of the whole corpus. The test is
semantic, not textual: `upvotes:<1` -> `upvotes:<10` extends the text but widens the
result. Every top-level condition of the old query must be implied by one of the new
query's. A word being typed implies its shorter self only while both allow the same
number of typos (prefix edit distance only grows as the word grows); `is:` conditions
carry over only when the caller vouches (by a status version) that the reading state has
not changed between keystrokes.
"""

from __future__ import annotations

from .query import All, And, Node, Not, Or, Phrase, Query, Range, Status, Word
from .text import max_edits


def narrows(new: Query, old: Query, same_status: bool = False) -> bool:
    """True when every result of `new` is certainly a result of `old`; `is:` conditions
    count only when the reading state is known not to have changed (`same_status`)."""
    if not same_status and _mentions_status(old.root):
        return False
    news = _conjuncts(new.root)
    return all(any(_implies(n, o) for n in news) for o in _conjuncts(old.root))


def _conjuncts(node: Node) -> list[Node]:
    if isinstance(node, All):
        return []
    if isinstance(node, And):
        return list(node.children)
    return [node]


def _mentions_status(node: Node) -> bool:
    if isinstance(node, Status):
        return True
    if isinstance(node, Not):
        return _mentions_status(node.child)
    if isinstance(node, (And, Or)):
        return any(_mentions_status(child) for child in node.children)
    return False


def _covers(broad: str, narrow: str) -> bool:
    """Any word of field `narrow` also counts for field `broad`."""
    return broad == "any" or broad == narrow


def _token_implies(token: str, old: Word) -> bool:
    """Does the exact presence of `token` imply a match of `old`?"""
    return token == old.text or (old.prefix and token.startswith(old.text))


def _word_implies(new: Word, old: Word) -> bool:
    """Are the terms `new` expands to among those `old` expands to?"""
    if not _covers(old.field, new.field):
        return False
    if not old.prefix:
        return new.text == old.text and not new.prefix
    return new.text.startswith(old.text) and max_edits(new.text) == max_edits(old.text)


def _implies(new: Node, old: Node) -> bool:
    if new == old:
        return True
    if isinstance(old, Word):
        if isinstance(new, Word):
            return _word_implies(new, old)
        if isinstance(new, Phrase) and _covers(old.field, new.field):
            complete = new.words[:-1] if new.prefix else new.words
            return any(_token_implies(word, old) for word in complete)
        return False
    if isinstance(old, Phrase) and isinstance(new, Phrase):
        if not _covers(old.field, new.field) or len(new.words) < len(old.words):
            return False
        last = len(old.words) - 1
        if new.words[:last] != old.words[:last]:
            return False
        if old.prefix:
            return new.words[last].startswith(old.words[last])
        if new.prefix and len(new.words) == len(old.words):
            return False
        return new.words[last] == old.words[last]
    if isinstance(old, Range) and isinstance(new, Range) and new.field == old.field:
        low_ok = old.low is None or (new.low is not None and new.low >= old.low)
        high_ok = old.high is None or (new.high is not None and new.high <= old.high)
        return low_ok and high_ok
    if isinstance(old, Or):
        return any(_implies(new, option) for option in old.children)
    return False
