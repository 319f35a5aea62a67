"""The small values the API accepts and hands out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from .clock import UNKNOWN_TIME, normalize, to_datetime
from .records import Entry, check_key, field_change


class HasKeyAndTitle(Protocol):
    key: str
    title: str


Item = str | tuple[str, str] | HasKeyAndTitle
"""A paper as the bulk calls accept it: a key, a (key, title) pair, or a Paper."""

TimedValue = tuple[str, str, str, bool, dt.datetime | None]
"""(key, title, field, value, at): one register's value and when it was set, recorded
elsewhere (say, in a `--with-state` export); `field` is "starred" or "read"."""


@dataclass(frozen=True, slots=True)
class PaperState:
    """One paper's state as the API reports it; times are aware UTC datetimes."""

    key: str
    title: str
    starred: bool
    starred_at: dt.datetime | None
    read: bool
    read_at: dt.datetime | None

    @classmethod
    def of(cls, entry: Entry) -> PaperState:
        return cls(
            entry.key, entry.title, entry.starred, to_datetime(entry.starred_at), entry.read, to_datetime(entry.read_at)
        )


class Counts(NamedTuple):
    starred: int
    read: int


@dataclass(frozen=True, slots=True)
class UndoStep:
    label: str
    items: tuple[tuple[str, str, bool], ...]  # (key, field, value before)


def clean_item(item: Item) -> tuple[str, str]:
    """(key, title), validated before any lock is taken: a bad key raises ValueError, and
    text that cannot be stored (lone surrogates) is replaced rather than failing a save."""
    if isinstance(item, str):
        key, title = item, ""
    elif isinstance(item, tuple):
        key, title = item
    else:
        key, title = item.key, item.title
    check_key(key)
    key.encode("utf-8")  # lone surrogates cannot be stored
    title = (title or "").strip().encode("utf-8", "replace").decode("utf-8")
    return key, title


def timed_change(item: TimedValue) -> Entry | None:
    """The partial entry for a value stamped elsewhere, validated before any lock is taken
    (ValueError). Without a time it gets UNKNOWN_TIME; a False without a time is None, since
    a register never set already reads as False and recording it would change nothing."""
    key, title, field, value, at = item
    key, title = clean_item((key, title))
    if field not in ("starred", "read") or not isinstance(value, bool):
        raise ValueError(f"invalid state value for {key}: {field}={value!r}")
    if at is None:
        return field_change(key, title, field, True, UNKNOWN_TIME) if value else None
    return field_change(key, title, field, value, normalize(at))
