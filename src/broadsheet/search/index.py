"""`SearchIndex`: the public face of the engine (build, load, search, highlight).

Searching is a generator underneath (`search_steps`) so a UI worker can run it in short
steps: rapidfuzz and the big-int operations hold the GIL, and only short steps keep the
event loop responsive. `search` simply runs the steps to the end.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from os import PathLike

from ..model import Paper
from . import bits, corpus
from .build import Cancel, Parts, Progress, build_parts
from .evaluate import Evaluator, Tiers
from .facets import Facets
from .highlight import Highlighter
from .highlight import highlights as _highlights
from .narrow import narrows
from .order import order_rows
from .query import Query, QueryError, parse_query
from .results import Highlights, SearchResult, Span, StatusLookup
from .steps import drain
from .text import token_spans

_ids = itertools.count(1)
_TIERS_CACHE = 96
_PHRASE_CACHE = 32
_KEYS_PER_STEP = 10_000  # keys put in slot order, or in the key lookup, between yields (~2-5 ms)
TITLE_TOKENS_KEPT = 4096  # titles kept tokenized for highlighting: the rows being looked at recur

Outcome = SearchResult | QueryError


class SearchIndex:
    """An inverted index over `papers`; results are rows (indices into `papers`)."""

    def __init__(self, papers: Sequence[Paper], parts: Parts) -> None:
        self.papers = papers
        self.n = len(papers)
        self.slot_to_row = parts.slot_to_row
        self.vocab = parts.vocab
        self.title = parts.title
        self.body = parts.body
        self.complete = parts.complete
        self.facets = Facets(papers, self.slot_to_row)
        self.facets.preset_orders(parts.orders)
        self.id = next(_ids)
        self._tiers: dict[tuple[str, bool], Tiers] = {}
        self.phrase_verdicts: dict[tuple[tuple[str, ...], bool, str], tuple[int, int]] = {}
        self.status_bits: dict[tuple[str, int], int] = {}
        self._keys_by_slot: list[str] | None = None
        self._titles: Sequence[str] | None = None
        self._title_tokens: dict[int, tuple[tuple[int, int, str], ...]] = {}
        self._slot_of_key: dict[str, int] | None = None

    # -- construction -------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        papers: Sequence[Paper],
        progress: Progress | None = None,
        should_cancel: Cancel | None = None,
        titles: SearchIndex | None = None,
    ) -> SearchIndex:
        """Index titles, abstracts and AI summaries. Run it off the UI thread: 7-9 s for
        100k papers (1.5 KB abstracts; more for bigger vocabularies) on a slow 2-core
        machine, with a helper process tokenizing part of the abstracts on the second core
        (`helper`); what runs here holds the GIL most of the time. Given the
        `build_titles` index of the same papers, its slot order and title postings are
        reused (only abstracts are tokenized); the result is the same. Raises
        `BuildCancelled` soon after `should_cancel()` returns True."""
        reuse = None
        if titles is not None:
            reuse = Parts(titles.slot_to_row, titles.vocab, titles.title, titles.body, titles.complete)
        return cls(papers, build_parts(papers, False, progress, should_cancel, reuse))

    @classmethod
    def build_titles(
        cls, papers: Sequence[Paper], progress: Progress | None = None, should_cancel: Cancel | None = None
    ) -> SearchIndex:
        """A quick title-only index (`complete` is False; ~0.8 s for 100k papers) to search
        while `build` runs. Abstract-only matches are missed until the full index replaces it."""
        return cls(papers, build_parts(papers, True, progress, should_cancel))

    def save(self, path: str | PathLike[str]) -> None:
        """Write the index to `path` (atomically). Raises OSError when it can't."""
        from .cache import save

        save(self, path)

    @classmethod
    def load(cls, path: str | PathLike[str], papers: Sequence[Paper]) -> SearchIndex | None:
        """The index saved at `path` if it was built from exactly these papers, else None
        (missing, stale, corrupt or from another version)."""
        from .cache import load

        parts = load(path, papers)
        return None if parts is None else cls(papers, parts)

    def warm_up(self) -> None:
        """Precompute what searches otherwise compute on first use: sort orders, number and
        organization filters, unions of one- and two-letter prefixes. After a build that
        is ~1-2 s at 100k papers; a loaded index has the orders and unions from its cache
        file (~0.15 s left). Call it in the worker after build or load: otherwise the first
        `sort:`, `authors:` or `org:` query computes these in one long step (100 ms to
        seconds, holding the GIL). Key lookups (`is:starred`) are made on first use, in steps."""
        bits.reserve_naturals(self.n)
        facets = self.facets
        facets.date_bits(None, None)
        for name in ("-date", "upvotes", "-upvotes", "title", "-title", "trending", "-trending"):
            facets.order(name)
        facets.number_bits("upvotes", None, 0)  # after the orders: read off "-upvotes"
        facets.number_bits("authors", None, 0)
        facets.org_bits("\x00")
        ranges = self.vocab.short_prefix_ranges()
        self.title.pin(ranges)
        self.body.pin(ranges)

    # -- searching ----------------------------------------------------------------------

    def search(
        self,
        query: Query | QueryError | str,
        status: StatusLookup | None = None,
        previous: SearchResult | None = None,
    ) -> Outcome:
        """Run `query` (a string is parsed first; a malformed one returns its QueryError)."""
        return drain(self._search(query, status, previous))

    def search_steps(
        self,
        query: Query | QueryError | str,
        status: StatusLookup | None = None,
        previous: SearchResult | None = None,
        step_ms: float = 1.0,
    ) -> Iterator[Outcome | None]:
        """`search` in steps: yields None after roughly `step_ms` of work, and the outcome
        last. Stop iterating at any point to cancel; nothing is left half-changed."""
        steps = self._search(query, status, previous)
        budget = step_ms / 1000
        started = time.perf_counter()
        while True:
            try:
                next(steps)
            except StopIteration as done:
                yield done.value
                return
            now = time.perf_counter()
            if now - started >= budget:
                yield None
                started = time.perf_counter()

    def _search(
        self, query: Query | QueryError | str, status: StatusLookup | None, previous: SearchResult | None
    ) -> Generator[None, None, Outcome]:
        if isinstance(query, str):
            query = parse_query(query)
        if isinstance(query, QueryError):
            return query
        universe = bits.full(self.n)
        narrowed = False
        version = status.version if status is not None else None
        same_status = version is not None and previous is not None and previous.status_version == version
        if previous is not None and previous.index_id == self.id and narrows(query, previous.query, same_status):
            universe, narrowed = previous.bits, True
        evaluator = Evaluator(self, status)
        matched = yield from evaluator.run(query.root, universe)
        sort = query.sort or ("relevance" if query.has_terms else "date")
        scores = None
        if sort == "relevance" and query.has_terms and matched:
            scores = yield from evaluator.scores(query.root, matched)
        rows = yield from order_rows(self, matched, sort, query.reverse, scores)
        label = ("-" if query.reverse else "") + sort
        return SearchResult(
            rows, query, label, self.complete, narrowed=narrowed, status_version=version, bits=matched, index_id=self.id
        )

    def title_highlighter(self, query: Query | QueryError | str) -> Callable[[int], list[Span]]:
        """Title spans by row for one query (what a list row shows, without tokenizing the
        abstract), its words matched once for all rows."""
        if isinstance(query, str):
            query = parse_query(query)
        if isinstance(query, QueryError):
            return lambda _row: []
        title = Highlighter(query, self.vocab).title
        titles, tokens = self.titles, self._title_tokens

        def spans(row: int) -> list[Span]:
            found = tokens.get(row)
            if found is None:
                if len(tokens) >= TITLE_TOKENS_KEPT:
                    tokens.clear()
                found = tokens[row] = tuple(token_spans(titles[row]))
            return title(titles[row], found)

        return spans

    def highlights(self, row: int, query: Query | QueryError | str) -> Highlights:
        """Character spans of `papers[row]` that `query` matched (empty for a bad query)."""
        if isinstance(query, str):
            query = parse_query(query)
        if isinstance(query, QueryError):
            return Highlights()
        return _highlights(self.papers[row], query, self.vocab, titles_only=not self.complete)

    # -- helpers for the evaluator ------------------------------------------------------

    def word_tiers_steps(self, text: str, prefix: bool) -> Generator[None, None, Tiers]:
        """Where a word matches, by match quality and field (cached per word)."""
        key = (text, prefix)
        tiers = self._tiers.get(key)
        if tiers is not None:
            return tiers
        expansion = yield from self.vocab.expand_steps(text, prefix)
        fields = []
        for postings in (self.title, self.body):
            exact = postings.term(expansion.exact)
            by_prefix = yield from postings.union_steps(expansion.prefix_ranges())
            typo = yield from postings.union_steps((), expansion.fuzzy)
            fields.append((exact, by_prefix, typo))
        tiers = Tiers(fields[0], fields[1])
        if len(self._tiers) >= _TIERS_CACHE:
            self._tiers.clear()
        self._tiers[key] = tiers
        return tiers

    def remember_phrase(self, key: tuple[tuple[str, ...], bool, str], checked: int, hits: int) -> None:
        """Keep which slots were checked for a phrase and which had it (it never changes)."""
        if len(self.phrase_verdicts) >= _PHRASE_CACHE and key not in self.phrase_verdicts:
            self.phrase_verdicts.clear()
        self.phrase_verdicts[key] = (checked, hits)

    def remember_status(self, key: tuple[str, int], marked: int) -> None:
        """Keep the starred/read slots of the latest status version only."""
        for old in [k for k in self.status_bits if k[1] != key[1]]:
            self.status_bits.pop(old, None)
        self.status_bits[key] = marked

    @property
    def titles(self) -> Sequence[str]:
        """Titles by row, read a few at a time (a lazy corpus's column: no decoding, no
        cutting them all up)."""
        if self._titles is None:
            self._titles = corpus.title_column(self.papers)
        return self._titles

    def keys_by_slot_steps(self) -> Generator[None, None, list[str]]:
        """Keys in slot order, made on first use in chunks (one C call over 100k keys
        would hold the GIL, and so the UI, for ~30 ms)."""
        if self._keys_by_slot is None:
            keys: list[str] = []
            for chunk in corpus.key_chunks(self.papers, _KEYS_PER_STEP):
                keys += chunk
                yield
            order = self.slot_to_row
            made: list[str] = []
            for start in range(0, self.n, _KEYS_PER_STEP):
                made += map(keys.__getitem__, order[start : start + _KEYS_PER_STEP])
                yield
            self._keys_by_slot = made
        return self._keys_by_slot

    def slot_of_key_steps(self) -> Generator[None, None, dict[str, int]]:
        """Each key's slot, made on first use (an `is:starred` or `is:read` query) in chunks."""
        if self._slot_of_key is None:
            keys = yield from self.keys_by_slot_steps()
            made: dict[str, int] = {}
            for start in range(0, self.n, _KEYS_PER_STEP):
                stop = min(start + _KEYS_PER_STEP, self.n)
                made.update(zip(keys[start:stop], range(start, stop), strict=True))
                yield
            self._slot_of_key = made
        return self._slot_of_key

    def nbytes(self) -> int:
        """Approximate memory held by the index structures (not the papers)."""
        vocab = self.vocab
        terms = sum(len(t) + 50 for t in vocab.terms) + 36 * len(vocab.terms)
        grams = 4 * (len(vocab.grams.ids) + len(vocab.grams.offsets)) + 90 * len(vocab.grams.keys)
        return terms + grams + self.title.nbytes() + self.body.nbytes() + 36 * self.n
