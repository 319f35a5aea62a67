"""Listing files as streams: opened with one-line errors, stdin spooled, text decoded in blocks.

Everything is read in blocks of `BLOCK_SIZE` bytes, so memory does not follow the size of a
file. Standard input is copied to a temporary file first: a listing may need two passes
(see `dump_stream`), and a pipe can be read only once.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from broadsheet.sources import lines
from broadsheet.sources.decoding import TextDecoder, sniff_encoding
from broadsheet.sources.errors import ListingError, ParseWarning

STDIN = "-"
BLOCK_SIZE = 1 << 20
# The text the format sniffers look at; JSON sniffs read the first 64K characters.
HEAD_CHARS = 1 << 17
HEAD_BYTES = 1 << 16


@contextlib.contextmanager
def open_listing(path: str, stdin: BinaryIO | None = None) -> Iterator[BinaryIO]:
    """A seekable binary file for `path` (or the spooled `stdin` for `-`), OS errors as ListingError."""
    if path == STDIN:
        spooled = stdin if stdin is not None else spool_stdin()
        spooled.seek(0)
        try:
            yield spooled
        finally:
            if stdin is None:
                spooled.close()
        return
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the errors are mapped
    except FileNotFoundError:
        raise ListingError(path, "no such file") from None
    except IsADirectoryError:
        raise ListingError(path, "is a directory") from None
    except PermissionError:
        raise ListingError(path, "permission denied") from None
    except OSError as error:
        raise ListingError(path, error.strerror or str(error)) from None
    with handle:
        if handle.seekable():
            yield handle
        else:  # a named pipe, `<(command)`: read once, like stdin
            with spool(handle) as copy:
                yield copy


def spool(stream: BinaryIO) -> BinaryIO:
    """What `stream` holds, copied to an anonymous temporary file, at its start."""
    copy = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    shutil.copyfileobj(stream, copy, BLOCK_SIZE)
    copy.seek(0)
    return copy


def spool_stdin() -> BinaryIO:
    return spool(sys.stdin.buffer)


def file_size(handle: BinaryIO) -> int:
    position = handle.tell()
    size = handle.seek(0, 2)
    handle.seek(position)
    return size


def read_head(handle: BinaryIO) -> bytes:
    """The first HEAD_BYTES bytes; the file is left at its start."""
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    return head


class TextStream:
    """A listing's text, decoded block by block; its head can be looked at before the chunks
    are taken, and it is read once (the chunks start again at the text's start)."""

    def __init__(
        self, handle: BinaryIO, source: str, *, block_size: int = BLOCK_SIZE, codec: str | None = None
    ) -> None:
        """`codec`, when given, is used as it is: no BOM or binary sniffing (for a helper
        reading the rest of a text from the middle, see `dump_split`)."""
        self.handle = handle
        self.source = source
        self.codec, bom = (codec, 0) if codec else sniff_encoding(read_head(handle), source)
        handle.seek(bom)
        self._decoder = TextDecoder(source, self.codec)
        self._block_size = block_size
        self._buffered: list[str] = []
        self._buffered_chars = 0
        self._ended = False
        self._stop: int | None = None  # a file position that `lines_or_chunks` pauses at

    def pause_at(self, position: int) -> bool:
        """Make `lines_or_chunks` end at `position`, right after a line break, until `resume`;
        False (and no pause) when the text was read past it already."""
        if self.handle.tell() > position:
            return False
        self._stop = position
        return True

    def paused(self) -> bool:
        """Whether the text stands at the position given to `pause_at` (not at its end)."""
        return self._stop is not None and not self._ended and self.handle.tell() == self._stop

    def resume(self) -> None:
        self._stop = None

    def decoder(self) -> TextDecoder:
        return self._decoder

    @property
    def ascii_compatible(self) -> bool:
        """Whether ASCII text (a date line) has the same bytes in the file as in ASCII."""
        return self.codec == "utf-8"

    def _read(self) -> None:
        block = self.handle.read(self._block_size)
        if block:
            text = self._decoder.decode(block)
        else:
            text, self._ended = self._decoder.close(), True
        if text:
            self._buffered.append(text)
            self._buffered_chars += len(text)

    def head(self, chars: int = HEAD_CHARS) -> str:
        while self._buffered_chars < chars and not self._ended:
            self._read()
        return "".join(self._buffered)[:chars]  # the chunks stay as they are, for the reading

    def __iter__(self) -> Iterator[str]:
        while True:
            while self._buffered:
                self._buffered_chars -= len(self._buffered[0])
                yield self._buffered.pop(0)
            if self._ended:
                return
            self._read()

    def lines_or_chunks(self) -> Iterator[str | list[str]]:
        """The chunks, read once as iterating reads them, except that a block of plain lines
        comes as the list of its lines, for `LineSplitter.feed` (see `TextDecoder.decode_lines`).
        They end at the end of the text, or at the position given to `pause_at`."""
        while self._buffered:  # the head, decoded already
            self._buffered_chars -= len(self._buffered[0])
            yield self._buffered.pop(0)
        while not self._ended:
            size = self._block_size
            if self._stop is not None:
                size = min(size, self._stop - self.handle.tell())
                if size <= 0:
                    return  # paused: a later call reads on after `resume`
            block = self.handle.read(size)
            if not block:
                self._ended = True
                if text := self._decoder.close():
                    yield text
            elif chunk := self._decoder.decode_lines(block, longest=lines.MAX_LINE, unless=lines.NORMALIZED_BYTES):
                yield chunk

    def warnings(self) -> list[ParseWarning]:
        """The decoder's: lines that were not UTF-8 (known once the text has been read)."""
        return self._decoder.warnings()
