"""Bytes to text, block by block: the encoding a BOM names, else UTF-8 with Windows-1252 lines.

Listings are UTF-8 nearly always. A file that is not (Latin-1 or Windows-1252 from an old
editor, or one bad paste inside a good file) is read line by line: each line that is valid
UTF-8 stays UTF-8, each other line is read as Windows-1252 (with Latin-1 for the five bytes
that code page leaves undefined), and one warning per file says how many lines that was.
UTF-16 and UTF-32 are read when a BOM names them. NUL bytes without a BOM mean binary.

The result never depends on where the blocks end: a line is decoded as a whole, and a line
longer than `PIECE` bytes in pieces cut at fixed offsets from its start, so a whole-file
decode and a streamed one give the same text and the same warning.

A stream of plain lines can also come out as the lines themselves (`decode_lines`), for the
dump parser, which wants lines, not text.
"""

from __future__ import annotations

import codecs

from broadsheet.sources.errors import ListingError, ParseWarning

PIECE = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BINARY_SNIFF = 8192
_LEGACY_ERRORS = "broadsheet-latin-1"


def _latin_1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined: read them as Latin-1."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_LEGACY_ERRORS, _latin_1_fallback)


def read_legacy(data: bytes) -> str:
    return data.decode("cp1252", _LEGACY_ERRORS)


def sniff_encoding(head: bytes, source: str) -> tuple[str, int]:
    """The codec and the BOM's length, from the first bytes; binary files are refused."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    if b"\x00" in head[:_BINARY_SNIFF]:
        raise ListingError(source, "binary file, not a listing")
    return "utf-8", 0


def _line_breaks(data: bytes, end: int | None = None) -> int:
    """Line breaks as the parsers count them: LF, CRLF, and a CR alone."""
    end = len(data) if end is None else end
    breaks = data.count(b"\n", 0, end)
    if data.find(b"\r", 0, end) >= 0:  # rare, and a memchr: the two slower counts only then
        breaks += data.count(b"\r", 0, end) - data.count(b"\r\n", 0, end)
    return breaks


def has_line_over(data: bytes, limit: int) -> bool:
    """Whether `data` holds a line (up to a LF, or its end) longer than `limit` bytes: a jump
    from line feed to line feed, a window at a time, so a block of short lines costs a few steps."""
    start, length = 0, len(data)
    while length - start > limit:
        newline = data.rfind(b"\n", start, start + limit + 1)
        if newline < 0:
            return True
        start = newline + 1
    return False


def _piece_end(data: bytes, start: int) -> int:
    """Where a piece that starts at `start` ends: PIECE bytes on, moved back to a character start."""
    end = start + PIECE
    for _ in range(3):
        if 0x80 <= data[end] < 0xC0:  # a continuation byte: the character began before
            end -= 1
    return end


class TextDecoder:
    """Blocks of bytes in, text out; `close()` gives the rest and `warnings()` the summary."""

    def __init__(self, source: str, codec: str = "utf-8") -> None:
        self.source = source
        self._incremental = None if codec == "utf-8" else codecs.getincrementaldecoder(codec)("replace")
        self._pending = b""  # bytes of an unfinished line (from its start or from a piece's end)
        self._lines_before = 0  # line breaks decoded so far (counted until a bad line is found)
        self._bad_lines = 0
        self._first_bad = 0
        self._line_counted = False  # the line being decoded was counted as bad already

    def decode(self, block: bytes, *, final: bool = False) -> str:
        """Text for the lines the bytes so far complete (all of them when `final`)."""
        if self._incremental is not None:
            return self._incremental.decode(block, final)
        data = self._pending + block if self._pending else block
        if final:
            self._pending = b""
            return self._decode_lines(data, len(data), last=True)
        cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
        out = [self._decode_lines(data, cut)] if cut else []
        start = cut
        while len(data) - start > PIECE:  # a long unfinished line goes out in pieces
            end = _piece_end(data, start)
            out.append(self._decode_piece(data[start:end], self._lines_before + 1))
            start = end
        self._pending = data[start:]
        return "".join(out)

    def close(self) -> str:
        return self.decode(b"", final=True)

    def decode_lines(self, block: bytes, *, longest: int, unless: tuple[bytes, ...]) -> str | list[str]:
        """What `decode(block)` gives, but as its lines (split at LF, without it), when the block,
        with the unfinished line before it, has no CR, no line longer than `longest` bytes (or
        PIECE) and none of the bytes `unless` names.

        Decoded line by line, a block never becomes one text, which a single bullet would make
        two bytes a character and which splitting would copy again line by line: reading a
        dump's lines costs half as much, and their count comes free, without a scan of the bytes.
        """
        data = self._pending + block if self._pending else block
        if (
            self._incremental is not None
            or b"\r" in data
            or any(byte in data for byte in unless)  # a memchr each
            or has_line_over(data, min(longest, PIECE))
        ):
            return self.decode(block)
        raw = data.split(b"\n")
        self._pending = raw.pop()
        if not raw:  # still inside a line, which may have been counted as bad
            return []
        try:
            lines = list(map(bytes.decode, raw))  # UTF-8, strict
        except UnicodeDecodeError:
            lines = [self._decode_line_alone(line, index) for index, line in enumerate(raw)]
        self._lines_before += len(raw)
        self._line_counted = False
        return lines

    def _decode_line_alone(self, line: bytes, index: int) -> str:
        """One whole line of a block that `decode_lines` reads, `index` lines after the block's start."""
        try:
            text = str(line, "utf-8")
        except UnicodeDecodeError:
            self._count_bad(self._lines_before + index + 1)
            text = read_legacy(line)
        self._line_counted = False  # the next line is a new one (the first may have continued one)
        return text

    def bad_lines(self) -> tuple[int, int]:
        """How many lines were not UTF-8, and the first one's number (0 when none was)."""
        return self._bad_lines, self._first_bad

    def add_bad_lines(self, count: int, first: int) -> None:
        """Lines that another decoder, reading the rest of the text, found not UTF-8; `first`
        is numbered in the whole text (see `dump_split`)."""
        if count:
            self._bad_lines += count
            self._first_bad = self._first_bad or first

    def warnings(self) -> list[ParseWarning]:
        if not self._bad_lines:
            return []
        lines = "1 line" if self._bad_lines == 1 else f"{self._bad_lines:,} lines"
        reason = f"{lines} not valid UTF-8 (first at line {self._first_bad}), read as Windows-1252"
        return [ParseWarning(self.source, 0, reason)]

    def _decode_lines(self, data: bytes, end: int, *, last: bool = False) -> str:
        """`data[:end]`, whole lines (the first may be the rest of a long one): UTF-8, each bad
        line legacy. The slice is never copied: blocks can be large."""
        try:
            text = str(memoryview(data)[:end], "utf-8")
        except UnicodeDecodeError as error:
            text = self._decode_bad(data, error.start, end)
        if not (self._first_bad or last):  # lines are counted only to number a first bad one
            self._lines_before += _line_breaks(data, end)
        self._line_counted = False
        return text

    def _decode_bad(self, data: bytes, bad: int, end: int) -> str:
        """`data[:end]` with a bad byte at `bad`: the lines before it UTF-8, its line legacy, on."""
        out: list[str] = []
        position = 0
        while True:
            start = max(data.rfind(b"\n", position, bad), data.rfind(b"\r", position, bad), position - 1) + 1
            breaks = [found for found in (data.find(b"\n", bad, end), data.find(b"\r", bad, end)) if found >= 0]
            line_end = min(breaks) if breaks else end
            out.append(data[position:start].decode("utf-8"))
            if start > 0:
                self._line_counted = False  # a new line (at 0, the rest of an unfinished one)
            # the line's number is counted only for the first bad line of the file
            number = 0 if self._first_bad else self._lines_before + _line_breaks(data, start) + 1
            out.append(self._decode_line(data[start:line_end], number))
            position = line_end
            try:
                out.append(str(memoryview(data)[position:end], "utf-8"))
                return "".join(out)
            except UnicodeDecodeError as error:
                bad = position + error.start

    def _decode_line(self, line: bytes, number: int) -> str:
        """A line with a bad byte: legacy as a whole, or piece by piece when it is long."""
        if len(line) <= PIECE:
            self._count_bad(number)
            return read_legacy(line)
        out, start = [], 0
        while len(line) - start > PIECE:
            end = _piece_end(line, start)
            out.append(self._decode_piece(line[start:end], number))
            start = end
        out.append(self._decode_piece(line[start:], number))
        return "".join(out)

    def _decode_piece(self, piece: bytes, number: int) -> str:
        try:
            return piece.decode("utf-8")
        except UnicodeDecodeError:
            self._count_bad(number)
            return read_legacy(piece)

    def _count_bad(self, number: int) -> None:
        if self._line_counted:
            return
        self._line_counted = True
        self._bad_lines += 1
        self._first_bad = self._first_bad or number


def decode_whole(data: bytes, source: str) -> tuple[str, list[ParseWarning]]:
    """A whole file's text and encoding warning, exactly as a stream of blocks would give them."""
    codec, bom = sniff_encoding(data[:_BINARY_SNIFF], source)
    decoder = TextDecoder(source, codec)
    return decoder.decode(data[bom:], final=True), decoder.warnings()
