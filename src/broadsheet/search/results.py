"""What a search hands back, and what it needs from the caller (reading status)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the reader imports StatusLookup at start-up; the query parser can wait
    from .query import Query

Span = tuple[int, int]


class BuildCancelled(Exception):
    """Raised by `SearchIndex.build` when `should_cancel()` turned true."""


@dataclass(frozen=True, slots=True)
class StatusLookup:
    """Reading status, supplied by the caller so the engine stays out of the state store.

    Give predicates (called per paper key, only on papers still in the running) or, faster
    for large libraries, the collections of starred and read keys. A collection wins over
    the predicate for the same status.

    `version`, when given, must change whenever any starred or read mark changes: searches
    then reuse status results across keystrokes and narrow `is:` queries too. Without it
    status is looked up afresh on every search.
    """

    is_starred: Callable[[str], bool] | None = None
    is_read: Callable[[str], bool] | None = None
    starred: Collection[str] | None = None
    read: Collection[str] | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Matching rows (indices into the indexed papers), already in display order."""

    rows: list[int]
    query: Query
    sort: str  # the order applied: "relevance", "date", "upvotes", "title", "trending", "-" when reversed
    complete: bool  # False when searched with the title-only index
    narrowed: bool = False  # True when computed within `previous` results
    status_version: int | None = field(default=None, repr=False, compare=False)
    bits: int = field(default=0, repr=False, compare=False)  # matched slots, for narrowing
    index_id: int = field(default=0, repr=False, compare=False)

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, slots=True)
class Highlights:
    """Matched character spans, sorted and non-overlapping, per text of one paper."""

    title: list[Span] = field(default_factory=list)
    abstract: list[Span] = field(default_factory=list)
    ai_summary: list[Span] = field(default_factory=list)
