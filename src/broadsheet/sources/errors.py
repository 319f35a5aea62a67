"""Errors and warnings that sources report about a listing."""

from __future__ import annotations

from dataclasses import dataclass


class ListingError(Exception):
    """A listing that cannot be read at all. The message is one line naming the file."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A block that was skipped; the rest of the listing is kept."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"
