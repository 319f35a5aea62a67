"""The Library's search: the query engine plus its index lifecycle, with no UI.

The reader must be usable at once, so the index arrives in stages on a background thread:
a cached full index when one matches the papers; otherwise a title-only index first (a
second or so at 100k papers), then the full one, which is then cached. Until the first
stage is ready, an empty query still lists the papers, newest first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from broadsheet import paths
from broadsheet.library import MatchSpans, SearchOutcome
from broadsheet.model import Paper

if TYPE_CHECKING:  # the engine itself is imported on the indexing thread, after first paint
    from broadsheet.search import Highlights, SearchIndex, SearchResult, StatusLookup


def _spans(highlights: Highlights) -> MatchSpans:
    return MatchSpans(title=highlights.title, abstract=highlights.abstract, ai_summary=highlights.ai_summary)


def newest_first(papers: Sequence[Paper]) -> Sequence[int]:
    """Rows by date, newest first, undated last; the corpus cache keeps this order ready."""
    ready = getattr(papers, "newest_first", None)
    if ready is not None:
        return ready
    dates = getattr(papers, "dates", None)
    if dates is None:
        dates = [p.published.date.toordinal() if p.published else 0 for p in papers]
    return sorted(range(len(papers)), key=dates.__getitem__, reverse=True)


class Finder:
    """Implements the Library's SearchEngine over `broadsheet.search`."""

    def __init__(
        self,
        papers: Sequence[Paper],
        *,
        cache_key: str | None = None,
    ) -> None:
        self.papers = papers
        self._cache_key = cache_key
        self._on_ready: Callable[[], None] | None = None
        self._index: SearchIndex | None = None
        self._progress: str | None = "indexing…"
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    # -- the index lifecycle ----------------------------------------------------------

    def index_path(self) -> Path | None:
        return paths.cache_dir() / "search" / f"{self._cache_key}.index" if self._cache_key else None

    def start(self, on_ready: Callable[[], None] | None = None) -> None:
        """Build or load the index on a daemon thread; `on_ready` hears each stage."""
        self._on_ready = on_ready
        self._thread = threading.Thread(target=self._prepare, name="broadsheet-index", daemon=True)
        self._thread.start()
        self._started.set()

    def prepare_now(self) -> None:
        """Build or load the full index in this thread (the CLI's one-shot searches)."""
        self._prepare(titles_first=False)

    def stop(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the full index is ready, waiting up to `timeout` for it (and for `start`,
        which the reader calls only once its first screen is painted)."""
        if self._started.wait(timeout) and self._thread is not None:
            self._thread.join(timeout)
        return self._index is not None and self._index.complete

    def _prepare(self, titles_first: bool = True) -> None:
        from broadsheet.search import BuildCancelled, SearchIndex

        path = self.index_path()
        cancel = self._cancel.is_set
        try:
            if path is not None and path.exists():
                loaded = SearchIndex.load(path, self.papers)
                if loaded is not None:
                    self._ready(loaded, None)
                    return
            titles = None
            if titles_first:
                titles = SearchIndex.build_titles(self.papers, should_cancel=cancel)
                # Not warmed up: its tables (~70 MB at 100k papers) would sit beside the full
                # build's arrays, and the full index makes its own. A `sort:`, `org:` or
                # `authors:` query meanwhile computes what it needs (~0.1 s, once).
                self._ready(titles, "indexing abstracts…", warm=False)
            # the full build reuses the title stage's slot order and title postings
            full = SearchIndex.build(self.papers, progress=self._report, should_cancel=cancel, titles=titles)
            titles = None  # the title index goes (unless a search holds it) before warm_up allocates
            self._ready(full, None)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                full.save(path)
        except BuildCancelled:
            return
        except OSError:
            self._progress = None  # the index works; only caching it failed

    def _report(self, done: int, total: int) -> None:
        self._progress = f"indexing abstracts {100 * done // max(total, 1)}%"

    def _ready(self, index: SearchIndex, progress: str | None, warm: bool = True) -> None:
        """Publish the index at once (word queries work), then, if `warm`, precompute its sort
        and facet tables here rather than in one long step of a later search (~2 s at 100k
        papers from the cache: every record is decoded once). Until then, the first `sort:`,
        `org:` or `authors:` query computes what it needs itself."""
        self._index = index
        self._progress = progress
        if self._on_ready is not None:
            self._on_ready()
        if warm:
            index.warm_up()
        # The index lives as long as the reader: keep the cyclic collector from rescanning
        # its millions of objects (full collections otherwise pause the UI 100-200 ms).
        gc.freeze()

    def progress(self) -> str | None:
        """A short note for the status line while the index is incomplete."""
        return self._progress

    @property
    def complete(self) -> bool:
        return self._index is not None and self._index.complete

    # -- searching --------------------------------------------------------------------

    def search_steps(
        self,
        text: str,
        *,
        sort_override: str | None,
        previous: SearchOutcome | None,
        status: StatusLookup,
    ) -> Iterator[SearchOutcome | None]:
        index = self._index
        if index is None:
            # no index yet: everything, newest first (a filter waits for the index)
            if not text.strip():
                yield SearchOutcome(rows=newest_first(self.papers), sort="date", text=text)
            else:
                yield SearchOutcome(rows=(), error="still indexing, one moment…", text=text)
            return
        from broadsheet.search import QueryError, SearchResult

        query_text = f"sort:{sort_override} {text}" if sort_override and "sort:" not in text else text
        earlier = previous.engine_state if previous is not None else None
        for step in index.search_steps(query_text, status, earlier if isinstance(earlier, SearchResult) else None):
            if step is None:
                yield None
            elif isinstance(step, QueryError):
                position = step.position - (len(query_text) - len(text))
                yield SearchOutcome(error=f"{step.message} (at {max(position, 0) + 1})", text=text)
            else:
                yield self._outcome(index, step, text)

    @staticmethod
    def _outcome(index: SearchIndex, result: SearchResult, text: str) -> SearchOutcome:
        query = result.query
        cache: dict[int, MatchSpans] = {}

        def spans_for(row: int) -> MatchSpans:
            found = cache.get(row)
            if found is None:
                if len(cache) > 512:
                    cache.clear()
                found = cache[row] = _spans(index.highlights(row, query))
            return found

        titles: dict[int, list[tuple[int, int]]] = {}
        title_spans = index.title_highlighter(query)

        def title_spans_for(row: int) -> list[tuple[int, int]]:
            found = titles.get(row)
            if found is None:
                if len(titles) > 2048:
                    titles.clear()
                found = titles[row] = title_spans(row)
            return found

        return SearchOutcome(
            rows=result.rows,
            sort=result.sort,
            text=text,
            spans_for=spans_for,
            title_spans_for=title_spans_for,
            engine_state=result,
        )
