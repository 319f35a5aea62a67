"""JSON read piece by piece from text chunks: the elements of a top-level array, or JSON Lines.

`json.loads` needs the whole document, and a 500 MB API dump is one array of small objects
(often on one line). So each element is decoded on its own with `raw_decode`, from a buffer
that holds the current element and the rest of the current chunk: memory follows the
largest element, not the file. An element longer than `MAX_ELEMENT` characters stops the
reading. A syntax error stops it too, and is reported with its line and column in the file;
the elements before it are kept (a truncated download keeps what arrived).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

MAX_ELEMENT = 16 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# A decode error this close to the end of the buffer may only mean the element goes on in
# the next chunk (`[1, tr` + `ue]`); an unterminated string always may.
_NEAR_END = 16


def json_error(error: Exception, line: int | None = None, column: int | None = None) -> str:
    """One line for any way JSON can be unreadable (positions default to the error's own)."""
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON: {error.msg} at line {line or error.lineno} column {column or error.colno}"
    if isinstance(error, RecursionError):
        return "JSON nested too deeply to read"
    return f"not readable JSON: {' '.join(str(error).split())[:120]}"


class JsonArray:
    """The elements of the array that the chunks hold, one at a time.

    After the iteration, `error` says why it stopped early (None when the array was read to
    its end) and `count` how many elements it gave.
    """

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self._buffer = ""
        self._position = 0
        self._ended = False
        self._lines_dropped = 0  # line breaks in text already dropped from the buffer
        self._column_dropped = 0  # characters dropped since the last of them
        self.error: str | None = None
        self.count = 0

    def __iter__(self) -> Iterator[object]:
        if self._next_char() == "\ufeff":
            self._position += 1
        if self._next_char() != "[":
            self._fail("Expecting '['")
            return
        self._position += 1
        if self._next_char() == "]":
            self._position += 1
            self._check_end()
            return
        while True:
            value, ok = self._value()
            if not ok:
                return
            self.count += 1
            yield value
            char = self._next_char()
            if char == "]":
                self._position += 1
                self._check_end()
                return
            if char != ",":
                self._fail("Expecting ',' delimiter")
                return
            self._position += 1
            self._next_char()

    def _more(self) -> bool:
        """Drop what was read, add the next chunk; False at the end of the text."""
        dropped = self._buffer[: self._position]
        if "\n" in dropped:
            self._lines_dropped += dropped.count("\n")
            self._column_dropped = len(dropped) - dropped.rfind("\n") - 1
        else:
            self._column_dropped += len(dropped)
        self._buffer, self._position = self._buffer[self._position :], 0
        for chunk in self._chunks:
            if chunk:
                self._buffer += chunk
                return True
        self._ended = True
        return False

    def _next_char(self) -> str:
        """Skip whitespace; the next character, or '' at the end."""
        while True:
            self._position = _WHITESPACE.match(self._buffer, self._position).end()  # type: ignore[union-attr]
            if self._position < len(self._buffer):
                return self._buffer[self._position]
            if not self._more():
                return ""

    def _value(self) -> tuple[object, bool]:
        wanted = 0  # characters from the element's start to have before decoding again
        while True:
            while len(self._buffer) - self._position < wanted and self._more():
                pass
            if len(self._buffer) - self._position > MAX_ELEMENT:
                self._fail(f"an element longer than {MAX_ELEMENT >> 20} MB", json_style=False)
                return None, False
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._position)
            except json.JSONDecodeError as error:
                maybe_cut = error.pos >= len(self._buffer) - _NEAR_END or error.msg.startswith("Unterminated")
                if maybe_cut and not self._ended:  # read on, twice as far each time: linear
                    wanted = min(2 * max(len(self._buffer) - self._position, 1 << 16), MAX_ELEMENT + 1)
                    continue
                self._fail(error.msg, at=error.pos)
                return None, False
            except (RecursionError, ValueError) as error:
                self.error = json_error(error)
                return None, False
            if end == len(self._buffer) and not self._ended:  # a number may go on: `12` + `34`
                wanted = end - self._position + 1
                continue
            self._position = end
            return value, True

    def _check_end(self) -> None:
        if self._next_char():
            self._fail("Extra data")

    def _fail(self, message: str, *, at: int | None = None, json_style: bool = True) -> None:
        at = self._position if at is None else at
        before = self._buffer[:at]
        line = self._lines_dropped + before.count("\n") + 1
        column = at - before.rfind("\n") if "\n" in before else self._column_dropped + at + 1
        if json_style:
            self.error = f"not valid JSON: {message} at line {line} column {column}"
        else:
            self.error = f"{message} at line {line} column {column}, not read"


def json_lines(chunks: Iterable[str]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each non-blank line; text is None for a line longer than
    MAX_ELEMENT characters, which is dropped as it is read, not kept until its end."""
    tail: list[str] = []
    tail_length = 0
    number = 1
    skipping = False
    for chunk in chunks:
        pieces = chunk.split("\n")
        for piece in pieces[:-1]:
            if skipping:
                yield number, None
            else:
                line = "".join(tail) + piece if tail else piece
                if len(line) > MAX_ELEMENT:
                    yield number, None
                elif line.strip():
                    yield number, line
            number += 1
            tail, tail_length, skipping = [], 0, False
        if not skipping:
            tail.append(pieces[-1])
            tail_length += len(pieces[-1])
            if tail_length > MAX_ELEMENT:
                tail, tail_length, skipping = [], 0, True
    if skipping:
        yield number, None
    elif (line := "".join(tail)).strip():
        yield number, line
