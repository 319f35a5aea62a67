"""Getting changes from the caller's thread to disk without making the caller wait.

Mutations only append to a queue under a lock held for microseconds. A background thread
waits a few milliseconds to gather a burst, then runs one syncer step (read-merge-write)
with no in-memory lock held, so disk latency never reaches the caller. Between bursts it
polls the file's stat to pick up other instances' changes. `flush()` runs a step in the
calling thread and returns once every change queued before it is durable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from .errors import StateError, StateWriteError
from .records import Change
from .sync import Delta, Syncer


class Persister:
    """The change queue, its sequence numbers, and the writer thread."""

    def __init__(
        self,
        syncer: Syncer,
        apply_delta: Callable[[Delta], None],
        warn: Callable[[str], None],
        *,
        background: bool = True,
        coalesce: float = 0.02,
        poll_interval: float = 1.0,
        retry_delay: float = 1.0,
    ) -> None:
        self.syncer = syncer
        self.lock = threading.Lock()  # guards the queue and the caller's in-memory state
        self.error: StateError | None = None
        self._apply_delta = apply_delta
        self._warn = warn
        self._coalesce = coalesce
        self._poll_interval = poll_interval
        self._retry_delay = retry_delay
        self._saved = threading.Condition(self.lock)
        self._io = threading.Lock()  # one syncer step at a time
        self._queue: list[Change] = []
        self._seq = 0  # changes queued so far
        self._durable = 0  # changes known to be on disk
        self._last_warned = ""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, name="broadsheet-state-writer", daemon=True)
            self._thread.start()

    def submit_locked(self, changes: Sequence[Change]) -> None:
        """Queue changes; the caller holds `lock` and calls kick() after releasing it."""
        self._queue.extend(changes)
        self._seq += len(changes)

    def kick(self) -> None:
        self._wake.set()

    @property
    def pending(self) -> int:
        return self._seq - self._durable

    def flush(self, timeout: float | None = None) -> None:
        """Return once every change queued so far is durable; raise StateError otherwise."""
        with self.lock:
            target = self._seq
        if self._durable >= target and not self.syncer.rewrite:
            return
        wait = -1.0 if timeout is None else timeout
        self._step(wait)
        if self._durable < target:
            raise self.error or StateWriteError(f"could not save {self.syncer.files.path} within {timeout} s")

    def try_flush(self, timeout: float) -> bool:
        """flush() for a signal handler: never waits longer than `timeout` for a lock (the
        interrupted code may hold one) and does not touch memory afterwards."""
        if not self.lock.acquire(timeout=timeout):
            return False
        target = self._seq
        self.lock.release()
        if self._durable >= target:
            return True
        self._step(timeout, apply=False)
        return self._durable >= target

    def wait_saved(self, timeout: float | None = None) -> bool:
        """Wait, without hurrying the writer, until what is queued now is durable."""
        with self._saved:
            target = self._seq
            return self._saved.wait_for(lambda: self._durable >= target, timeout)

    def refresh(self) -> None:
        """One step now: pick up others' changes (and save ours)."""
        self._step(-1.0)

    def close(self) -> None:
        """Stop the writer thread, then save what is left (raises StateError on failure)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.syncer.lock_timeout + 10)
        self.flush()

    def _step(self, timeout: float, apply: bool = True) -> bool:
        if not self._io.acquire(timeout=timeout):
            return False
        delta: Delta | None = None
        try:
            if not self.lock.acquire(timeout=timeout):
                return False
            batch, self._queue = self._queue, []
            seq = self._seq
            self.lock.release()
            try:
                self.syncer.sync(batch)
            except Exception as exc:  # the writer must survive anything, and keep the batch
                error = (
                    exc if isinstance(exc, StateError) else StateWriteError(f"unexpected error while saving: {exc!r}")
                )
                with self._saved:
                    self._queue[:0] = batch
                    self.error = error
                    self._saved.notify_all()
                if str(error) != self._last_warned:
                    self._last_warned = str(error)
                    self._warn(str(error))
                return False
            finally:
                if apply:  # else it waits in the syncer for the next step
                    delta = self.syncer.take_news()
            with self._saved:
                self._durable = max(self._durable, seq)
                self._saved.notify_all()
            if self.error is not None:
                self.error = None
                self._last_warned = ""
                self._warn(f"the reading state is being saved to {self.syncer.files.path} again.")
        finally:
            self._io.release()
            if delta:
                self._take_in(delta)
        return True

    def _take_in(self, delta: Delta) -> None:
        if delta:
            try:
                self._apply_delta(delta)
            except Exception as exc:  # e.g. a failing on_change callback
                self._warn(f"could not take in changes made elsewhere: {exc!r}")

    def _run(self) -> None:
        delay = self._retry_delay
        while not self._stop.is_set():
            woke = self._wake.wait(self._poll_interval)
            if self._stop.is_set():
                break
            if woke:
                self._stop.wait(self._coalesce)  # gather a burst into one write
                self._wake.clear()
            if self._step(-1.0):
                delay = self._retry_delay
                continue
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, 30.0)
            if self._queue:
                self._wake.set()
