"""Making sure changes reach the disk before the process goes: atexit, and signal handlers.

A signal handler runs between two bytecodes of the main thread, possibly inside one of our
locked sections; so it only flushes with bounded lock waits, and when that is not possible
it raises SystemExit instead, letting the interrupted code unwind and atexit close().
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
from collections.abc import Iterable
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import ReadingState

_live: set[ReadingState] = set()  # strong references: an open state is saved at exit even if dropped


def register(state: ReadingState) -> None:
    _live.add(state)


def unregister(state: ReadingState) -> None:
    _live.discard(state)


@atexit.register
def close_all() -> None:
    """Close every open state; at exit a failure can only be reported."""
    for state in list(_live):
        try:
            state.close()
        except Exception as exc:  # noqa: BLE001 - report whatever it is, then go on
            print(f"broadsheet: reading state not saved: {exc}", file=sys.stderr)


def flush_all(timeout: float = 2.0) -> bool:
    """Flush every open state without risking a deadlock; True if all are durable."""
    ok = True
    for state in list(_live):
        try:
            ok = state._flush_for_signal(timeout) and ok
        except Exception as exc:  # noqa: BLE001
            print(f"broadsheet: reading state not saved: {exc}", file=sys.stderr)
            ok = False
    return ok


def install_signal_handlers(
    signums: Iterable[int] = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT),
    timeout: float = 2.0,
) -> dict[int, Any]:
    """Flush every open reading state on these signals, then behave as before: call the
    previous Python handler (SIGINT then raises KeyboardInterrupt), or die by the signal.
    If a flush cannot finish within `timeout` (the signal interrupted our own locked code),
    raise SystemExit instead so that atexit saves after unwinding. Call from the main
    thread. Returns the previous handlers."""
    previous = {signum: signal.getsignal(signum) for signum in signums}

    def handler(signum: int, frame: FrameType | None) -> None:
        ok = flush_all(timeout)
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)
            return
        if before == signal.SIG_IGN:
            return
        if ok:  # die by the signal, so the parent sees the usual status
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        raise SystemExit(128 + signum)

    for signum in signums:
        signal.signal(signum, handler)
    return previous
