"""The Library: loaded papers plus their reading state and search, with no UI.

The reader and the CLI both act through it, so scripting does what the reader does. Row
numbers are indices into `papers`. Counts of starred and unread papers are kept up to date
incrementally, because recounting 100k papers on every keystroke would stall the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from broadsheet.model import Paper

if TYPE_CHECKING:  # the search engine loads after the reader's first screen
    from broadsheet.search.results import StatusLookup

Spans = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class MatchSpans:
    title: Spans = ()
    abstract: Spans = ()
    ai_summary: Spans = ()


NO_SPANS = MatchSpans()


@dataclass
class SearchOutcome:
    """What the reader shows for one query: rows in order, or an error and nothing else."""

    rows: Sequence[int] = ()
    sort: str = "date"
    error: str | None = None
    text: str = ""
    spans_for: Callable[[int], MatchSpans] = field(default=lambda _i: NO_SPANS)
    title_spans_for: Callable[[int], Spans] | None = None  # cheaper, for list rows
    engine_state: object = None

    def highlights(self, index: int) -> MatchSpans:
        return self.spans_for(index)

    def title_spans(self, index: int) -> Spans:
        if self.title_spans_for is not None:
            return self.title_spans_for(index)
        return self.spans_for(index).title


class StateStore(Protocol):
    """What the Library needs from the reading-state store (broadsheet.state.ReadingState)."""

    def is_starred(self, key: str) -> bool: ...
    def is_read(self, key: str) -> bool: ...
    def marked_keys(self) -> tuple[set[str], set[str]]: ...
    def star_many(self, items: Iterable[tuple[str, str]]) -> int: ...
    def unstar_many(self, items: Iterable[tuple[str, str]]) -> int: ...
    def mark_read_many(self, items: Iterable[tuple[str, str]]) -> int: ...
    def mark_unread_many(self, items: Iterable[tuple[str, str]]) -> int: ...
    def undo(self) -> str | None: ...
    def close(self) -> None: ...


class SearchEngine(Protocol):
    def search_steps(
        self, text: str, *, sort_override: str | None, previous: SearchOutcome | None, status: StatusLookup
    ) -> Iterator[SearchOutcome | None]: ...

    def progress(self) -> str | None: ...
    def start(self, on_ready: Callable[[], None]) -> None: ...
    def stop(self) -> None: ...


def _keys_of(papers: Sequence[Paper]) -> Sequence[str]:
    """Every paper's key; the corpus cache has them as a column, so nothing is decoded."""
    keys = getattr(papers, "keys", None)
    return keys if keys is not None and len(keys) == len(papers) else [paper.key for paper in papers]


class Library:
    def __init__(
        self, papers: Sequence[Paper], store: StateStore, engine: SearchEngine, problems: Iterable[str] = ()
    ) -> None:
        self.papers = papers
        self.store = store
        self.engine = engine
        self.problems = list(problems)
        self._keys = _keys_of(papers)
        self._key_set: set[str] | None = None
        self._counted = False  # counting waits for its first use: see `known_counts`
        self._starred = 0
        self._unread = len(papers)

    def replace_papers(self, papers: Sequence[Paper], engine: SearchEngine) -> None:
        """Swap in a newly loaded set of papers (after a fetch); the state store stays."""
        self.engine.stop()
        self.papers = papers
        self.engine = engine
        self._keys = _keys_of(papers)
        self._key_set = None
        self._counted = False

    @cached_property
    def status(self) -> StatusLookup:
        """How the search engine asks for `is:starred` and `is:read`."""
        from broadsheet.search.results import StatusLookup

        return StatusLookup(is_starred=self.store.is_starred, is_read=self.store.is_read)

    # -- state ------------------------------------------------------------------------

    def is_starred(self, index: int) -> bool:
        return self.store.is_starred(self._keys[index])

    def is_read(self, index: int) -> bool:
        return self.store.is_read(self._keys[index])

    def counts(self) -> tuple[int, int]:
        """(starred, unread) among the loaded papers."""
        if not self._counted:
            self.recount()
        return self._starred, self._unread

    def known_counts(self) -> tuple[int, int] | None:
        """`counts()` if already counted, else None. Counting needs a set of every key
        (~25 ms at 100k papers), which the reader's first screen does without."""
        return (self._starred, self._unread) if self._counted else None

    def _items(self, indices: Iterable[int]) -> list[tuple[str, str]]:
        titles = getattr(self.papers, "titles", None)  # the cache's column, when there is one
        if titles is not None:
            return [(self._keys[i], titles[i]) for i in indices]
        return [(self._keys[i], self.papers[i].title) for i in indices]

    def _set(self, indices: Sequence[int], *, starred: bool | None = None, read: bool | None = None) -> int:
        self.counts()  # the changes below are applied to the counts
        if starred is not None:
            changed = [i for i in indices if self.is_starred(i) != starred]
            (self.store.star_many if starred else self.store.unstar_many)(self._items(changed))
            self._starred += len(changed) if starred else -len(changed)
        else:
            assert read is not None
            changed = [i for i in indices if self.is_read(i) != read]
            (self.store.mark_read_many if read else self.store.mark_unread_many)(self._items(changed))
            self._unread += -len(changed) if read else len(changed)
        return len(changed)

    def toggle_star(self, index: int) -> bool:
        value = not self.is_starred(index)
        self._set([index], starred=value)
        return value

    def toggle_read(self, index: int) -> bool:
        value = not self.is_read(index)
        self._set([index], read=value)
        return value

    def mark_read(self, index: int) -> None:
        self._set([index], read=True)

    def mark_read_many(self, indices: Sequence[int]) -> int:
        """Mark a whole set read as one undoable step; returns how many changed."""
        return self._set(indices, read=True)

    def undo(self) -> str | None:
        undone = self.store.undo()
        if undone is not None:
            self.recount()
        return undone

    def recount(self) -> None:
        """Recount from the store: after an undo, or when another instance changed the file.
        Walks the marked keys (the state's size), not every paper: ~1 ms, not ~100, at 100k."""
        if self._key_set is None:
            self._key_set = set(self._keys)
        starred, read = self.store.marked_keys()
        self._starred = len(self._key_set.intersection(starred))
        self._unread = len(self._keys) - len(self._key_set.intersection(read))
        self._counted = True

    def close(self) -> None:
        self.engine.stop()
        self.store.close()

    # -- search -----------------------------------------------------------------------

    def search_steps(
        self, text: str, *, sort_override: str | None = None, previous: SearchOutcome | None = None
    ) -> Iterator[SearchOutcome | None]:
        return self.engine.search_steps(text, sort_override=sort_override, previous=previous, status=self.status)

    def search(self, text: str, *, sort_override: str | None = None) -> SearchOutcome:
        """The one-shot form, for the CLI and tests."""
        outcome: SearchOutcome | None = None
        for step in self.search_steps(text, sort_override=sort_override):
            if step is not None:
                outcome = step
        assert outcome is not None
        return outcome

    def index_progress(self) -> str | None:
        return self.engine.progress()

    def start_indexing(self, on_ready: Callable[[], None]) -> None:
        """Prepare the search index in the background; `on_ready` (any thread) hears each stage."""
        self.engine.start(on_ready)
