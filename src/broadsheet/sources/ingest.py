"""One listing file in: its format recognised by content (never by name), its papers handed
on as they are read.

Daily-papers dumps, JSON arrays (the HF API, broadsheet's JSON export) and JSON Lines are
read in pieces, however large. RSS, Atom, a JSON Feed or a single JSON object is read whole
(feedparser and `json.loads` need the whole document), so such a file larger than
`MAX_WHOLE` is refused with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from broadsheet.model import Paper
from broadsheet.sources.dump import looks_like_dump
from broadsheet.sources.dump_parser import PageAssumption
from broadsheet.sources.dump_stream import read_dump
from broadsheet.sources.errors import ListingError
from broadsheet.sources.exported import looks_like_export, read_export
from broadsheet.sources.files import BLOCK_SIZE, HEAD_CHARS, TextStream, file_size, read_head
from broadsheet.sources.hf_api import looks_like_hf_json, parse_hf_json, read_hf_array
from broadsheet.sources.results import ParseResult

MAX_WHOLE = 64_000_000  # bytes
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(slots=True)
class FileReading:
    """What reading one file gave: its result (papers handed on, not kept here), how many
    papers it handed on, and for a dump read with a wrong page assumption the right one."""

    result: ParseResult
    added: int
    retry_with: PageAssumption | None = None


def read_listing(
    handle: BinaryIO,
    source: str,
    on_paper: Callable[[Paper], None],
    *,
    year: int | None = None,
    assume: PageAssumption | None = None,
    block_size: int = BLOCK_SIZE,
) -> FileReading:
    """Read one listing from a seekable binary file; ListingError when nothing can be read.

    Nothing is handed on before the format is known, and no ListingError is raised after the
    first paper was handed on (a broken JSON array keeps its first entries, with a warning).
    """
    head = read_head(handle)
    if head[:4096].lstrip()[:1] == b"<" or head[:2] in _UTF16_BOMS:
        # feedparser is imported only for markup: plain dumps don't pay its import time
        from broadsheet.sources.feeds import looks_like_feed, parse_feed

        if looks_like_feed(head):  # sniffed before decoding: a feed may declare UTF-16 or Latin-1
            return _hand_on(parse_feed(_whole_bytes(handle, source, "an RSS or Atom feed"), source), on_paper)
    if not head.strip() and file_size(handle) <= len(head):
        raise ListingError(source, "empty file")
    text = TextStream(handle, source, block_size=block_size)
    start = text.head(HEAD_CHARS)
    if not start.replace("\ufeff", "").strip():
        _refuse_blank(text, source)
    first = start.lstrip()[:1]
    if first in ("{", "["):
        reading = _read_json(text, start, source, on_paper)
    elif first == "<":
        raise ListingError(source, "HTML or XML that is not a listing (not RSS or Atom)")
    elif looks_like_dump(start):
        result, retry_with = read_dump(text, on_paper, year=year, assume=assume)
        reading = FileReading(result, result.entries, retry_with)
    else:
        raise ListingError(source, "not a daily-papers listing (no page header, metadata or abstracts found)")
    if not reading.added:
        problem = reading.result.first_problem()
        raise ListingError(source, f"no papers found ({problem})" if problem else "no papers found")
    reading.result.notices = text.warnings()  # about the encoding
    return reading


def _read_json(text: TextStream, start: str, source: str, on_paper: Callable[[Paper], None]) -> FileReading:
    from broadsheet.sources.feeds import looks_like_json_feed, parse_json_feed

    array = start.lstrip().startswith("[")
    if looks_like_json_feed(start):
        return _hand_on(parse_json_feed(_whole_text(text, "a JSON Feed"), source), on_paper)
    if looks_like_hf_json(start):
        if array:
            return _counted(read_hf_array(text, source, on_paper))
        return _hand_on(parse_hf_json(_whole_text(text, "a single JSON object"), source), on_paper)
    if looks_like_export(start):
        return _counted(read_export(text, source, on_paper, array=array))
    raise ListingError(source, "JSON that is not a listing (not HF API, JSON Feed or a broadsheet export)")


def _hand_on(result: ParseResult, on_paper: Callable[[Paper], None]) -> FileReading:
    for paper in result.papers:
        on_paper(paper)
    added, result.papers = len(result.papers), []
    return FileReading(result, added)


def _counted(result: ParseResult) -> FileReading:
    return FileReading(result, result.entries)


def _check_whole_size(handle: BinaryIO, source: str, what: str) -> None:
    size = file_size(handle)
    if size > MAX_WHOLE:
        over = f"{size / 1e6:,.0f} MB (over {MAX_WHOLE / 1e6:.0f} MB)"
        raise ListingError(source, f"{what} is read whole, and this one is {over}; not read")


def _whole_bytes(handle: BinaryIO, source: str, what: str) -> bytes:
    _check_whole_size(handle, source, what)
    handle.seek(0)
    return handle.read()


def _whole_text(text: TextStream, what: str) -> str:
    _check_whole_size(text.handle, text.source, what)
    return "".join(text)


def _refuse_blank(text: TextStream, source: str) -> None:
    """A text whose head is blank: empty, or with so much blank space first that it is no listing."""
    for chunk in text:
        if chunk.replace("\ufeff", "").strip():
            raise ListingError(source, f"no text in the first {HEAD_CHARS:,} characters, not a listing")
    raise ListingError(source, "empty file")
