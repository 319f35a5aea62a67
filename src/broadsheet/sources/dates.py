"""Dates as Hugging Face pages print them, and the rule that gives yearless dates a year.

The page prints `May 28, 2023` for papers from earlier years and `Jun 19` (no year) for
papers from the page's own year; it never prints an explicit year equal to its own. So:

1. `--year` (an explicit override) wins;
2. else the page's own date line, when it carries a year;
3. else one more than the latest explicit year on the page (the earliest year consistent
   with the rule above);
4. else (no year anywhere on the page) the current year, or the one before when the page
   date would otherwise lie in the future.

Dates resolved this way are flagged `year_inferred`.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}

# "May 28, 2023", "Jun 19", "Nov 6, 2023 7", "May 4 1", "Sept 3, 2024 1.2k"
DATE_LINE = re.compile(
    r"^(?P<month>[A-Z][a-z]{2,8})\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?"
    r"(?: (?P<upvotes>\d{1,7}|\d{1,4}(?:\.\d)?k))?$"
)


def month_number(name: str) -> int | None:
    return MONTHS.get(name[:3].lower())


def parse_upvotes(text: str | None) -> int | None:
    """`7` or `1.2k` as shown next to a date."""
    if text is None:
        return None
    if text.endswith("k"):
        return round(float(text[:-1]) * 1000)
    return int(text)


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """A real calendar date, or None (Feb 30 is junk, not a crash)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def infer_page_year(
    explicit_years: list[int],
    page_month_day: tuple[int, int] | None,
    today: dt.date | None = None,
) -> int:
    """Steps 3 and 4 of the module's rule."""
    if explicit_years:
        return max(explicit_years) + 1
    today = today or dt.date.today()
    if page_month_day and page_month_day > (today.month, today.day):
        return today.year - 1
    return today.year
