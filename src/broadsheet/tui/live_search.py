"""Searching as the user types: quick searches inline, longer ones in slices, stale ones never.

A result is drawn with the keystroke that asked for it whenever possible: Textual paints at
most once per 60 Hz slot, so a result that lands just after the frame showing the letter
waits ~17 ms more. Hence: search inside the keystroke's own handling for up to
INLINE_SEARCH_BUDGET; past that, go on in a worker on the event loop, SEARCH_SLICE at a
time, and hold the frame until the result lands, for FRAME_HOLD at most.

The worker runs on the event loop, not a thread: the engine holds the GIL (rapidfuzz, big
integers), so a thread gave no parallelism, only GIL hand-overs that made the UI wait up to
the interpreter's switch interval (5 ms) for its turn. Slices keep every wake-up short
instead: between two, keystrokes, timers and frames run. Each search has a serial number,
and only the latest one's result is shown.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual import work

from broadsheet.library import SearchOutcome

if TYPE_CHECKING:
    from textual.timer import Timer

    from broadsheet.library import Library

INLINE_SEARCH_BUDGET = 0.003  # seconds of searching inside the keystroke's own handling
SEARCH_SLICE = 0.003  # seconds of searching per wake-up after that
FRAME_HOLD = 0.04  # seconds the typed letter may wait to be painted with its results

Steps = Iterator[SearchOutcome | None]


def advance(steps: Steps, budget: float) -> SearchOutcome | None | bool:
    """Run `steps` for about `budget` seconds: the outcome when they end (None if they
    gave none), False when time ran out first (`steps` can go on later)."""
    deadline = time.perf_counter() + budget
    outcome: SearchOutcome | None = None
    for step in steps:
        if step is not None:
            outcome = step
        elif time.perf_counter() >= deadline:
            return False
    return outcome


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

    def _run_search(self, text: str) -> None:
        """Search inside the current handler for up to INLINE_SEARCH_BUDGET, so that a quick
        result lands in the same frame as the keystroke that asked for it; a longer search
        goes on in slices, and the frame waits for it (FRAME_HOLD at most)."""
        self._query_text = text
        self._search_serial += 1
        self.workers.cancel_group(self, "search")
        started = time.perf_counter()
        steps = self.library.search_steps(text, sort_override=self._sort_override, previous=self._outcome)
        outcome = advance(steps, INLINE_SEARCH_BUDGET)
        if outcome is False:
            self._hold_frame()
            self._search_on(steps, self._search_serial, started)
        elif isinstance(outcome, SearchOutcome):
            self._show_outcome(outcome, started)

    def _hold_frame(self) -> None:
        """Paint nothing until the results land (FRAME_HOLD at most): a frame that showed
        just the letter now would make the results wait for the next 60 Hz slot."""
        if self._hold_timer is None:
            self._begin_batch()  # Textual's batch_update, held across the rest of the search
            self._hold_timer = self.set_timer(FRAME_HOLD, self._release_frame)

    def _release_frame(self) -> None:
        """Let the held frame go. The screen paints once it has heard from every widget
        that changed; a message reaching it before them makes it paint too early, with the
        results a 60 Hz slot later (FilterBox keeps its Changed messages to itself for this)."""
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
            self._end_batch()
            # The screen paints from its idle handler, which skipped the widgets changed
            # while the frame was held; unless prompted it waits for the next message to
            # reach it (the box's cursor blink: up to 0.5 s with the letter unpainted).
            self.screen.check_idle()

    @work(exclusive=True, group="search")
    async def _search_on(self, steps: Steps, serial: int, started: float) -> None:
        """The rest of a search, a slice per wake-up of the event loop; a newer search
        cancels this worker (and its serial no longer matches)."""
        outcome: SearchOutcome | None | bool = False
        while outcome is False:
            await asyncio.sleep(0)  # keystrokes, timers and frames go first
            if serial != self._search_serial:
                return
            outcome = advance(steps, SEARCH_SLICE)
        if isinstance(outcome, SearchOutcome) and serial == self._search_serial:
            self._show_outcome(outcome, started)
