"""The daily-papers dump parser: lines in, entries and papers out, in one pass or chunk by chunk.

The parser works line by line and never backtracks, so it is linear in the input and cannot
hang; a block it cannot place is skipped with a warning naming file:line. It looks ahead at
most `LOOKAHEAD` lines (a metadata block's middle dot and date, the next non-blank line, with
at most `MAX_BLANK_RUN` blank lines in between), so a stream can be parsed with a bounded
window: `run` reads the lines it can decide and leaves the rest for the next chunk.

The page year (see `dates`) depends on every entry of the page, but a stream turns entries
into papers as it goes. So a streaming parse *assumes* a page year and date when it builds
its first papers (from the page header, and from a cheap scan of the whole file's date
lines when the header has no year), and `finish` says whether the assumption held. When it
did not (rare: odd pages), the caller parses again with the right one (`assume`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from broadsheet.model import (
    Organization,
    Paper,
    Published,
    UpvoteSample,
    make_key,
    paper_from_fields,
    source_from_fields,
)
from broadsheet.sources.ai_summary import ABSTRACT_LABEL, is_marker, split_ai_summary
from broadsheet.sources.dates import DATE_LINE, infer_page_year, make_date, month_number, parse_upvotes
from broadsheet.sources.errors import WARNINGS_KEPT, ParseWarning, WarningList
from broadsheet.sources.results import ParseResult

HEADER_LINES = frozenset(
    {
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    }
)
_LONGEST_HEADER = max(map(len, HEADER_LINES))
MIDDLE_DOT = "·"
_AUTHORS = re.compile(r"^•\s*(?:(?P<count>\d{1,6}) authors?|(?P<names>.+))$")
_ORG = re.compile(r"^(?P<id>[A-Za-z0-9][A-Za-z0-9._-]{0,95}) (?P<name>\S.{0,199})$")
# A title longer than this is almost surely an abstract that lost its title.
MAX_TITLE = 400
# Abstracts in the wild are rarely this short; a shorter line after a title, followed by
# a long line, is a second title whose predecessor lost its abstract.
MIN_ABSTRACT = 300
# More blank lines in a row than this end a lookahead, as the end of the text does. Pages
# have one or two between blocks; the bound keeps a stream's window of lines small.
MAX_BLANK_RUN = 200
# The furthest a line's reading looks past it: a metadata head, its middle dot, blank
# lines, the date.
LOOKAHEAD = MAX_BLANK_RUN + 3

# Distinct metadata lines read once per parse (see `_Memo`): past this many, or this long, a
# line is read each time, so that junk cannot make the memo hold much.
MEMO_SIZE = 1 << 14
MEMO_CHARS = 200

PageAssumption = tuple[int, tuple[int, int] | None]  # the page year, the page's (month, day)
_Head = tuple[tuple[str, ...], int | None, Organization | None]  # authors, their count, organization
_Date = tuple[int, int, int | None, int | None]  # month, day, year (None when not printed), upvotes
_Meta = tuple[int, _Head, _Date]  # the block's line number, its head, its date
_NO_HEAD: _Head = ((), None, None)
# an entry as plain data (see `DumpParser.take_records`): its line, title, abstract, AI summary,
# its metadata block's line, head line (None when it has none) and date fields, and its key
Record = tuple[int, str, str, str | None, tuple[int, str | None, _Date] | None, str]
# a part's reading warnings (line, reason), how many more, its latest explicit year, page date, page year
PartSummary = tuple[list[tuple[int, str]], int, int | None, tuple[int, int] | None, int | None]


def _meta_record(meta: _Meta) -> tuple[int, str | None, _Date]:
    line, head, date = meta
    return line, head if isinstance(head, str) else None, date  # a raw head, or _NO_HEAD


@dataclass(slots=True)
class _Entry:
    line: int
    title: str
    abstract: str = ""
    ai_summary: str | None = None
    meta: _Meta | None = None


class _Memo(dict):  # type: ignore[type-arg]
    """What `read` makes of each distinct key, made once. Metadata repeats (100k entries hold
    ~40 distinct author lines and ~10k dates) and reading a block costs a few regex matches
    and objects: remembered, half the parse's metadata work goes. The values are immutable,
    so papers may share them."""

    def __init__(self, read: Callable[[Any], object]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, key: str | tuple[object, ...]) -> object:
        value = self.read(key)
        if len(self) < MEMO_SIZE and len(key) <= MEMO_CHARS:
            self[key] = value
        return value


def _is_meta_head(line: str) -> bool:
    return line.startswith("•") or bool(_ORG.match(line)) and len(line) < 200


def _next_nonblank(lines: list[str], i: int) -> str:
    """The next non-blank line from index i, within MAX_BLANK_RUN blank lines; else ''."""
    end = i + MAX_BLANK_RUN + 1
    if end > len(lines):
        end = len(lines)
    while i < end:
        if lines[i]:
            return lines[i]
        i += 1
    return ""


def _read_head(head: str) -> _Head:
    """An authors line (`• 7 authors`, or names) or an organization line (`google Google`)."""
    authors = _AUTHORS.match(head)
    if authors and authors["count"]:
        return (), int(authors["count"]), None
    if authors:
        names = tuple(n.strip() for n in authors["names"].split(",") if n.strip())
        return names, len(names), None
    if org := _ORG.match(head):
        return (), None, Organization(org["id"], org["name"])
    return _NO_HEAD


def _read_date(line: str) -> _Date | str | None:
    """A date line's fields; for a line shaped like one but with no month, the month's name;
    else None."""
    date = DATE_LINE.match(line)
    if date is None:
        return None
    month = month_number(date["month"])
    if month is None:
        return date["month"]
    year = int(date["year"]) if date["year"] else None
    return month, int(date["day"]), year, parse_upvotes(date["upvotes"])


def is_date_line(line: str) -> bool:
    """Whether a stripped line is a metadata block's date line, with a month the parser knows."""
    return isinstance(_read_date(line), tuple)


class DumpParser:
    """One pass over normalized, stripped lines, given whole (`run(lines, final=True)`) or in
    consecutive windows; entries become papers in `take_papers` (streaming) or `finish`."""

    def __init__(
        self,
        source: str,
        *,
        year: int | None = None,
        assume: PageAssumption | None = None,
        guess_explicit_year: Callable[[], int | None] | None = None,
        continuing: bool = False,
        raw_heads: bool = False,
    ) -> None:
        """`continuing`: the text continues one whose earlier part had entries (see
        `run_to_cut`). `raw_heads`: metadata heads are kept as their lines, for `records`."""
        self.source = source
        self.year = year
        self.warnings = WarningList()  # in reading order
        self.date_warnings = WarningList()  # raised while building papers, reported after
        self.entries: list[_Entry] = []  # complete entries not yet turned into papers
        self._taken = 0  # entries turned into papers by `take_papers`
        self.line_base = 0  # lines consumed by earlier windows
        self.page_month_day: tuple[int, int] | None = None
        self.page_year: int | None = None
        self.max_explicit_year: int | None = None  # of the metadata that belongs to an entry
        self._assumed = assume
        self._guess = guess_explicit_year
        self._building = False  # papers are being built: the page year and date are fixed
        self._page_year = 0  # the year and date papers are built with, once building
        self._page_date: dt.date | None = None
        self.actual_page: PageAssumption | None = None  # set by `finish`
        self._histories: dict[int, tuple[UpvoteSample, ...]] = {}
        self._continuing = continuing
        self._heads = _Memo(str if raw_heads else _read_head)
        self._dates = _Memo(_read_date)
        self._published = _Memo(self._read_published)  # by (year, month, day), once the page year is fixed
        # where the reading stands between windows
        self._pending: _Entry | None = None  # an entry waiting for its abstract
        self._last: _Entry | None = None  # the last complete entry, which may still get metadata
        self._summary: str | None = None
        self._after_marker = False

    def warn(self, line: int, reason: str) -> None:
        self.warnings.add(ParseWarning(self.source, line, reason))

    def run(self, lines: list[str], *, final: bool) -> int:
        """Read `lines` (the window after those consumed so far); return how many were consumed.

        Unless `final`, the last LOOKAHEAD lines are left for the next window, so that every
        line is decided exactly as if the whole text were there.
        """
        consumed = self._read(lines, len(lines) if final else len(lines) - LOOKAHEAD)
        if final and self._pending is not None:
            self.warn(self._pending.line, "title without an abstract, skipped")
            self._pending = None
        return consumed

    def run_to_cut(self, lines: list[str]) -> bool:
        """Read `lines` to their end, the last before a cut (see `dump_split`); whether a
        parser that reads on from the next line (`continuing`) reads as this one would: the
        reading then stands where a fresh one starts (no entry waits for its abstract or its
        metadata) and an entry came before.

        After a metadata block's date line, where cuts are put, no line before looks past it,
        so this reading is exact either way, and this parser can read on from there itself."""
        self._read(lines, len(lines))
        return self._pending is None and self._last is None and bool(self.entries or self._taken)

    def _read(self, lines: list[str], limit: int) -> int:
        """Decide the lines before index `limit`. Ordered so the common path (blank, title,
        long abstract) is short."""
        count = len(lines)
        base = self.line_base
        i = 0
        pending, last = self._pending, self._last
        summary, after_marker = self._summary, self._after_marker
        entries = self.entries
        read_before = self._taken or self._continuing  # entries, before these lines
        while i < limit:
            line = lines[i]
            i += 1
            if not line:
                continue
            if line == MIDDLE_DOT or (i < count and lines[i] == MIDDLE_DOT and _is_meta_head(line)):
                i = self._meta(lines, i - 1, last if pending is None else None)
                if pending is not None:
                    self.warn(pending.line, "title without an abstract, skipped")
                    pending = None
                last = None
                continue
            if pending is None:
                # page furniture; after the first entry only when it is not followed by an
                # abstract (a second page pasted below the first, not a paper called "new")
                maybe_furniture = len(line) <= 30 or (len(line) <= _LONGEST_HEADER and line in HEADER_LINES)
                if (
                    maybe_furniture
                    and (not (entries or read_before) or len(_next_nonblank(lines, i)) < MIN_ABSTRACT)
                    and self._is_page_header(line)
                ):
                    continue
                if len(line) > MAX_TITLE:
                    self.warn(base + i, "text without a title, skipped")
                    continue
                pending = _Entry(base + i, line)
                summary, after_marker = None, False
                continue
            following = _next_nonblank(lines, i)
            if not after_marker:
                if line == ABSTRACT_LABEL:
                    continue
                if line[0] in "AG" and is_marker(line):
                    after_marker = True  # the next line is the abstract, the one before was the summary
                    continue
                if following[:1] in ("A", "G") and is_marker(following):
                    summary = line
                    continue
                if len(line) < MIN_ABSTRACT and len(following) >= MIN_ABSTRACT:
                    self.warn(pending.line, "title without an abstract, skipped")
                    pending = _Entry(base + i, line)
                    continue
            pending.ai_summary, pending.abstract = split_ai_summary(line)
            if summary is not None:
                pending.ai_summary = summary.removeprefix(ABSTRACT_LABEL + " ").strip() or None
            entries.append(pending)
            last, pending = pending, None
        self._pending, self._last = pending, last
        self._summary, self._after_marker = summary, after_marker
        consumed = min(i, count)
        self.line_base += consumed
        return consumed

    def _is_page_header(self, line: str) -> bool:
        """Page furniture before the first entry: the fixed lines and the page's date."""
        if line in HEADER_LINES:
            return True
        if len(line) > 30:
            return False
        date = DATE_LINE.match(line)
        if date is None or (month := month_number(date["month"])) is None:
            return False
        if self.page_month_day is not None:
            return True  # a later page's date; the first page's date stands
        self.page_month_day = (month, int(date["day"]))
        if date["year"]:
            self.page_year = int(date["year"])
        return True

    def _meta(self, lines: list[str], i: int, entry: _Entry | None) -> int:
        """Read a metadata block at line index `i` (its head line, if any, then the middle dot
        that `run` saw); return the index after it."""
        base = self.line_base
        line = base + i + 1
        head = _NO_HEAD
        if lines[i] != MIDDLE_DOT:
            head = self._heads[lines[i]]
            i += 1
        i += 1  # the middle dot
        count = len(lines)
        blanks_end = i + MAX_BLANK_RUN
        if blanks_end > count:
            blanks_end = count
        while i < blanks_end and not lines[i]:
            i += 1
        date = self._dates[lines[i]] if i < count else None
        if date is None:
            self.warn(line, "metadata block without a date, skipped")
            return i
        if isinstance(date, str):
            self.warn(base + i + 1, f"unknown month {date!r}, metadata skipped")
            return i + 1
        if entry is None:
            self.warn(line, "metadata with no paper before it, skipped")
        else:
            entry.meta = line, head, date
            year = date[2]
            if year and (self.max_explicit_year is None or year > self.max_explicit_year):
                self.max_explicit_year = year
        return i + 1

    def _page(self, explicit_year: int | None) -> PageAssumption:
        """The page year by the rule in `dates`, and the page's month and day."""
        explicit = [explicit_year] if explicit_year else []
        year = self.year or self.page_year or infer_page_year(explicit, self.page_month_day)
        return year, self.page_month_day

    def _start_building(self) -> None:
        """Fix the page year and date the papers are built with (once)."""
        if self._building:
            return
        self._building = True
        if self._assumed is None:  # the stream has not ended: assume, `finish` checks
            guess = self.max_explicit_year
            if not (self.year or self.page_year) and self._guess is not None:
                guess = max(filter(None, (guess, self._guess())), default=None)
            self._assumed = self._page(guess)
        year, month_day = self._assumed
        self._page_year = year
        self._page_date = make_date(year, *month_day) if month_day else None

    def take_papers(self) -> list[Paper]:
        """Papers for the entries read so far, except the last one while metadata may follow it."""
        taken = self._take_ready()
        if not taken:
            return []
        self._start_building()
        return [self._paper(entry) for entry in taken]

    def take_records(self, *, final: bool = False) -> list[Record]:
        """What `take_papers` would make papers of (all entries when `final`), as plain data
        that `marshal` carries, for another parser's `papers_from_records` (see `dump_split`).
        A metadata head goes as its line (this parser has `raw_heads`); the key is made here."""
        return [
            (e.line, e.title, e.abstract, e.ai_summary, e.meta and _meta_record(e.meta), make_key(e.title))
            for e in self._take_ready(final=final)
        ]

    def papers_from_records(self, records: list[Record], line_offset: int, date_warnings: WarningList) -> list[Paper]:
        """Papers for entries another parser read (`take_records`) from the text after this
        one's first `line_offset` lines, as this parser would make them; their date warnings
        go to `date_warnings`, to be reported after this parser's own."""
        self._start_building()
        heads, make = self._heads, self._make
        kept, self.date_warnings = self.date_warnings, date_warnings
        try:
            papers = []
            for line, title, abstract, ai_summary, meta, key in records:
                if meta is not None:
                    meta_line, head, date = meta
                    meta = meta_line + line_offset, _NO_HEAD if head is None else heads[head], date
                papers.append(make(line + line_offset, title, abstract, ai_summary, meta, key))
        finally:
            self.date_warnings = kept
        return papers

    def part_summary(self) -> PartSummary:
        """What this parser found besides its entries, as plain data, for the parser of the
        text before its part to `absorb`."""
        warnings = [(warning.line, warning.reason) for warning in self.warnings.items]
        return warnings, self.warnings.omitted, self.max_explicit_year, self.page_month_day, self.page_year

    def absorb(self, part: PartSummary, line_offset: int, entries: int, date_warnings: WarningList) -> None:
        """Take in, as if this parser had read it, what the parser of the text after its first
        `line_offset` lines found (`part_summary`), once its `entries` were made papers here
        (`papers_from_records`, which gave `date_warnings`)."""
        warnings, omitted, explicit_year, month_day, page_year = part
        for line, reason in warnings:
            self.warn(line + line_offset, reason)
        self.warnings.omitted += omitted
        if explicit_year and (self.max_explicit_year is None or explicit_year > self.max_explicit_year):
            self.max_explicit_year = explicit_year
        if self.page_month_day is None and month_day is not None:  # the first page date read stands
            self.page_month_day, self.page_year = (month_day[0], month_day[1]), page_year
        self.date_warnings.extend(date_warnings)
        self._taken += entries

    def _take_ready(self, *, final: bool = False) -> list[_Entry]:
        """The entries read so far, except the last one while metadata may follow it."""
        entries = self.entries
        ready = len(entries) - (1 if entries and entries[-1] is self._last and not final else 0)
        if ready <= 0:
            return []
        taken, self.entries = entries[:ready], entries[ready:]
        self._taken += ready
        return taken

    @property
    def assumption_held(self) -> bool:
        """After `finish`: False when papers were built (by `take_papers`) with a page year or
        date that the whole text does not bear out; then parse again with `assume=actual_page`."""
        return self._assumed == self.actual_page

    def finish(self, line_warnings: WarningList | None = None) -> ParseResult:
        """The result: papers for the entries not yet taken, and every warning in a fixed
        order (the splitter's, the reading's, then the dates')."""
        self.actual_page = self._page(self.max_explicit_year)
        if not self._building and self._assumed is None:
            self._assumed = self.actual_page
        self._start_building()
        result = ParseResult(page_year=self.actual_page[0], entries=self._taken + len(self.entries))
        result.papers = [self._paper(entry) for entry in self.entries]
        self._taken += len(self.entries)
        self.entries = []
        lists = [line_warnings or WarningList(), self.warnings, self.date_warnings]
        problems = [warning for kept in lists for warning in kept.items]
        result.warnings = problems[:WARNINGS_KEPT]
        result.omitted = sum(kept.omitted for kept in lists) + len(problems) - len(result.warnings)
        return result

    def _history(self, upvotes: int) -> tuple[UpvoteSample, ...]:
        """The one-sample history for a count on this page; shared, as counts repeat a lot."""
        history = self._histories.get(upvotes)
        if history is None:
            assert self._page_date is not None
            history = self._histories[upvotes] = (UpvoteSample(self._page_date, upvotes),)
        return history

    def _read_published(self, date: tuple[int | None, int, int]) -> Published | None:
        """A metadata date (its year None when not printed) on this page; None when impossible."""
        year, month, day = date
        made = make_date(year or self._page_year, month, day)
        return None if made is None else Published(made, year is None)

    def _paper(self, entry: _Entry) -> Paper:
        return self._make(entry.line, entry.title, entry.abstract, entry.ai_summary, entry.meta, make_key(entry.title))

    def _make(
        self, line: int, title: str, abstract: str, ai_summary: str | None, meta: _Meta | None, key: str
    ) -> Paper:
        published = upvotes = organization = authors_count = None
        authors: tuple[str, ...] = ()
        history: tuple[UpvoteSample, ...] = ()
        if meta is not None:
            meta_line, (authors, authors_count, organization), (month, day, year, upvotes) = meta
            published = self._published[year, month, day]
            if published is None:
                self.date_warnings.add(ParseWarning(self.source, meta_line, "impossible date, left out"))
            if upvotes is not None and self._page_date is not None:
                history = self._history(upvotes)
        # in field order (see model.paper_from_fields); no arXiv id, no links in a dump
        return paper_from_fields(
            title,
            abstract,
            ai_summary,
            authors,
            authors_count,
            organization,
            published,
            upvotes,
            None,
            (),
            (source_from_fields(self.source, line),),
            key,
            history,
        )
