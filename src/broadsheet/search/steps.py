"""Work in slices: engine functions are generators that yield between bounded chunks.

The UI worker advances a search a few milliseconds at a time (rapidfuzz and big-int work
hold the GIL); everything else runs the same generators to completion with `drain`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

T = TypeVar("T")
Steps = Generator[None, None, T]


def drain(steps: Steps[T]) -> T:
    """Run `steps` to the end and return its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
