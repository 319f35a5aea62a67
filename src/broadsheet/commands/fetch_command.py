"""`broadsheet fetch`: Hugging Face daily papers into the library, one listing file per day.

A day is stored as `hf-daily-YYYY-MM-DD.json`, named by its date rather than by a digest of
its content (as `add` does): upvotes change all day, so a digest name would keep a new copy
on every fetch. A changed day replaces its file atomically; an identical one is left alone.
The network half lives in `broadsheet.fetch`; `store_days` is what the reader calls too.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from broadsheet import fetch, paths
from broadsheet.atomic import write_atomically_bytes
from broadsheet.commands.common import CommandError
from broadsheet.commands.library_commands import kept_files
from broadsheet.model import dedupe
from broadsheet.sources.errors import ListingError
from broadsheet.sources.loader import load_listings, parse_data

POLICY = fetch.Policy()  # tests swap in one with a fake clock
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
EPILOG = """\
examples:
  broadsheet fetch                       # today (UTC)
  broadsheet fetch --date 2024-10-25
  broadsheet fetch --week 2024-W43       # every day of an ISO week, up to today
  broadsheet fetch --month 2024-10
  BROADSHEET_HF_API=http://localhost:8000 broadsheet fetch   # a mirror or a test server"""


def listing_name(day: dt.date) -> str:
    return f"hf-daily-{day.isoformat()}.json"


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def parse_day(text: str) -> dt.date:
    try:
        if _DAY.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}")


def days_in_week(text: str) -> list[dt.date]:
    """The seven days of ISO week `YYYY-Www`, Monday first."""
    match = _WEEK.match(text)
    try:
        if match:
            monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return [monday + dt.timedelta(days=i) for i in range(7)]
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not an ISO week (YYYY-Www, e.g. 2024-W43): {text!r}")


def days_in_month(text: str) -> list[dt.date]:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}")
    first = dt.date(int(match[1]), int(match[2]), 1)
    following = (first + dt.timedelta(days=31)).replace(day=1)
    return [first + dt.timedelta(days=i) for i in range((following - first).days)]


def _bounded(kind: Callable[[str], float], low: float, high: float) -> Callable[[str], float]:
    def check(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range ({low:g} to {high:g})")
        return value

    return check


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet fetch",
        description="Download Hugging Face daily papers into your library, one listing per day.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--date", type=parse_day, metavar="YYYY-MM-DD", help="one day (default: today, UTC)")
    which.add_argument("--week", type=days_in_week, metavar="YYYY-Www", help="every day of an ISO week")
    which.add_argument("--month", type=days_in_month, metavar="YYYY-MM", help="every day of a month")
    parser.add_argument(
        "--api-url",
        metavar="URL",
        help=f"the API's base URL (default: ${fetch.ENV_BASE_URL}, else {fetch.DEFAULT_BASE_URL})",
    )
    limit_help = f"papers per request, 1-100 (default {POLICY.page_size}); further pages follow"
    parser.add_argument("--limit", type=_bounded(int, 1, 100), default=POLICY.page_size, metavar="N", help=limit_help)
    timeout_help = f"give up on a silent server after this many seconds (default {POLICY.timeout:g})"
    parser.add_argument(
        "--timeout", type=_bounded(float, 0.1, 600), default=POLICY.timeout, metavar="SECONDS", help=timeout_help
    )
    return parser


def chosen_days(args: argparse.Namespace, today: dt.date) -> list[dt.date]:
    """The days asked for, without future ones (the API has nothing for them yet)."""
    asked: list[dt.date] = [args.date] if args.date else (args.week or args.month or [today])
    days = [day for day in asked if day <= today]
    if not days:
        first = asked[0].isoformat() if len(asked) == 1 else f"{asked[0]} to {asked[-1]}"
        raise CommandError(f"{first} is in the future (today is {today}, UTC)")
    return days


class LibraryWriter:
    """Stores fetched days in the library, counting new and merged papers as `add` does."""

    def __init__(self) -> None:
        self.folder = paths.library_dir()
        self.rejected: list[str] = []
        self._known: tuple[set[str], set[str]] | None = None

    def known(self) -> tuple[set[str], set[str]]:
        """Keys and title keys already in the library; unreadable files there are ignored."""
        if self._known is None:
            keys: set[str] = set()
            titles: set[str] = set()
            if kept_files():
                try:
                    before = load_listings([str(self.folder)])
                except ListingError:
                    before = None
                papers = before.papers if before else []
                keys, titles = {p.key for p in papers}, {p.title_key for p in papers}
            self._known = keys, titles
        return self._known

    def store(self, result: fetch.DayResult) -> list[str]:
        """Report lines for one day, as `add` prints them; failures are the caller's to report."""
        if result.status == "none":
            return [f"no papers for {result.day}"]
        if result.status != "ok":
            return []
        name = listing_name(result.day)
        target = self.folder / name
        data = result.body()
        try:
            parsed = parse_data(data, name)
        except ListingError as error:
            self.rejected.append(f"{result.day}: {error.reason}")
            return [f"{name}: not stored: {error.reason}"]
        papers = dedupe(parsed.papers)
        old = _read_or_none(target)
        if old == data:
            return [f"{name}: already in the library ({len(papers)} papers)"]
        keys, titles = self.known()
        try:
            write_atomically_bytes(target, data)
        except OSError as error:
            raise CommandError(f"{target}: {error.strerror or error}") from None
        new = [p for p in papers if p.key not in keys and p.title_key not in titles]
        keys.update(p.key for p in papers)
        titles.update(p.title_key for p in papers)
        line = f"{name}: added {len(papers)} papers ({len(new)} new, {len(papers) - len(new)} merged)"
        line += f", skipped {len(parsed.warnings)}" + (" (replaced the earlier copy)" if old is not None else "")
        return [line, *(f"  skipped {warning}" for warning in parsed.warnings)]


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def store_days(report: fetch.FetchReport) -> list[str]:
    """Store every fetched day of a report; the lines say what happened, as `add` does."""
    writer = LibraryWriter()
    return [line for result in report.days for line in writer.store(result)]


def failure_lines(report: fetch.FetchReport) -> list[str]:
    """One line per day that could not be fetched, and one for an unreachable server."""
    lines = [f"{d.day}: {d.error}" for d in report.failed if d.error != report.unreachable]
    if report.unreachable:
        lines.append(report.unreachable)
    return lines


class ProgressLine:
    """Day lines on stderr; on a terminal the page counter and retry waits redraw in place."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.dirty = False

    def __call__(self, progress: fetch.Progress) -> None:
        if self.tty and progress.kind != "done":
            self.stream.write(f"\r\x1b[K{progress}")
            self.stream.flush()
            self.dirty = True
        elif progress.kind != "page":
            self.clear()
            print(progress, file=self.stream, flush=True)

    def clear(self) -> None:
        if self.dirty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.dirty = False


def run(args: argparse.Namespace) -> int:
    try:
        base_url = fetch.resolve_base_url(args.api_url)
    except ValueError as error:
        raise CommandError(str(error)) from None
    days = chosen_days(args, utc_today())
    policy = dataclasses.replace(POLICY, timeout=args.timeout, page_size=args.limit)
    shown = ProgressLine(sys.stderr)
    writer = LibraryWriter()

    def store(result: fetch.DayResult) -> None:
        lines = writer.store(result)
        shown.clear()
        for line in lines:
            print(line, flush=True)

    try:
        report = fetch.fetch_days(days, base_url=base_url, policy=policy, on_progress=shown, on_day=store)
    finally:
        shown.clear()
    failures = failure_lines(report) + writer.rejected
    if not failures:
        if len(days) > 1 and all(d.note == "HTTP 404" for d in report.days):
            print(f"broadsheet: every day answered 404: is {base_url} the papers API?", file=sys.stderr)
        return 0
    if not report.answered or len(writer.rejected) == len(report.answered):
        if len(failures) == 1:
            raise CommandError(failures[0])
        for line in failures[:-1]:
            print(f"broadsheet: {line}", file=sys.stderr)
        raise CommandError(f"nothing fetched ({failures[-1]})")
    for line in failures:
        print(f"broadsheet: not fetched: {line}", file=sys.stderr)
    return 0
