"""The reader's screen, whose frames come as soon as they are asked for (at most 60 a second).

Textual draws a screen on the ticks of its update timer: paused while nothing changes,
resumed when something does. That timer keeps a fixed phase, and after a tick that comes
late (the first one after a pause, say) it skips ahead to the slot after the next one; the
screen pauses it in that tick, so it then sleeps one to two periods before it looks again.
A change asked for in that window (a key pressed shortly after another frame: the detail
pane's, the filter box's cursor blink) waited up to ~33 ms for its frame; measured at 100k,
such presses spent 4-12 ms on the CPU and the rest asleep.

`FrameTimer` paces ticks from the last one instead: a frame asked for a period or more after
the last comes at once, one asked for sooner comes a period after it.
"""

from __future__ import annotations

import math
from time import monotonic

from textual._time import sleep
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import EventTargetGone, Timer


class FrameTimer(Timer):
    """A repeating timer whose next tick is one interval after the last, or at once."""

    async def _run(self) -> None:
        last = -math.inf
        while True:
            await self._active.wait()
            wait = last + self._interval - monotonic()
            if wait > 0:
                await sleep(wait)
                await self._active.wait()  # paused meanwhile: wait for the next resume
            last = monotonic()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break


class ReaderScreen(Screen[None]):
    """The default screen, drawn through a `FrameTimer`."""

    _frame_timer: FrameTimer | None = None

    @property
    def _update_timer(self) -> Timer:  # overrides Screen's, which makes a fixed-phase timer
        if self._frame_timer is None:
            timer = FrameTimer(self, UPDATE_PERIOD, name="screen_update", callback=self._on_timer_update, pause=True)
            timer._start()  # as `set_interval` does: started, and stopped with the screen
            self._timers.add(timer)
            self._frame_timer = timer
        return self._frame_timer
