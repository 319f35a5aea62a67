"""A daily-papers dump read from a file chunk by chunk, each paper handed on as it is made.

Memory follows one chunk and the parser's small window of lines, not the file. The page
year is the subtle part (see `dump_parser`): when the text is longer than one chunk and
its header gives no year, the parser assumes the year that the latest explicit year in
the file's metadata dates implies, found by one quick pass over the raw bytes (a twentieth
of the parse's time), and says at the end whether the assumption held.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from broadsheet.file_map import mapped
from broadsheet.model import Paper
from broadsheet.sources.dump import collector_paused
from broadsheet.sources.dump_parser import DumpParser, PageAssumption
from broadsheet.sources.dump_split import DumpSplit
from broadsheet.sources.files import BLOCK_SIZE, TextStream
from broadsheet.sources.lines import LineSplitter
from broadsheet.sources.results import ParseResult

# A date line with a year (`May 28, 2023 12`) from its month on, and how it is found: after a
# metadata block's middle dot (U+00B7: the byte B7 in UTF-8 and in Windows-1252) and blank
# lines, or (for text full of B7 bytes, see `_latest_after_dots`) after any line feed.
_YEAR_DATE = (
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{1,2}, (\d{4})"
    rb"(?: \d{1,7}| \d{1,4}(?:\.\d)?k)?[ \t]*(?:[\r\n]|$)"
)
_AFTER_DOT = re.compile(rb"[ \t]*(?:\r\n?|\n)(?:[ \t]*(?:\r\n?|\n))*[ \t]*" + _YEAR_DATE)
_AFTER_LINE_FEED = re.compile(rb"\n[ \t]*" + _YEAR_DATE)
_TAIL = 256  # how far past a block a date line found in it by the dense-dot scan may run


def latest_explicit_year(handle: BinaryIO) -> int | None:
    """The latest year in a date line after a middle dot (as the parser reads metadata blocks);
    the file position is kept. A guess: a wrong one costs a second reading, never a wrong paper."""
    latest = b""  # four digits compare as their years do
    with _whole(handle) as data:
        for start in range(0, len(data), BLOCK_SIZE):
            latest = max(latest, _latest_after_dots(data, start, min(start + BLOCK_SIZE, len(data))))
            _let_go(data, start, BLOCK_SIZE)
    return int(latest or 0) or None


def _let_go(data: bytes | mmap.mmap, start: int, length: int) -> None:
    """Unmap a scanned block's pages from this process (they stay in the page cache), so
    that scanning a large file does not count it all in the process's memory."""
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED") and start % mmap.PAGESIZE == 0:
        with contextlib.suppress(OSError, ValueError):
            data.madvise(mmap.MADV_DONTNEED, start, min(length, len(data) - start))


@contextlib.contextmanager
def _whole(handle: BinaryIO) -> Iterator[bytes | mmap.mmap]:
    """All the bytes of `handle`: a file is memory-mapped, not read (reading 180 MB in blocks
    copied each one two or three times: half of this scan's time). Other handles are read."""
    position = handle.tell()
    try:
        with contextlib.ExitStack() as stack:
            try:
                data = stack.enter_context(mapped(handle))
            except (OSError, ValueError, io.UnsupportedOperation):  # not a file on disk
                handle.seek(0)
                data = handle.read()
            yield data
    finally:
        handle.seek(position)


def _latest_after_dots(data: bytes | mmap.mmap, start: int, stop: int) -> bytes:
    """The latest year (four digits, or b"") in a date line after a dot in `data[start:stop]`
    (the line itself may run past `stop`).

    A regex scan steps through every byte in Python's regex engine; a dump has a dot about
    every 2 KB, found by memchr (`find` of one byte), so only the text at each is matched:
    2-3x faster. B7 bytes far denser than that are other text (the UTF-8 of many letters of
    other scripts ends in B7): then a regex scan reads the rest of the block.
    """
    latest = b""
    budget = (stop - start + _TAIL) >> 8  # a dot per 256 bytes of the text looked at
    find, match = data.find, _AFTER_DOT.match
    dot = find(b"\xb7", start, stop)
    while dot >= 0:
        if (date := match(data, dot + 1)) is not None and date[1] > latest:
            latest = date[1]
        budget -= 1
        if budget < 0:
            for date in _AFTER_LINE_FEED.finditer(data, dot, stop + _TAIL):
                if date.start() >= stop:
                    break
                latest = max(latest, date[1])
            return latest
        dot = find(b"\xb7", dot + 1, stop)
    return latest


def read_dump(
    text: TextStream,
    on_paper: Callable[[Paper], None],
    *,
    year: int | None = None,
    assume: PageAssumption | None = None,
    split: bool = True,
) -> tuple[ParseResult, PageAssumption | None]:
    """Parse the dump that `text` holds; `on_paper` takes each paper as it is made.

    Returns the result (its `papers` empty: they were handed on) and None, or, when the
    papers were made with a page year or date that the whole text does not bear out, the
    page to `assume` on a second reading (whose papers then replace these). A large file
    is read on two cores (`dump_split`) unless `split` is False; the result is the same.
    """
    source = text.source
    guess = (lambda: latest_explicit_year(text.handle)) if text.ascii_compatible else None
    parser = DumpParser(source, year=year, assume=assume, guess_explicit_year=guess)
    splitter = LineSplitter(source)

    def after_window() -> None:
        _hand_on(parser.take_papers(), on_paper)  # `on_paper` as it stands (see `_skipping` below)

    with collector_paused(), contextlib.ExitStack() as cleanup:
        helper = DumpSplit.start(text) if split else None
        window: list[str] = []
        if helper is not None:
            cleanup.callback(helper.stop)
            window = read_lines(text, parser, splitter, after_window)
            # at the cut the reading stands exactly as without one (see `run_to_cut`); the
            # text ends before it only when the file changed under the reading
            if text.paused() and splitter.at_line_start():
                continuing = parser.run_to_cut(window)
                window = []
                if continuing:
                    after_window()
                    handed = helper.hand_on(parser, splitter, text.decoder(), on_paper)
                    if handed is None:  # the helper read the rest
                        return _finish(parser, splitter, on_paper)
                    on_paper = _skipping(handed, on_paper)  # read here past the papers it gave
            helper.stop()
            text.resume()
        window = read_lines(text, parser, splitter, after_window, window)
        window += splitter.close()
        parser.run(window, final=True)
        del window  # before the last papers are made
        return _finish(parser, splitter, on_paper)


def read_lines(
    text: TextStream,
    parser: DumpParser,
    splitter: LineSplitter,
    after_window: Callable[[], None],
    window: list[str] | None = None,
) -> list[str]:
    """Read `text` to its end (or its pause), window by window after the lines of `window`,
    calling `after_window` after each; the lines of the last chunk are returned unread, to be
    read with the end in sight."""
    window = [] if window is None else window
    chunks = text.lines_or_chunks()
    chunk = next(chunks, None)
    while chunk is not None:
        window += splitter.feed(chunk)
        chunk = next(chunks, None)
        if chunk is None:
            break  # the last chunk: read with the end in sight, no assumption needed
        del window[: parser.run(window, final=False)]
        after_window()
    return window


def _skipping(count: int, on_paper: Callable[[Paper], None]) -> Callable[[Paper], None]:
    """`on_paper`, but the first `count` papers are dropped."""
    left = count

    def hand_on(paper: Paper) -> None:
        nonlocal left
        if left:
            left -= 1
        else:
            on_paper(paper)

    return hand_on


def _hand_on(papers: list[Paper], on_paper: Callable[[Paper], None]) -> None:
    for paper in papers:
        on_paper(paper)


def _finish(
    parser: DumpParser, splitter: LineSplitter, on_paper: Callable[[Paper], None]
) -> tuple[ParseResult, PageAssumption | None]:
    result = parser.finish(splitter.warnings)
    _hand_on(result.papers, on_paper)
    result.papers = []
    return result, None if parser.assumption_held else parser.actual_page
