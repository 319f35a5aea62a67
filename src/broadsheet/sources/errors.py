"""Errors and warnings that sources report about a listing."""

from __future__ import annotations

from dataclasses import dataclass, field

# Warnings kept per listing; the rest are counted. A junk file can raise millions, and each
# would be a line on stderr and in the parsed-listing cache.
WARNINGS_KEPT = 1000


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


@dataclass(slots=True)
class WarningList:
    """The first WARNINGS_KEPT warnings, and how many more there were."""

    items: list[ParseWarning] = field(default_factory=list)
    omitted: int = 0

    def add(self, warning: ParseWarning) -> None:
        if len(self.items) < WARNINGS_KEPT:
            self.items.append(warning)
        else:
            self.omitted += 1

    def extend(self, other: WarningList) -> None:
        for warning in other.items:
            self.add(warning)
        self.omitted += other.omitted


def omitted_warning(source: str, omitted: int) -> ParseWarning:
    """The line that stands for the warnings not kept."""
    return ParseWarning(source, 0, f"{omitted:,} more warnings not shown")
