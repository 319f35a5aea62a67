"""Values of the numeric and date fields, turned into inclusive (low, high) ranges.

Every form reduces to one inclusive range with open ends as None, so the index needs a
single range lookup per field: `>10` is (11, None), `2024-05..` is (May 1st, None).
Dates become day ordinals; a month or a year stands for all of its days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

_COMPARE = re.compile(r"(>=|<=|>|<|=)?(.+)")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_NUMBER = re.compile(r"\d{1,9}")
NUMBER_FORMS = "a number, a comparison like >10 or a range like 10..20"
DATE_FORMS = "a date like 2024-05-03, 2024-05 or 2024, a comparison like >2024-05 or a range like 2024-05..2024-06"


def _number(text: str) -> int:
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"expected {NUMBER_FORMS}")
    return int(text)


def _period(text: str) -> tuple[int, int]:
    """First and last day (ordinals) of a year, month or day."""
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(f"expected {DATE_FORMS}")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    try:
        if month is None:
            return dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1).toordinal(), dt.date(year, month, last).toordinal()
        ordinal = dt.date(year, month, day).toordinal()
    except ValueError:
        raise ValueError(f"no such date '{text}'") from None
    return ordinal, ordinal


def _year(text: str) -> tuple[int, int]:
    if not re.fullmatch(r"\d{4}", text) or text == "0000":
        raise ValueError("expected a year like 2024, a comparison like >=2023 or a range like 2022..2024")
    return _period(text)


def _ranged(text: str, unit: Callable[[str], tuple[int, int]]) -> tuple[int | None, int | None]:
    """Parse `a..b`, `a..`, `..b`, `>a`, `>=a`, `<a`, `<=a`, `=a` or `a` with `unit`
    mapping one value to its (first, last) inclusive span."""
    if ".." in text:
        left, _, right = text.partition("..")
        if not left and not right:
            raise ValueError("a range needs at least one end, like 10.. or ..20")
        low = unit(left)[0] if left else None
        high = unit(right)[1] if right else None
        if low is not None and high is not None and low > high:
            raise ValueError("the range is empty (its start is after its end)")
        return low, high
    match = _COMPARE.fullmatch(text)
    if not match:
        raise ValueError("missing value")
    op, value = match.groups()
    first, last = unit(value)
    if op == ">":
        return last + 1, None
    if op == ">=":
        return first, None
    if op == "<":
        return None, first - 1
    if op == "<=":
        return None, last
    return first, last


def parse_numbers(text: str) -> tuple[int | None, int | None]:
    """`upvotes:` and `authors:` values."""
    return _ranged(text, lambda v: (_number(v), _number(v)))


def parse_dates(text: str) -> tuple[int | None, int | None]:
    """`date:` values, as day ordinals."""
    return _ranged(text, _period)


def parse_years(text: str) -> tuple[int | None, int | None]:
    """`year:` values, as day ordinals."""
    return _ranged(text, _year)
