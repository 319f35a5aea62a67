"""A large dump read on two cores: this process reads the text up to a cut, a helper the rest.

Parsing is pure Python holding the GIL, so only another process can share it (as with the
index build's helper, `search.helper`). The cut is put right after a metadata block (a
middle dot on its own line, blank lines, a date line), where a reading always stands as a
fresh one starts: no entry waits for its abstract or its metadata. `DumpParser.run_to_cut`
checks that it does (it does not only when no entry came before, which the helper assumes:
then this process reads on from the cut itself).

The helper is a fresh interpreter (fork+exec: nothing of the app's threads is copied) that
imports only the parser. It reads from the cut to the end and sends its entries back as
plain data (`DumpParser.take_records`), a frame per window, written to an anonymous file
with a notice on its standard output, so it does not wait for this process; but never more
than CREDIT bytes ahead of what this process has read, and each frame read is freed, so the
frames hold little memory however large the file. This process, done with its own part,
makes those entries papers as they come (`papers_from_records`) and hands them on: every
paper, warning and line number is the one a single reading gives, in the file's order.

Whatever goes wrong with the helper, this process reads the rest itself, on from the cut,
past the papers the helper gave (the reading makes the same ones first).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import marshal
import mmap
import os
import re
import select
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from broadsheet.cores import usable_cpus
from broadsheet.file_map import mapped
from broadsheet.model import Paper
from broadsheet.sources.decoding import TextDecoder
from broadsheet.sources.dump_parser import DumpParser, is_date_line
from broadsheet.sources.errors import ParseWarning, WarningList
from broadsheet.sources.files import TextStream
from broadsheet.sources.lines import LineSplitter

# A smaller file is read here alone: the helper's start costs ~0.1 s of the second core,
# and a 16 MB dump parses in ~0.2 s.
SPLIT_FROM = 16 << 20
# The share of the text read here: this process also makes the helper's entries papers,
# about a third of the work of reading them.
OWN_SHARE = 0.35
_SEARCH = 8 << 20  # how far past the planned cut a cut point is looked for
_QUIET = 30.0  # seconds the helper may go without a frame before it is given up
# Bytes of frames the helper may have sent that this process has not read: it reads them only
# once its own part is done, so this bounds the memory they hold meanwhile (at 100k papers
# the helper has sent ~55 MB by then), however large the file or repetitive its papers.
CREDIT = 64 << 20
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from broadsheet.sources.dump_split import serve; serve()"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding `broadsheet`
_LENGTH = struct.Struct("<Q")

# A cut point: a middle dot alone on its line, up to three blank lines, and a line that may
# be a date (checked with `is_date_line`), all plain ASCII but the dot; the cut follows the
# date line's line feed. Spaces and tabs are all the blank space allowed: a line the parser
# strips to the same text is then certain.
_CUT = re.compile(rb"\n[ \t]*\xc2\xb7[ \t]*\n(?:[ \t]*\n){0,3}([ -~\t]{1,60})\n")


def find_cut(data: bytes | mmap.mmap, start: int) -> int | None:
    """The first cut point at or after byte `start` (within _SEARCH bytes): the position
    right after a metadata block's date line. None when there is none."""
    for match in _CUT.finditer(data, start, start + _SEARCH):
        if is_date_line(match[1].decode("ascii").replace("\t", " ").strip()):
            return match.end()
    return None


class DumpSplit:
    """The helper reading the text after the cut, and what it sends."""

    def __init__(self, process: subprocess.Popen[bytes], frames: IO[bytes], source: str) -> None:
        self.process = process
        self.frames = frames
        self.source = source

    @classmethod
    def start(cls, text: TextStream) -> DumpSplit | None:
        """Pause `text` at a cut and start a helper on the rest; None (and no pause) when the
        text is no large UTF-8 file, there is no second core, or no cut point is found."""
        if text.codec != "utf-8" or usable_cpus() < 2 or not sys.executable or getattr(sys, "frozen", False):
            return None  # (a frozen app's executable is no Python to run the helper with)
        try:
            size = os.fstat(text.handle.fileno()).st_size
            if size < SPLIT_FROM:
                return None
            with mapped(text.handle) as data:
                cut = find_cut(data, int(size * OWN_SHARE))
        except (OSError, ValueError, io.UnsupportedOperation):  # no file on disk
            return None
        if cut is None or not text.pause_at(cut):
            return None
        try:
            frames = _anonymous_file()
        except OSError:  # no memfd and no writable temporary folder
            text.resume()
            return None
        listing, out = text.handle.fileno(), frames.fileno()
        try:
            process = subprocess.Popen(
                [sys.executable, "-P", "-c", _BOOT, _PACKAGE_ROOT, *map(str, (listing, cut, out, CREDIT)), text.source],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=(listing, out),
            )
        except (OSError, ValueError):
            frames.close()
            text.resume()
            return None
        return cls(process, frames, text.source)

    def hand_on(
        self, parser: DumpParser, splitter: LineSplitter, decoder: TextDecoder, on_paper: Callable[[Paper], None]
    ) -> int | None:
        """Make the helper's entries papers with `parser` (which stands at the cut) and hand
        them on as they come; then take what else the helper found into the parser, the
        splitter and the decoder, as if they had read it, and return None. When the helper
        fails, nothing is taken in: return how many of its papers were handed on (a reading
        on from the cut makes the same ones first)."""
        offset = parser.line_base  # lines before the cut: the helper numbers its own from 1
        date_warnings = WarningList()
        handed = entries = 0
        summary = None
        frames = self._frames()
        while True:
            try:
                frame = next(frames, None)
                if frame is None:
                    break
                kind, payload = marshal.loads(frame)
                if kind == "end":
                    part, line_warnings, line_omitted, (bad_lines, first_bad) = summary = payload
                    continue
                papers = parser.papers_from_records(payload, offset, date_warnings)
            except Exception:  # noqa: BLE001 - whatever the helper did wrong, the rest is read here
                summary = None
                break
            entries += len(papers)
            for paper in papers:
                on_paper(paper)
                handed += 1
        if summary is None or self.process.wait() != 0:
            self.stop()
            return handed
        parser.absorb(part, offset, entries, date_warnings)
        for line, reason in line_warnings:
            splitter.warnings.add(ParseWarning(self.source, line + offset, reason))
        splitter.warnings.omitted += line_omitted
        decoder.add_bad_lines(bad_lines, first_bad + offset if first_bad else 0)
        self.stop()
        return None

    def _frames(self) -> Iterator[bytes]:
        """The frames, each as its notice arrives, each acknowledged (see `_FrameWriter`)
        and its space freed once read; ends when the helper closes its output."""
        notices, acks = self.process.stdout, self.process.stdin
        assert notices is not None and acks is not None
        fd, frames = notices.fileno(), self.frames.fileno()
        pending, position = b"", 0
        size = 0  # of the anonymous file, as last seen
        while True:
            ready, _, _ = select.select([fd], [], [], _QUIET)
            if not ready:
                raise TimeoutError
            got = os.read(fd, 4096)
            if not got:
                return
            pending += got
            while len(pending) >= _LENGTH.size:
                (length,) = _LENGTH.unpack_from(pending)
                pending = pending[_LENGTH.size :]
                if position + length > size:
                    size = os.fstat(frames).st_size
                    if position + length > size:  # no such frame: the helper's output is garbled
                        raise EOFError
                frame = os.pread(frames, length, position)
                if len(frame) != length:
                    raise EOFError
                _free(frames, position, length)
                position += length
                with contextlib.suppress(OSError):  # a helper done sending reads no more
                    acks.write(_LENGTH.pack(position))
                    acks.flush()
                yield frame

    def stop(self) -> None:
        """End the helper (if still running), reap it and let its frames go; idempotent."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self.frames.close()


def _free(fd: int, offset: int, length: int) -> None:
    """Give a read frame's memory back (Linux: punch a hole in the anonymous file); elsewhere
    the frames stay until the reading ends."""
    if _fallocate is not None:
        _fallocate(fd, _PUNCH_HOLE, ctypes.c_int64(offset), ctypes.c_int64(length))


def _libc_fallocate() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).fallocate  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_PUNCH_HOLE = 0x02 | 0x01  # FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
_fallocate = _libc_fallocate()


def _anonymous_file() -> IO[bytes]:
    """A file with no name, for the frames: in memory where the system allows (Linux)."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None:
        with contextlib.suppress(OSError):
            return open(memfd_create("broadsheet-split"), "w+b")  # noqa: SIM115 - closed by `stop`
    return tempfile.TemporaryFile()  # noqa: SIM115 - closed by `stop`


# ---------------------------------------------------------------------------------------
# the helper's side
# ---------------------------------------------------------------------------------------


class _FileTail(io.RawIOBase):
    """The bytes of an open file from `start` on, as a file of their own (read with pread,
    so the file position the parent shares is left alone)."""

    def __init__(self, fd: int, start: int) -> None:
        super().__init__()
        self._fd, self._start, self._position = fd, start, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = os.pread(self._fd, len(buffer), self._start + self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == io.SEEK_SET:
            self._position = offset
        elif whence == io.SEEK_CUR:
            self._position += offset
        else:
            self._position = os.fstat(self._fd).st_size - self._start + offset
        return self._position

    def tell(self) -> int:
        return self._position


class _FrameWriter:
    """Frames to the anonymous file, and for each a notice of its length on standard output;
    a frame waits while more than `credit` bytes sent are not yet acknowledged (each
    acknowledgement, on standard input, is the position read up to). Acknowledgements are
    taken as they come, so their pipe never fills however long the file."""

    def __init__(self, fd: int, notices: BinaryIO, acks: int, credit: int) -> None:
        self._fd, self._notices, self._acks, self._credit = fd, notices, acks, credit
        self._sent = self._read = 0
        self._pending = b""
        os.set_blocking(acks, False)

    def send(self, message: object) -> None:
        data = marshal.dumps(message)
        self._take_acks()
        while self._sent - self._read > self._credit:
            select.select([self._acks], [], [])
            self._take_acks()
        frame = memoryview(data)
        while frame:
            frame = frame[os.write(self._fd, frame) :]
        self._sent += len(data)
        self._notices.write(_LENGTH.pack(len(data)))
        self._notices.flush()

    def _take_acks(self) -> None:
        """Whatever acknowledgements have come (without waiting); the reader gone is an error."""
        while True:
            try:
                got = os.read(self._acks, 4096)
            except BlockingIOError:
                break
            if not got:
                raise EOFError("the reader is gone")
            self._pending += got
        whole = len(self._pending) - len(self._pending) % _LENGTH.size
        if whole:
            (self._read,) = _LENGTH.unpack_from(self._pending, whole - _LENGTH.size)
            self._pending = self._pending[whole:]


def serve() -> None:
    """The helper: read the listing (an inherited file descriptor) from the cut to its end,
    sending its entries and then what else it found (see `DumpSplit.papers`)."""
    from broadsheet.sources.dump import collector_paused
    from broadsheet.sources.dump_stream import read_lines

    listing, cut, out, credit = (int(arg) for arg in sys.argv[2:6])
    source = sys.argv[6]
    writer = _FrameWriter(out, sys.stdout.buffer, sys.stdin.fileno(), credit)
    text = TextStream(io.BufferedReader(_FileTail(listing, cut)), source, codec="utf-8")  # type: ignore[arg-type]
    parser = DumpParser(source, continuing=True, raw_heads=True)
    splitter = LineSplitter(source)
    with collector_paused():
        window = read_lines(text, parser, splitter, lambda: writer.send(("records", parser.take_records())))
        window += splitter.close()
        parser.run(window, final=True)
        writer.send(("records", parser.take_records(final=True)))
    lines = [(warning.line, warning.reason) for warning in splitter.warnings.items]
    writer.send(("end", (parser.part_summary(), lines, splitter.warnings.omitted, text.decoder().bad_lines())))
    sys.stdout.buffer.flush()
