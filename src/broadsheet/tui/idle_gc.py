"""Full garbage collections at moments when nobody is typing.

Textual's Strips keep themselves in their own caches, so every frame leaves cyclic garbage.
Young collections reclaim most of it in a millisecond or two; what lived a little longer
(rows that sat in a cache) reaches the oldest generation, which only a full collection
reclaims, and that walks every tracked object: tens of milliseconds, a visible stall in
the middle of a query. So the reader runs it itself, once input has paused for a while.
"""

from __future__ import annotations

import gc
import time

IDLE_SECONDS = 5.0  # no key or mouse input for this long counts as a pause


class IdleCollector:
    def __init__(self, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self._clock = clock
        self._last_input = clock()
        self._promoted_at = self._middle_collections()

    @staticmethod
    def _middle_collections() -> int:
        """How many middle-generation collections ran: each promotes survivors to the oldest."""
        return int(gc.get_stats()[1]["collections"])

    def saw_input(self) -> None:
        self._last_input = self._clock()

    def collect_if_idle(self) -> bool:
        """Collect everything when input has paused and something was promoted since the
        last time; True when it ran."""
        if self._clock() - self._last_input < IDLE_SECONDS:
            return False
        promoted = self._middle_collections()
        if promoted == self._promoted_at:
            return False
        gc.collect()
        self._promoted_at = self._middle_collections()
        return True
