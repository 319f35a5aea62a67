"""Text to the dump parser's lines: normalized, split, stripped, whole text or chunk by chunk.

One splitter serves the whole-text parse and the streaming one, so both see the same lines
with the same numbers. A line longer than `MAX_LINE` characters is no listing text (an
abstract runs to a few KB): it becomes a blank line with a warning, so that one huge line
cannot take the memory of a stream.
"""

from __future__ import annotations

from broadsheet.sources.errors import ParseWarning, WarningList

MAX_LINE = 1 << 20
_NORMALIZE_PAIRS = (("\t", " "), ("\xa0", " "), ("\u2007", " "), ("\u202f", " "), ("\ufeff", ""))
# Bytes without which UTF-8 or Windows-1252 text has nothing for `normalize_text` to change:
# the last byte of CR and of each character it replaces, in either encoding.
NORMALIZED_BYTES = tuple(
    sorted(
        {
            encoded[-1:]
            for char in ("\r", *(pair[0] for pair in _NORMALIZE_PAIRS))
            for encoded in (char.encode(), char.encode("cp1252", "ignore"))
            if encoded
        }
    )
)


def normalize_text(text: str) -> str:
    """Undo what copying a page does to whitespace: CRLF, BOM, tabs, non-breaking spaces."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # str.replace is a memchr-speed scan; str.translate is ~50x slower on large dumps
    for char, replacement in _NORMALIZE_PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text


class LineSplitter:
    """Text chunks in, stripped lines out; the last, unfinished line waits for the next chunk.

    A chunk may end anywhere, even between the CR and LF of one line break: a CR at the end
    of a chunk waits too, so the lines and their numbers never depend on where chunks end.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings = WarningList()
        self._tail = ""  # the unfinished line, normalized
        self._line = 0  # lines handed out so far
        self._skipping = False  # inside an overlong line, dropping text until its end

    def at_line_start(self) -> bool:
        """Whether the text fed so far ended with a line break (no line waits to be finished)."""
        return not self._tail and not self._skipping

    def feed(self, chunk: str | list[str]) -> list[str]:
        """The lines that `chunk` completes. A list stands for whole lines with nothing to
        normalize and none longer than MAX_LINE (`TextStream.lines_or_chunks` makes them):
        the text `"\n".join(chunk) + "\n"`, already split."""
        if isinstance(chunk, list):
            if self._tail or self._skipping:  # the first line continues one: as text
                return self.feed("\n".join(chunk) + "\n")
            return self._lines(chunk, False)
        data = self._tail + chunk if self._tail else chunk
        held = ""
        if data.endswith("\r"):  # maybe the first half of a CRLF
            data, held = data[:-1], "\r"
        data = normalize_text(data)
        raw = data.split("\n")
        tail = raw.pop()
        lines = self._lines(raw, _has_line_over(data, MAX_LINE))
        self._tail = tail + held
        self._check_tail()
        return lines

    def close(self, rest: str = "") -> list[str]:
        """The lines of `rest`, the text's last chunk, to the end (where an empty line stands
        when the text ended with a line break)."""
        data, self._tail = normalize_text(self._tail + rest), ""
        return self._lines(data.split("\n"), _has_line_over(data, MAX_LINE))

    def _lines(self, raw: list[str], maybe_long: bool) -> list[str]:
        """Normalized lines to stripped ones; an overlong one becomes blank, with a warning."""
        if self._skipping and raw:  # the first line ends the overlong one: it stays blank
            raw[0] = ""
            self._skipping = False
        lines = list(map(str.strip, raw))
        if maybe_long:
            for index, line in enumerate(raw):
                if len(line) > MAX_LINE:
                    lines[index] = ""
                    self._warn_long(self._line + index + 1)
        self._line += len(raw)
        return lines

    def _check_tail(self) -> None:
        """An unfinished line longer than MAX_LINE is dropped now, not kept until it ends."""
        cr = self._tail.endswith("\r")  # a line break to come, not part of the line
        if not self._skipping and len(self._tail) - cr > MAX_LINE:
            self._skipping = True
            self._warn_long(self._line + 1)
        if self._skipping:
            self._tail = "\r" if cr else ""

    def _warn_long(self, line: int) -> None:
        self.warnings.add(ParseWarning(self.source, line, f"line longer than {MAX_LINE:,} characters, skipped"))


def _has_line_over(text: str, limit: int) -> bool:
    """Whether a line of `text` may be longer than `limit`: a jump from line break to line
    break, a window at a time, so a long text of short lines costs a few hundred steps."""
    start, length = 0, len(text)
    while length - start > limit:
        newline = text.rfind("\n", start, start + limit + 1)
        if newline < 0:
            return True
        start = newline + 1
    return False


def split_lines(text: str, source: str) -> tuple[list[str], WarningList]:
    """Every line of a whole text, as the splitter gives them chunk by chunk."""
    splitter = LineSplitter(source)
    return splitter.close(text), splitter.warnings
