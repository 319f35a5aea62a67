"""Read listing files (or stdin), recognise their format by content, and parse them.

Every way a file can be unusable ends in a `ListingError` with one line naming the file and
the reason; junk inside a readable listing only produces warnings.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.model import Paper, dedupe, make_key
from broadsheet.sources.dump import ParseResult, looks_like_dump, parse_dump
from broadsheet.sources.errors import ListingError, ParseWarning
from broadsheet.sources.exported import looks_like_export, parse_export
from broadsheet.sources.hf_api import looks_like_hf_json, parse_hf_json

STDIN = "-"
# Anything bigger is almost surely not a listing someone meant to open here.
MAX_BYTES = 1 << 30


@dataclass(slots=True)
class Listings:
    """Papers from one or more listings, deduplicated, with every warning raised on the way."""

    papers: Sequence[Paper] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    entries: int = 0
    files: list[str] = field(default_factory=list)
    cache_key: str | None = None  # identifies exactly these listing files, for derived caches


def read_bytes(path: str) -> bytes:
    """The raw bytes of a file or of stdin, with OS errors turned into ListingError."""
    if path == STDIN:
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ListingError(path, "no such file") from None
    except IsADirectoryError:
        raise ListingError(path, "is a directory") from None
    except PermissionError:
        raise ListingError(path, "permission denied") from None
    except OSError as error:
        raise ListingError(path, error.strerror or str(error)) from None
    if len(data) > MAX_BYTES:
        raise ListingError(path, "larger than 1 GiB, not read")
    return data


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a BOM is allowed); binary and other encodings are refused by name."""
    if not data.strip():
        raise ListingError(source, "empty file")
    if b"\x00" in data[:8192]:
        raise ListingError(source, "binary file, not a listing")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ListingError(
            source, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None


def parse_text(text: str, source: str, *, year: int | None = None) -> ParseResult:
    """Recognise a text listing by its content (never by file name) and parse it."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        from broadsheet.sources.feeds import looks_like_json_feed, parse_json_feed

        if looks_like_json_feed(text):
            return _nonempty(parse_json_feed(text, source), source)
        if looks_like_hf_json(text):
            return _nonempty(parse_hf_json(text, source), source)
        if looks_like_export(text):
            return _nonempty(parse_export(text, source), source)
        raise ListingError(source, "JSON that is not a listing (not HF API, JSON Feed or a broadsheet export)")
    if head == "<":
        from broadsheet.sources.feeds import looks_like_feed, parse_feed

        if looks_like_feed(text):
            return _nonempty(parse_feed(text.encode("utf-8"), source), source)
        raise ListingError(source, "HTML or XML that is not a listing (not RSS or Atom)")
    if looks_like_export(text):
        return _nonempty(parse_export(text, source), source)
    if not looks_like_dump(text):
        raise ListingError(source, "not a daily-papers listing (no page header, metadata or abstracts found)")
    return _nonempty(parse_dump(text, source, year=year), source)


def parse_data(data: bytes, source: str, *, year: int | None = None) -> ParseResult:
    """Raw bytes to papers. Feeds are sniffed before decoding: they may declare UTF-16 or Latin-1."""
    if data[:4096].lstrip()[:1] == b"<" or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # feedparser is imported only for markup: plain dumps don't pay its import time
        from broadsheet.sources.feeds import looks_like_feed, parse_feed

        if looks_like_feed(data[:65536]):
            return _nonempty(parse_feed(data, source), source)
    return parse_text(decode(data, source), source, year=year)


def _nonempty(result: ParseResult, source: str) -> ParseResult:
    if not result.papers:
        reason = "no papers found"
        if result.warnings:
            first = result.warnings[0]
            reason += f" ({first.reason}{f' at line {first.line}' if first.line else ''})"
        raise ListingError(source, reason)
    return result


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


def load_listings(paths: Iterable[str], *, year: int | None = None) -> Listings:
    """Load and merge listings.

    A file named directly that cannot be read raises ListingError; inside a folder such a
    file is skipped with a warning, and a folder with nothing readable raises.
    """
    listings = Listings()
    sightings: list[Paper] = []
    paths = list(paths)
    expanded = expand(paths)
    for path, named in expanded:
        try:
            result = parse_data(read_bytes(path), path, year=year)
        except ListingError as error:
            if named:
                raise
            listings.warnings.append(ParseWarning(path, 0, f"skipped: {error.reason}"))
            continue
        sightings.extend(result.papers)
        listings.warnings.extend(result.warnings)
        listings.entries += result.entries
        listings.files.append(path)
    if expanded and not listings.files:
        folders = [p for p in paths if p != STDIN and os.path.isdir(p)]
        raise ListingError(folders[0] if folders else paths[0], "directory holds no listings")
    listings.papers = dedupe(sightings)
    return listings


def open_listings(paths: Iterable[str], *, year: int | None = None, use_cache: bool = True) -> Listings:
    """`load_listings` through the parsed-listing cache: unchanged files are not parsed again."""
    from broadsheet import corpus_cache

    paths = list(paths)
    key = corpus_cache.fingerprint([path for path, _named in expand(paths)], year) if use_cache else None
    if key is not None and (cached := corpus_cache.load(key)) is not None:
        extra = cached.extra
        return Listings(
            papers=cached,  # type: ignore[arg-type]  # a lazy Sequence[Paper]
            warnings=[ParseWarning(w["source"], w["line"], w["reason"]) for w in extra.get("warnings", [])],
            entries=extra.get("entries", len(cached)),
            files=extra.get("files", []),
            cache_key=key,
        )
    listings = load_listings(paths, year=year)
    listings.cache_key = key
    if key is not None:
        extra = {
            "warnings": [{"source": w.source, "line": w.line, "reason": w.reason} for w in listings.warnings],
            "entries": listings.entries,
            "files": listings.files,
        }
        # the cache only saves time; a read-only or full cache dir costs nothing else
        with contextlib.suppress(OSError):
            corpus_cache.save(listings.papers, key, extra)
    return listings


def identity_pairs(papers: Sequence[Paper]) -> list[tuple[str, str]]:
    """(title key, arXiv key) for papers whose id is known: state kept by title follows them."""
    keys = getattr(papers, "keys", None)
    if keys is not None:  # the corpus cache: columns, no decoding
        titles = papers.titles  # type: ignore[attr-defined]
        return [(make_key(titles[i]), key) for i, key in enumerate(keys) if key.startswith("arxiv:")]
    return [(paper.title_key, paper.key) for paper in papers if paper.arxiv_id]
