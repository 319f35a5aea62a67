"""A parsed-listing cache that opens 100k papers in tens of milliseconds.

Parsing 180 MB of listings takes seconds; the reader needs only titles, dates, upvotes and
keys to paint its first screen. So the cache keeps those as columns (one `marshal` blob, read
whole) and everything else as one record per paper in a second file that is memory-mapped and
decoded only when a paper is looked at. It lives in the user cache dir and is keyed by the
listings' paths, sizes and modification times: any change means a fresh parse. Deleting it
loses nothing. The upvote history rides in the record, as (day ordinal, count) pairs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import math
import mmap
import operator
import os
import tempfile
import time
import zlib
from array import array
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain, count
from pathlib import Path
from typing import Any, overload

from broadsheet import paths
from broadsheet.file_map import mapped
from broadsheet.model import Organization, Paper, Published, Source, UpvoteSample, upvote_growth

FORMAT = 9  # bump when the layout or the parser's output changes
_MAGIC = b"BSCACHE"
_SEPARATOR = "\x00"  # between the strings of a TextColumn: splitting on it is one C call


def describe(files: Sequence[str], year: int | None) -> str | None:
    """This exact set of listing files as they are now: their real paths, sizes and
    modification times, in order, and the year given for yearless dates (as text). None when
    a file cannot be stat'ed (stdin). A cache stores it and is used only when it matches."""
    parts: list[Any] = [FORMAT, year]
    for name in files:
        if name == "-":
            return None
        try:
            info = os.stat(name)
        except OSError:
            return None
        parts.append((os.path.realpath(name), info.st_size, info.st_mtime_ns))
    return repr(parts)  # str, int and None have exact reprs; repr escapes lone surrogates


def key_of(described: str) -> str:
    """A cache's file name for a `describe` text.

    Two 32-bit checksums (zlib), not a hashlib digest: the reader's first screen waits for
    this, and hashlib (with json, which the old key used too) cost it ~2 ms of imports. A
    collision cannot show the wrong papers: the loader checks the stored description."""
    data = described.encode()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def cache_folder() -> Path:
    return paths.cache_dir() / "corpus"


def _record(paper: Paper) -> tuple[Any, ...]:
    org = (paper.organization.id, paper.organization.name) if paper.organization else None
    sources = tuple((s.file, s.line) for s in paper.sources)
    return (
        paper.authors,
        paper.authors_count,
        org,
        paper.arxiv_id,
        paper.urls,
        sources,
        tuple((s.seen.toordinal(), s.upvotes) for s in paper.upvote_history),
    )


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # JSON can carry a lone surrogate


def save(papers: Sequence[Paper], key: str, extra: dict[str, Any] | None = None, folder: Path | None = None) -> Path:
    """Write the cache atomically (temp files, then rename); returns the columns file."""
    folder = folder or cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    # per paper: the abstract and the AI summary as UTF-8, then the rest marshalled, so a
    # phrase check reads the texts without decoding the record (3 offsets a paper)
    offsets = array("Q", [0])
    fd, records_temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        position = 0
        for paper in papers:
            for blob in (_utf8(paper.abstract), _utf8(paper.ai_summary or ""), marshal.dumps(_record(paper))):
                handle.write(blob)
                position += len(blob)
                offsets.append(position)
    dates = [p.published.date.toordinal() if p.published else 0 for p in papers]
    # the reader's first screen is this order: sorting 100k dates at start-up costs ~40 ms
    newest = array("I", sorted(range(len(dates)), key=dates.__getitem__, reverse=True))
    org_ids: dict[tuple[str, str], int] = {}
    org_of = array("i", [-1]) * len(papers)
    for row, paper in enumerate(papers):
        if (org := paper.organization) is not None:
            org_of[row] = org_ids.setdefault((org.id, org.name), len(org_ids))
    growth = [upvote_growth(p) for p in papers]
    keys, titles = TextColumn.pack([p.key for p in papers]), TextColumn.pack([p.title for p in papers])
    columns = {
        "keys": keys,
        "titles": titles,
        # what the search index's cache checks it was built from, worked out once here
        "digest": content_digest(keys, titles, dates),
        "dates": dates,
        "newest": newest.tobytes(),
        "inferred": bytes(bool(p.published and p.published.year_inferred) for p in papers),
        "has_summary": bytes(p.ai_summary is not None for p in papers),
        "upvotes": [-1 if p.upvotes is None else p.upvotes for p in papers],
        "offsets": offsets.tobytes(),
        # what sorting and filtering need beyond the columns above, without decoding records
        "authors": array("i", [-1 if (n := p.author_count) is None else n for p in papers]).tobytes(),
        "growth": array("d", [math.nan if g is None else g for g in growth]).tobytes(),
        "org_of": org_of.tobytes(),
        "orgs": list(org_ids),
        # (title key, arXiv key) of papers with an id: the reading state follows these at start-up
        "identities": [(p.title_key, p.key) for p in papers if p.arxiv_id],
        "extra": extra or {},
    }
    fd, columns_temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(_MAGIC)
        marshal.dump(columns, handle)
    os.replace(records_temp, folder / f"{key}.records")
    os.replace(columns_temp, folder / f"{key}.columns")
    _prune(folder, keep=key)
    return folder / f"{key}.columns"


def _prune(folder: Path, keep: str, limit: int = 4) -> None:
    """Keep the few most recent caches; older listings' caches are dead weight, and so are
    temp files a killed process left behind (older than an hour: none being written now)."""
    for temp in folder.glob("*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - temp.stat().st_mtime > 3600:
                temp.unlink()
    caches = sorted(folder.glob("*.columns"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in caches[limit:]:
        if stale.stem != keep:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".records").unlink(missing_ok=True)


def load(key: str, folder: Path | None = None) -> CachedPapers | None:
    """The cached papers, or None when absent, stale or damaged (never an exception)."""
    folder = folder or cache_folder()
    try:
        with open(folder / f"{key}.columns", "rb") as handle, mapped(handle) as data:
            if data[: len(_MAGIC)] != _MAGIC:
                return None
            # from the mapping, not read(): copying 20 MB first costs more than decoding it
            # (and marshal.load on the file makes a method call per string: 5x slower)
            with memoryview(data) as view:
                columns = marshal.loads(view[len(_MAGIC) :])
        records = open(folder / f"{key}.records", "rb")  # noqa: SIM115 - kept open by the mapping
        with records:
            size = os.fstat(records.fileno()).st_size
            texts = mmap.mmap(records.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return CachedPapers(columns, texts)
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None


def content_digest(keys: tuple[str, bytes], titles: tuple[str, bytes], dates: Sequence[int]) -> str:
    """A digest of the papers' keys and titles (as `TextColumn.pack` makes them) and their
    dates (day ordinals), in row order: what a search index's cache must match. The corpus
    cache stores it, so loading an index does not digest 20 MB of text (~65 ms at 100k)."""
    import hashlib  # here: the reader's first screen needs no digest (see key_of)

    digest = hashlib.blake2b(digest_size=16)
    for text, ends in (keys, titles):
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(ends)
    digest.update(array("q", dates).tobytes())
    return f"{len(dates)}:{digest.hexdigest()}"


class TextColumn(Sequence[str]):
    """A column of strings kept as one text and each string's end: loading 100k keys or
    titles then makes two objects instead of 100k strings (~15 ms a column, before the
    reader's first screen). A string is cut out when asked for; `as_list` cuts them all,
    once, for the work that reads every one (counting, the search index).

    The strings are joined by a NUL, so `as_list` is one `split` (30-33 ms for 100k keys in
    a fresh process, against 36-48 ms slicing: making the strings is most of it); a string
    holding a NUL itself makes it slice instead."""

    __slots__ = ("_ends", "_list", "_text")

    def __init__(self, text: str, ends: bytes) -> None:
        self._text = text
        self._ends = array("Q")
        self._ends.frombytes(ends)
        self._list: list[str] | None = None
        if self._ends and self._ends[-1] != len(text):
            raise ValueError("text column and its ends disagree")

    @staticmethod
    def pack(strings: list[str]) -> tuple[str, bytes]:
        """What the cache stores: (the strings joined by NULs, each one's end offset)."""
        ends = map(operator.add, accumulate(map(len, strings)), count())  # count: the NULs before
        return _SEPARATOR.join(strings), array("Q", ends).tobytes()

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if self._list is not None or isinstance(index, slice):
            return self.as_list()[index]
        ends = self._ends
        if index < 0:
            index += len(ends)
            if index < 0:
                raise IndexError("text column index out of range")
        end = ends[index]  # raises IndexError past the end, as a list does
        return self._text[ends[index - 1] + 1 if index else 0 : end]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_list())

    def cut(self, start: int, stop: int) -> list[str]:
        """The strings of rows `start` to `stop`, both counted from 0 (one C call over their
        part of the text); a stop past the end is the end."""
        if start < 0 or stop < 0:
            raise ValueError("TextColumn.cut takes rows counted from the start")
        if self._list is not None:
            return self._list[start:stop]
        stop = min(stop, len(self._ends))
        if start >= stop:
            return []
        ends = self._ends
        part = self._text[ends[start - 1] + 1 if start else 0 : ends[stop - 1]].split(_SEPARATOR)
        if len(part) != stop - start:  # a string holds a NUL: cut at the recorded ends
            return [self[row] for row in range(start, stop)]
        return part

    def as_list(self) -> list[str]:
        if self._list is None:
            text, ends = self._text, self._ends
            cut = text.split(_SEPARATOR) if ends else []
            if len(cut) != len(ends):  # a string holds a NUL: cut at the recorded ends
                starts = chain((0,), map((1).__add__, ends))  # zip stops at the last end
                cut = [text[start:end] for start, end in zip(starts, ends, strict=False)]
            self._list = cut
        return self._list


class CachedPapers(Sequence[Paper]):
    """Papers decoded on access; the columns answer list and sort questions without decoding."""

    def __init__(self, columns: dict[str, Any], records: mmap.mmap | bytes) -> None:
        self.keys = TextColumn(*columns["keys"])
        self.titles = TextColumn(*columns["titles"])
        self.digest: str = columns["digest"]  # see content_digest
        self.dates: list[int] = columns["dates"]
        self.upvotes: list[int] = columns["upvotes"]
        self._inferred: bytes = columns["inferred"]
        self._has_summary: bytes = columns["has_summary"]
        self._offsets = array("Q")
        self._offsets.frombytes(columns["offsets"])
        self.newest_first = array("I")  # rows by date, newest first, undated last
        self.newest_first.frombytes(columns["newest"])
        self._records = records
        self.extra: dict[str, Any] = columns.get("extra", {})
        self._facts_columns = (columns["authors"], columns["growth"], columns["org_of"], columns["orgs"])
        self.identities: list[tuple[str, str]] = columns["identities"]  # marshal keeps the tuples
        sizes = {len(self.keys), len(self.titles), len(self.dates), len(self.upvotes), len(self.newest_first)}
        sizes |= {len(self._has_summary), (len(self._offsets) - 1) / 3}
        if sizes != {len(self.keys)} or self._offsets[-1] != len(records):
            raise ValueError("cache columns disagree")

    def __len__(self) -> int:
        return len(self.keys)

    def facts(self) -> tuple[list[int | None], list[float | None], list[tuple[str, str] | None]]:
        """Author counts, upvote growth and organizations by row (see search.corpus.facts)."""
        authors_raw, growth_raw, org_raw, orgs = self._facts_columns
        counts, gains, org_of = array("i"), array("d"), array("i")
        counts.frombytes(authors_raw)
        gains.frombytes(growth_raw)
        org_of.frombytes(org_raw)
        table = [tuple(org) for org in orgs]
        return (
            [None if n < 0 else n for n in counts],
            [None if math.isnan(g) else g for g in gains],
            [None if i < 0 else table[i] for i in org_of],
        )

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> list[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | list[Paper]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        abstract, ai_summary = self.body_text(index)
        start, end = self._offsets[3 * index + 2], self._offsets[3 * index + 3]
        authors, authors_count, org, arxiv_id, urls, sources, history = marshal.loads(self._records[start:end])
        ordinal = self.dates[index]
        votes = self.upvotes[index]
        return Paper(
            title=self.titles[index],
            abstract=abstract,
            ai_summary=ai_summary,
            authors=authors,
            authors_count=authors_count,
            organization=Organization(*org) if org else None,
            published=Published(dt.date.fromordinal(ordinal), bool(self._inferred[index])) if ordinal else None,
            upvotes=None if votes < 0 else votes,
            arxiv_id=arxiv_id,
            urls=urls,
            sources=tuple(Source(f, n) for f, n in sources),
            key=self.keys[index],
            upvote_history=tuple(UpvoteSample(dt.date.fromordinal(day), votes) for day, votes in history),
        )

    def upvote_columns(self) -> tuple[bytes, bytes]:
        """Upvotes (int64, -1 for unknown) and their growth (float64, NaN for unknown) as
        raw bytes: what search.cache.facts_fingerprint digests."""
        return array("q", self.upvotes).tobytes(), self._facts_columns[1]

    def body_text(self, index: int) -> tuple[str, str | None]:
        """(abstract, AI summary) of one paper, without decoding the rest of its record."""
        at = self._offsets
        records = self._records
        first, middle, last = at[3 * index], at[3 * index + 1], at[3 * index + 2]
        abstract = records[first:middle].decode("utf-8", "surrogatepass")
        if not self._has_summary[index]:
            return abstract, None
        return abstract, records[middle:last].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[Paper]:
        for index in range(len(self)):
            yield self[index]
