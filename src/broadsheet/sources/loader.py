"""Read listing files (or stdin), recognise their format by content, and parse them.

Every way a file can be unusable ends in a `ListingError` with one line naming the file and
the reason; junk inside a readable listing only produces warnings. Files are streamed
(`ingest`) and their papers folded as they come (`PaperSet`), so memory follows the number
of distinct papers, not the size of the files.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from broadsheet.model import Paper, PaperSet
from broadsheet.sources.errors import ListingError, ParseWarning
from broadsheet.sources.files import BLOCK_SIZE, STDIN, open_listing, spool_stdin

if TYPE_CHECKING:  # the parsers load on a cache miss; the reader's warm start needs none of them
    from broadsheet.sources.dump_parser import PageAssumption
    from broadsheet.sources.ingest import FileReading
    from broadsheet.sources.results import ParseResult

__all__ = ["STDIN", "Listings", "decode", "expand", "load_listings", "open_listings", "parse_data", "read_one"]


@dataclass(slots=True)
class Listings:
    """Papers from one or more listings, deduplicated, with every warning raised on the way."""

    papers: Sequence[Paper] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    entries: int = 0
    files: list[str] = field(default_factory=list)
    cache_key: str | None = None  # identifies exactly these listing files, for derived caches
    save_cache: Callable[[], None] | None = None  # writes the parsed-listing cache, when deferred


def decode(data: bytes, source: str) -> str:
    """A whole file's text, decoded exactly as a stream of it would be (for benchmarks and tests)."""
    if not data.strip():
        raise ListingError(source, "empty file")
    from broadsheet.sources.decoding import decode_whole

    return decode_whole(data, source)[0]


def read_one(handle: BinaryIO, source: str, *, year: int | None = None, block_size: int = BLOCK_SIZE) -> ParseResult:
    """One listing on its own, its papers deduplicated (in first-seen order)."""
    from broadsheet.sources.ingest import read_listing

    assume: PageAssumption | None = None
    for _attempt in range(2):  # a second reading assumes what the first found: it holds
        papers = PaperSet()
        reading = read_listing(handle, source, papers.add, year=year, assume=assume, block_size=block_size)
        if reading.retry_with is None:
            break
        assume = reading.retry_with
    reading.result.papers = papers.papers()
    return reading.result


def parse_data(data: bytes, source: str, *, year: int | None = None, block_size: int = BLOCK_SIZE) -> ParseResult:
    """Raw bytes to papers, read as a file of them would be (see `read_one`)."""
    return read_one(io.BytesIO(data), source, year=year, block_size=block_size)


def expand(paths: Iterable[str]) -> list[tuple[str, bool]]:
    """Files named directly (flagged True), plus the visible regular files inside named folders."""
    files: list[tuple[str, bool]] = []
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            try:
                inside = sorted(
                    str(child) for child in Path(path).iterdir() if child.is_file() and not child.name.startswith(".")
                )
            except PermissionError:
                raise ListingError(path, "permission denied") from None
            if not inside:
                raise ListingError(path, "directory holds no listings")
            files.extend((child, False) for child in inside)
        else:
            files.append((path, True))
    return files


def load_listings(paths: Iterable[str], *, year: int | None = None, block_size: int = BLOCK_SIZE) -> Listings:
    """Load and merge listings.

    A file named directly that cannot be read raises ListingError; inside a folder such a
    file is skipped with a warning, and a folder with nothing readable raises.
    """
    paths = list(paths)
    expanded = expand(paths)
    with contextlib.ExitStack() as stack:
        stdin = stack.enter_context(spool_stdin()) if any(path == STDIN for path, _ in expanded) else None
        assume: dict[str, PageAssumption] = {}
        listings = _load(paths, expanded, year, stdin, assume, block_size)
        if assume:  # a dump's page year was not what its papers were made with: read again
            listings = _load(paths, expanded, year, stdin, assume, block_size)
    return listings


def _load(
    paths: list[str],
    expanded: list[tuple[str, bool]],
    year: int | None,
    stdin: BinaryIO | None,
    assume: dict[str, PageAssumption],
    block_size: int,
) -> Listings:
    listings = Listings()
    papers = PaperSet()
    for path, named in expanded:
        before = len(papers)
        try:
            reading = _read_file(path, papers, year, stdin, assume.get(path), block_size)
        except ListingError as error:
            if named:
                raise
            # only a read error comes after papers were added; those are kept
            what = "skipped" if len(papers) == before else "cut short, the papers before kept"
            listings.warnings.append(ParseWarning(path, 0, f"{what}: {error.reason}"))
            continue
        if reading.retry_with is not None:
            assume[path] = reading.retry_with
        listings.warnings.extend(reading.result.reported_warnings(path))
        listings.entries += reading.result.entries
        listings.files.append(path)
    if expanded and not listings.files:
        folders = [p for p in paths if p != STDIN and os.path.isdir(p)]
        raise ListingError(folders[0] if folders else paths[0], "directory holds no listings")
    listings.papers = papers.papers()
    return listings


def _read_file(
    path: str,
    papers: PaperSet,
    year: int | None,
    stdin: BinaryIO | None,
    assume: PageAssumption | None,
    block_size: int,
) -> FileReading:
    from broadsheet.sources.ingest import read_listing

    try:
        with open_listing(path, stdin) as handle:
            return read_listing(handle, path, papers.add, year=year, assume=assume, block_size=block_size)
    except OSError as error:  # a read error midway (opening errors are mapped by open_listing)
        raise ListingError(path, f"read error: {error.strerror or error}") from None


def open_listings(
    paths: Iterable[str], *, year: int | None = None, use_cache: bool = True, save_later: bool = False
) -> Listings:
    """`load_listings` through the parsed-listing cache: unchanged files are not parsed again.

    With `save_later`, a freshly parsed listing's cache is not written here but left as
    `Listings.save_cache` (~0.8 s at 100k papers), for the reader to run once it is on screen."""
    from broadsheet import corpus_cache

    paths = list(paths)
    described = corpus_cache.describe([path for path, _named in expand(paths)], year) if use_cache else None
    key = None if described is None else corpus_cache.key_of(described)
    cached = corpus_cache.load(key) if key is not None else None
    if cached is not None and cached.extra.get("listings") == described:  # else another set's key
        extra = cached.extra
        return Listings(
            papers=cached,  # a lazy Sequence[Paper]
            warnings=[ParseWarning(w["source"], w["line"], w["reason"]) for w in extra.get("warnings", [])],
            entries=extra.get("entries", len(cached)),
            files=extra.get("files", []),
            cache_key=key,
        )
    listings = load_listings(paths, year=year)
    listings.cache_key = key
    if key is not None:
        extra = {
            "listings": described,
            "warnings": [{"source": w.source, "line": w.line, "reason": w.reason} for w in listings.warnings],
            "entries": listings.entries,
            "files": listings.files,
        }
        papers = listings.papers

        def save() -> None:
            # the cache only saves time; a read-only or full cache dir costs nothing else
            with contextlib.suppress(OSError):
                corpus_cache.save(papers, key, extra)

        if save_later:
            listings.save_cache = save
        else:
            save()
    return listings


def identity_pairs(papers: Sequence[Paper]) -> list[tuple[str, str]]:
    """(title key, arXiv key) for papers whose id is known: state kept by title follows them."""
    ready = getattr(papers, "identities", None)
    if ready is not None:  # the corpus cache keeps them: nothing to decode or normalize
        return list(ready)
    return [(paper.title_key, paper.key) for paper in papers if paper.arxiv_id]
