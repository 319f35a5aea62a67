"""A daily-papers dump read from a file chunk by chunk, each paper handed on as it is made.

Memory follows one chunk and the parser's small window of lines, not the file. The page
year is the subtle part (see `dump_parser`): when the text is longer than one chunk and
its header gives no year, the parser assumes the year that the latest explicit year in
the file's date lines implies, found by one quick regex pass over the raw bytes (a tenth
of the parse's time), and says at the end whether the assumption held.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import BinaryIO

from broadsheet.model import Paper
from broadsheet.sources.dump import collector_paused
from broadsheet.sources.dump_parser import DumpParser, PageAssumption
from broadsheet.sources.files import BLOCK_SIZE, TextStream
from broadsheet.sources.lines import LineSplitter
from broadsheet.sources.results import ParseResult

# A date line with a year (`May 28, 2023 12`), after a line feed: the literal first byte
# keeps the scan at memchr speed (a CR-only file is not scanned well, and is parsed twice).
_EXPLICIT_DATE = re.compile(
    rb"\n[ \t]*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{1,2}, (\d{4})"
    rb"(?: \d{1,7}| \d{1,4}(?:\.\d)?k)?[ \t]*\r?(?=\n)"
)


def latest_explicit_year(handle: BinaryIO) -> int | None:
    """The latest year printed in a date line of the file; the file position is kept."""
    position = handle.tell()
    handle.seek(0)
    latest = 0
    carry = b"\n"
    while block := handle.read(BLOCK_SIZE):
        data = carry + block
        for match in _EXPLICIT_DATE.finditer(data):
            latest = max(latest, int(match[1]))
        carry = data[-64:]  # a date line cut by the block's end is found in the next round
    for match in _EXPLICIT_DATE.finditer(carry + b"\n"):
        latest = max(latest, int(match[1]))
    handle.seek(position)
    return latest or None


def read_dump(
    text: TextStream,
    on_paper: Callable[[Paper], None],
    *,
    year: int | None = None,
    assume: PageAssumption | None = None,
) -> tuple[ParseResult, PageAssumption | None]:
    """Parse the dump that `text` holds; `on_paper` takes each paper as it is made.

    Returns the result (its `papers` empty: they were handed on) and None, or, when the
    papers were made with a page year or date that the whole text does not bear out, the
    page to `assume` on a second reading (whose papers then replace these).
    """
    source = text.source
    guess = (lambda: latest_explicit_year(text.handle)) if text.ascii_compatible else None
    parser = DumpParser(source, year=year, assume=assume, guess_explicit_year=guess)
    splitter = LineSplitter(source)
    window: list[str] = []
    with collector_paused():
        chunks = iter(text)
        chunk = next(chunks, None)
        while chunk is not None:
            window += splitter.feed(chunk)
            chunk = next(chunks, None)
            if chunk is None:
                break  # the last chunk: read with the end in sight, no assumption needed
            del window[: parser.run(window, final=False)]
            for paper in parser.take_papers():
                on_paper(paper)
        window += splitter.close()
        parser.run(window, final=True)
        result = parser.finish(splitter.warnings)
        for paper in result.papers:
            on_paper(paper)
    result.papers = []
    return result, None if parser.assumption_held else parser.actual_page
