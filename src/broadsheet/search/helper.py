"""A second process that tokenizes part of the abstracts, on the second core.

Tokenizing is pure Python holding the GIL, so only another process can share it. The
helper is a fresh interpreter (`subprocess`, fork+exec: nothing of the app's threads is
copied) that imports only the search package (~0.1 s). It takes the slots after the
indexer's own first share, a chunk at a time and in slot order (the texts go pickled
through a pipe, written by a thread of the indexer's process), and sends back what
`collect_into` made of them: per-term slot arrays and bitsets. The indexer, done with its share, claims chunks
from the far end until the two meet, so neither waits long for the other however the
machine shares its cores. Every piece covers a contiguous run of slots, so merging them in
slot order is one `extend` per term (`TermSlots.absorb`), and the index is exactly the one
a single process builds. Whatever goes wrong with the helper, the indexer does its work.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from broadsheet.cores import usable_cpus as _usable_cpus

from .postings import TermSlots, dense_threshold

if TYPE_CHECKING:
    from .postings import Packed

_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from broadsheet.search.helper import serve; serve()"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding `broadsheet`
_WANT = b"+"  # helper to indexer: got a chunk, send the next (so one is always on its way)

Texts = Callable[[int, int], list[str]]  # the texts of slots start..stop-1


def likely_dense(n_docs: int) -> int:
    """Slots that make a term's bitset in a process collecting about half the papers (see
    `TermSlots.settle_at`): the indexer then merges bitsets instead of scattering slots."""
    return dense_threshold(n_docs) // 2


class Helper:
    """One helper process and the slots not yet claimed, `[next, end)`: the helper claims
    from the front (through a feeding thread), the indexer from the back."""

    def __init__(self, process: subprocess.Popen[bytes], n_docs: int, first: int, texts: Texts, chunk: int) -> None:
        self.process = process
        self.first = first
        self.next = first
        self.end = n_docs
        self._lock = threading.Lock()
        self._feeder = threading.Thread(
            target=self._feed, args=(n_docs, texts, chunk), name="index-helper-feed", daemon=True
        )
        self._feeder.start()

    @classmethod
    def start(cls, n_docs: int, first: int, texts: Texts, chunk: int) -> Helper | None:
        """Start tokenizing slots from `first` on, `chunk` at a time; None if no process starts."""
        if not sys.executable or _usable_cpus() < 2:
            return None
        try:
            process = subprocess.Popen(
                [sys.executable, "-P", "-c", _BOOT, _PACKAGE_ROOT],  # -P: no module from the working dir
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        return cls(process, n_docs, first, texts, chunk)

    def claim_last(self, least: int) -> tuple[int, int] | None:
        """The later half of the unclaimed slots, or `least` of them (fewer at the meeting
        point), for the indexer: about what the helper does meanwhile, in few pieces."""
        with self._lock:
            if self.end <= self.next:
                return None
            stop = self.end
            self.end = max(self.next, stop - max(least, (stop - self.next) // 2))
            return self.end, stop

    def _claim_next(self, size: int) -> tuple[int, int] | None:
        with self._lock:
            if self.next >= self.end:
                return None
            start = self.next
            self.next = min(self.end, start + size)
            return start, self.next

    def _feed(self, n_docs: int, texts: Texts, chunk: int) -> None:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(pickle.dumps((n_docs, self.first)))
            while (claim := self._claim_next(chunk)) is not None:
                stdin.write(pickle.dumps(texts(*claim), pickle.HIGHEST_PROTOCOL))  # one write: waits without the GIL
                stdin.flush()
                if stdout.read(1) != _WANT:
                    return  # the helper is gone: the indexer claims the rest
            stdin.write(pickle.dumps(None))
            stdin.close()
        except (OSError, ValueError):  # the helper died, or was stopped
            pass

    def result(self) -> Packed | None:
        """What the helper collected from `first` to `next` (`TermSlots.packed`), once the
        indexer has claimed what is left; None if it failed."""
        self._feeder.join()
        stdout = self.process.stdout
        assert stdout is not None
        try:
            packed = pickle.load(stdout)
        except Exception:  # noqa: BLE001 - a dead or broken helper: the caller does its work
            packed = None
        self.stop(kill=packed is None)
        return packed if isinstance(packed, tuple) else None

    def stop(self, kill: bool = True) -> None:
        """Reap the process, ending it first if `kill` (its work is no longer wanted)."""
        if kill:
            self.process.kill()
        self._feeder.join()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def serve(source: IO[bytes] | None = None, sink: IO[bytes] | None = None) -> None:
    """The helper's side: collect the chunks sent, in slot order, then send the result."""
    from .build import collect_into

    source = source or sys.stdin.buffer
    sink = sink or sys.stdout.buffer
    n_docs, first = pickle.load(source)
    slots = TermSlots(n_docs, settle_at=likely_dense(n_docs))
    collect_into(slots, _chunks(source, sink), first)
    slots.settle()
    pickle.dump(slots.packed(), sink, pickle.HIGHEST_PROTOCOL)
    sink.flush()


def _chunks(source: IO[bytes], sink: IO[bytes]) -> Iterator[str]:
    while (texts := pickle.load(source)) is not None:
        sink.write(_WANT)
        sink.flush()
        yield from texts
