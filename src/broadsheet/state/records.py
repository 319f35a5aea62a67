"""The state as data, and the merge rules that let any number of copies converge.

Each paper has two registers, `starred` and `read`, each a value plus the time it was set.
Merging keeps, per register, the later time (on a tie, True wins), and keeps the title that
came with the latest change. These rules form a join semilattice -- merging is commutative,
associative and idempotent -- so instances can exchange changes in any order, any number of
times, and still agree. An unstar is a value with a time, not an absence, so it survives.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

_BAD_KEY = re.compile(r"^#|[|\x00-\x1f\x7f]|'''")


def check_key(key: object) -> str:
    """A key must fit in a row: non-empty text, no `|`, no control characters, no edge spaces,
    no leading `#` (a comment line) and no three apostrophes (they would end the block)."""
    if not isinstance(key, str) or not key or key.strip() != key or _BAD_KEY.search(key):
        raise ValueError(f"invalid paper key: {key!r}")
    return key


class Entry(NamedTuple):
    """One paper's state. A `*_at` of "" means the register was never set."""

    key: str
    title: str = ""
    starred: bool = False
    starred_at: str = ""
    read: bool = False
    read_at: str = ""

    @property
    def last_at(self) -> str:
        return max(self.starred_at, self.read_at)

    @property
    def is_set(self) -> bool:
        return bool(self.starred_at or self.read_at)


class AliasChange(NamedTuple):
    """`old` now names the same paper as `to` (decided at `at`): a tombstone for the old key."""

    old: str
    to: str
    at: str


Change = Entry | AliasChange
"""What travels from an instance to the file: a partial entry (only its set registers
count) or an alias."""


def field_change(key: str, title: str, field: str, value: bool, at: str) -> Entry:
    """A change of one register, as a partial entry."""
    if field == "starred":
        return Entry(key, title, value, at)
    return Entry(key, title, False, "", value, at)


def merge_entries(a: Entry, b: Entry) -> Entry:
    """Per register the later time wins (True on a tie); the title goes with the later
    change. Keeps `a.key`; returns `a` itself when nothing changes."""
    if a == b:
        return a
    if (b.starred_at, b.starred) > (a.starred_at, a.starred):
        starred, starred_at = b.starred, b.starred_at
    else:
        starred, starred_at = a.starred, a.starred_at
    if (b.read_at, b.read) > (a.read_at, a.read):
        read, read_at = b.read, b.read_at
    else:
        read, read_at = a.read, a.read_at
    title = b.title if (b.last_at, b.title) > (a.last_at, a.title) else a.title
    if (title, starred, starred_at, read, read_at) == a[1:]:
        return a
    return Entry(a.key, title, starred, starred_at, read, read_at)


class StateData:
    """Entries under their canonical keys, the alias table, and running counts."""

    __slots__ = ("entries", "aliases", "starred_count", "read_count")

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.aliases: dict[str, AliasChange] = {}
        self.starred_count = 0
        self.read_count = 0

    def copy(self) -> StateData:
        """A snapshot; cheap because entries are immutable."""
        other = StateData()
        other.entries = dict(self.entries)
        other.aliases = dict(self.aliases)
        other.starred_count = self.starred_count
        other.read_count = self.read_count
        return other

    def canonical(self, key: str) -> str:
        """Follow aliases to the key that holds the state. A cycle (two instances renaming
        in opposite directions at once) resolves to its greatest key, the same everywhere."""
        alias = self.aliases.get(key)
        if alias is None:
            return key
        seen = [key]
        while alias is not None:
            key = alias.to
            if key in seen:
                return max(seen[seen.index(key) :])
            seen.append(key)
            alias = self.aliases.get(key)
        return key

    def get(self, key: str) -> Entry | None:
        return self.entries.get(self.canonical(key))

    def marked_keys(self) -> tuple[set[str], set[str]]:
        """Every key for which `get` gives a starred entry, and a read one: canonical keys
        and their aliases. Counting a library's marks from these walks the state (thousands
        of entries), not each of 100k papers."""
        starred: set[str] = set()
        read: set[str] = set()
        canonical = self.canonical
        for key in itertools.chain(self.entries, self.aliases):
            entry = self.entries.get(canonical(key))
            if entry is not None:
                if entry.starred:
                    starred.add(key)
                if entry.read:
                    read.add(key)
        return starred, read

    def apply(self, change: Change) -> list[str]:
        """Fold one change in; returns the (canonical) keys whose state changed."""
        if isinstance(change, AliasChange):
            return self.add_alias(change)
        return [self.canonical(change.key)] if self.merge_entry(change) else []

    def merge_entry(self, entry: Entry) -> bool:
        """Fold a (partial) entry into the entry of its canonical key."""
        if not entry.is_set:
            return False
        key = self.canonical(entry.key)
        if key != entry.key:
            entry = entry._replace(key=key)
        current = self.entries.get(key)
        new = entry if current is None else merge_entries(current, entry)
        if new is current:
            return False
        self._put(key, current, new)
        return True

    def add_alias(self, alias: AliasChange) -> list[str]:
        """Record `old -> to` (latest `at` wins per old key) and move state it redirects."""
        if alias.old == alias.to:
            return []
        current = self.aliases.get(alias.old)
        if current is not None and (current.at, current.to) >= (alias.at, alias.to):
            return []
        self.aliases[alias.old] = alias
        path = [alias.old]
        nxt = self.aliases.get(alias.old)
        while nxt is not None and nxt.to not in path:
            path.append(nxt.to)
            nxt = self.aliases.get(nxt.to)
        moved: list[str] = []
        for key in path:
            entry = self.entries.get(key)
            target = self.canonical(key)
            if entry is not None and target != key:
                self._put(key, entry, None)
                self.merge_entry(entry._replace(key=target))
                moved += [key, target]
        return moved

    def set_title(self, key: str, title: str) -> None:
        """Adopt a title typed by hand (outside the merge rules, which only see times)."""
        key = self.canonical(key)
        current = self.entries.get(key)
        if current is not None and current.title != title:
            self._put(key, current, current._replace(title=title))

    def _put(self, key: str, old: Entry | None, new: Entry | None) -> None:
        if old is not None:
            self.starred_count -= old.starred
            self.read_count -= old.read
        if new is None:
            del self.entries[key]
            return
        self.starred_count += new.starred
        self.read_count += new.read
        self.entries[key] = new

    def view(self) -> tuple[dict[str, tuple[object, ...]], dict[str, tuple[str, str]]]:
        """A plain comparable picture (for tests and diagnostics)."""
        entries = {k: tuple(e[1:]) for k, e in self.entries.items() if e.is_set}
        return entries, {k: (a.to, a.at) for k, a in self.aliases.items()}
