"""Searching as the user types: quick searches inline, slow ones on a worker, stale ones never.

A result is drawn with the keystroke that asked for it whenever possible: Textual paints at
most once per 60 Hz slot, so a result that lands just after the frame showing the letter
waits ~17 ms more. Hence: search on the UI thread for up to INLINE_SEARCH_BUDGET; past that,
hand the rest of the (sliced, cancellable) search to a worker and hold the frame until its
result lands, for FRAME_HOLD at most. Each search has a serial number, and only the latest
one's result is shown.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from broadsheet.library import SearchOutcome

if TYPE_CHECKING:
    from textual.timer import Timer

    from broadsheet.library import Library

INLINE_SEARCH_BUDGET = 0.008  # seconds a search may take on the UI thread before a worker goes on
FRAME_HOLD = 0.04  # seconds the typed letter may wait to be painted with its worker's results


class LiveSearch:
    """Mixed into the reader's App, which provides `_show_outcome` and the state below."""

    if TYPE_CHECKING:  # provided by BroadsheetApp
        library: Library
        _query_text: str
        _sort_override: str | None
        _outcome: SearchOutcome | None
        _search_serial: int
        _hold_timer: Timer | None

        def _show_outcome(self, outcome: SearchOutcome, started: float) -> None: ...

    @dataclass
    class SearchFinished(Message):
        outcome: SearchOutcome
        started: float
        serial: int  # which search: only the latest one's result is shown

    def _run_search(self, text: str) -> None:
        """Search on the UI thread for up to INLINE_SEARCH_BUDGET, so that a quick result
        lands in the same frame as the keystroke that asked for it (a worker's result waits
        for the next 60 Hz frame slot: ~17 ms more); a longer search goes on in a worker."""
        self._query_text = text
        self._search_serial += 1
        self.workers.cancel_group(self, "search")
        started = time.perf_counter()
        steps = self.library.search_steps(text, sort_override=self._sort_override, previous=self._outcome)
        deadline = started + INLINE_SEARCH_BUDGET
        outcome: SearchOutcome | None = None
        for step in steps:
            if step is not None:
                outcome = step
            elif time.perf_counter() >= deadline:
                self._hold_frame()
                self._search_on(steps, self._search_serial, started)
                return
        if outcome is not None:
            self._show_outcome(outcome, started)

    def _hold_frame(self) -> None:
        """Paint nothing until the worker's results land (FRAME_HOLD at most): a frame that
        showed just the letter now would make the results wait for the next 60 Hz slot."""
        if self._hold_timer is None:
            self._begin_batch()  # Textual's batch_update, held across the worker's search
            self._hold_timer = self.set_timer(FRAME_HOLD, self._release_frame)

    def _release_frame(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
            self._end_batch()

    @work(thread=True, exclusive=True, group="search")
    def _search_on(self, steps: Iterator[SearchOutcome | None], serial: int, started: float) -> None:
        """The rest of a search, in short steps; between them the GIL goes back to the UI."""
        worker = get_current_worker()
        outcome: SearchOutcome | None = None
        for step in steps:
            if worker.is_cancelled:
                return
            if step is not None:
                outcome = step
            time.sleep(0)  # yield the GIL so keystrokes keep flowing
        if outcome is not None and not worker.is_cancelled:
            self.post_message(self.SearchFinished(outcome, started, serial))

    def on_live_search_search_finished(self, message: SearchFinished) -> None:
        """A worker's result (a handler by name: `@on` is not collected from a mixin)."""
        if message.serial == self._search_serial:  # else a newer search has started since
            self._show_outcome(message.outcome, message.started)
