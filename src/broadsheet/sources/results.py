"""What a parser gives back for one listing: papers, warnings, how many entries it read."""

from __future__ import annotations

from dataclasses import dataclass, field

from broadsheet.model import Paper
from broadsheet.sources.errors import WARNINGS_KEPT, ParseWarning, omitted_warning


@dataclass(slots=True)
class ParseResult:
    papers: list[Paper] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    page_year: int | None = None
    entries: int = 0
    omitted: int = 0  # warnings past the first WARNINGS_KEPT, counted only
    # about the file as a whole, not a skipped block (lines read as Windows-1252)
    notices: list[ParseWarning] = field(default_factory=list)

    def warn(self, warning: ParseWarning) -> None:
        if len(self.warnings) < WARNINGS_KEPT:
            self.warnings.append(warning)
        else:
            self.omitted += 1

    def reported_warnings(self, source: str) -> list[ParseWarning]:
        """Everything to show: the notices, the warnings kept, and one line for the rest."""
        more = [omitted_warning(source, self.omitted)] if self.omitted else []
        return [*self.notices, *self.warnings, *more]

    def first_problem(self) -> str:
        """The first warning, as `reason at line N`, for "no papers found (...)"."""
        if not self.warnings:
            return ""
        first = self.warnings[0]
        return f"{first.reason} at line {first.line}" if first.line else first.reason
