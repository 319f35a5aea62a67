"""Timestamps: UTC, RFC 3339, always written `YYYY-MM-DDTHH:MM:SS.ffffffZ`.

The fixed width matters: comparing two such strings compares the instants, so merges never
parse dates, and the empty string sorts before every time ("never changed").
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable

UTC = dt.UTC
CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = dt.datetime(1970, 1, 1)
_ONE_US = dt.timedelta(microseconds=1)
UNKNOWN_TIME = "1970-01-01T00:00:00.000000Z"
"""The stamp of a value merged in without a time: earlier than any real change, so it only
fills a register never set, and loses (everywhere, in any merge order) to every real change."""


def wall_us() -> int:
    """Microseconds since the Unix epoch, from the system clock."""
    return time.time_ns() // 1000


_last_second: tuple[int, str] = (0, "1970-01-01T00:00:00.")  # (second, its text): see format_us


def format_us(us: int) -> str:
    """The canonical text of an instant given in microseconds since the epoch.

    The text up to the second is kept from the last call: a bulk change stamps 100k
    instants within a second or two, and building a datetime for each was 3 µs of ~5."""
    global _last_second
    second, micro = divmod(us, 1_000_000)
    known, prefix = _last_second  # one tuple, read and replaced whole: safe across threads
    if second != known:
        d = _EPOCH + dt.timedelta(seconds=second)
        prefix = f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}."
        _last_second = (second, prefix)
    return f"{prefix}{micro:06d}Z"


def parse_us(stamp: str) -> int:
    """Microseconds since the epoch of a canonical stamp."""
    return (dt.datetime.fromisoformat(stamp[:-1]) - _EPOCH_NAIVE) // _ONE_US


def normalize(value: object) -> str:
    """Any RFC 3339 / TOML date-time (text or datetime) as a canonical stamp.

    Hand edits may write `2024-05-01T10:00:00+02:00` or a bare date; a time without an offset
    is taken as UTC. Raises ValueError for anything else.
    """
    if isinstance(value, str):
        text = value.strip()
        if CANONICAL.fullmatch(text):
            return text
        if text and text[-1] in "zZ":
            text = text[:-1] + "+00:00"
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return format_us((aware - _EPOCH) // _ONE_US)
    if isinstance(value, dt.date):
        return format_us((dt.datetime(value.year, value.month, value.day, tzinfo=UTC) - _EPOCH) // _ONE_US)
    raise ValueError(f"not a date-time: {value!r}")


def to_datetime(stamp: str) -> dt.datetime | None:
    """An aware datetime for the public API; None for "never"."""
    if not stamp:
        return None
    return dt.datetime.fromisoformat(stamp[:-1]).replace(tzinfo=UTC)


def edit_stamp(mtime_ns: int, after: str = "", now_us: Callable[[], int] = wall_us) -> str:
    """When a hand edit without a time happened: the file's mtime (never in the future),
    and always after the value it replaced so that the edit wins."""
    us = min(mtime_ns // 1000, now_us())
    if after:
        us = max(us, parse_us(after) + 1)
    return format_us(us)


class Clock:
    """Stamps changes: strictly increasing within the process, and always later than the
    stamp being superseded (a hybrid logical clock), so a local change beats what the user saw
    even when another machine's clock runs ahead."""

    def __init__(self, now_us: Callable[[], int] = wall_us) -> None:
        self._now = now_us
        self._last = 0
        self._lock = threading.Lock()

    def stamp(self, after: str = "") -> str:
        with self._lock:
            us = max(self._now(), self._last + 1)
            text = format_us(us)
            if after and after >= text:
                us = parse_us(after) + 1
                text = format_us(us)
            self._last = us
            return text


CLOCK = Clock()
"""One clock per process, shared by every state instance, so their stamps never tie."""
