"""One read-merge-write step against the shared file, under the advisory lock.

The syncer owns `base`: the state the file held when we last read or wrote it. Memory is
always `base` plus changes not yet written. A step (1) notices whether the file changed since
our own last write (stat, then a byte compare); news that is only `[[log]]` tables appended
by another instance is parsed alone, anything else means a full read, hand-edit detection
and a merge; then (2) saves our batch -- appended, or as a fresh snapshot when the log is
long, when the file lacks something we hold, or when it needs normalising.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .clock import CLOCK, Clock, edit_stamp
from .codec import Parsed, format_changes, format_state, parse_log_tail, parse_state
from .disk import PAGE, SizeChanged, StateFiles, StatKey
from .errors import StateCorruptError, StateVersionError
from .handedits import find_hand_edits
from .records import AliasChange, Change, Entry, StateData


@dataclass
class Delta:
    """What other writers (or a person) changed, to be folded into memory."""

    entries: list[Entry] = field(default_factory=list)
    aliases: list[AliasChange] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.entries or self.aliases or self.titles)

    def extend(self, other: Delta) -> None:
        self.entries += other.entries
        self.aliases += other.aliases
        self.titles |= other.titles

    def keys(self) -> set[str]:
        return {e.key for e in self.entries} | {a.old for a in self.aliases} | set(self.titles)


def diff(old: StateData, new: StateData) -> Delta:
    """Everything in `new` that `old` does not hold as is."""
    return Delta(
        [e for k, e in new.entries.items() if old.entries.get(k) != e],
        [a for k, a in new.aliases.items() if old.aliases.get(k) != a],
    )


class Syncer:
    """Keeps one instance's view of the file and performs its read-merge-write steps."""

    def __init__(
        self,
        files: StateFiles,
        warn: Callable[[str], None],
        *,
        compact_after: int = 256,
        lock_timeout: float = 5.0,
        clock: Clock = CLOCK,
    ) -> None:
        self.files = files
        self.warn = warn
        self.compact_after = compact_after
        self.lock_timeout = lock_timeout
        self.clock = clock
        self.base = StateData()
        self.known = b""  # the file's bytes as of our last read or write
        self.stat: StatKey | None = None
        self.snapshot = ""
        self.row_keys: frozenset[str] = frozenset()
        self.log_count = 0
        self.rewrite = False  # the file lacks something in `base`, or needs normalising
        self.backup_ok = False  # the file on disk is a good version, worth keeping as .bak
        self.refused: StateVersionError | None = None
        self.parses = 0  # full parses; lets tests check we never re-read our own writes
        self._lock_warned = False
        self.news = Delta()  # others' changes absorbed into `base`, not yet taken by memory
        self._set_aside: StatKey | None = None  # the damaged version already kept aside...
        self._aside_path: Path | None = None  # ...and where

    def load(self, readonly: bool = False) -> None:
        """Read the file at start-up, recovering (and telling) when it is damaged."""
        with self._locked():
            if not readonly:
                self.files.sweep_leftovers()
            got = self.files.read()
            if got is None:
                return
            data, st, mtime_ns = got
            try:
                parsed = self._parse(data, mtime_ns)
            except StateCorruptError as exc:
                if readonly:
                    raise StateCorruptError(f"{self.files.path} cannot be read: {exc}") from None
                self._recover(f"it could not be read: {exc}", StateData(), use_backup=True)
                return
            self._adopt(parsed, data, st)
            if parsed.torn:
                if readonly:
                    self.warn(f"{self.files.path} ends in an incomplete change (an interrupted write); ignoring it.")
                else:
                    self._recover("its last change was cut short by an interrupted write", self.base, False)

    def sync(self, batch: list[Change]) -> None:
        """Merge the file's news into `base` (collected in `news`, even if saving then fails),
        then save `batch`. Raises StateError."""
        if self.refused is not None:
            raise self.refused
        if not batch and not self.rewrite and self.files.stat() == self.stat:
            return
        with self._locked():
            for attempt in range(3):
                self.news.extend(self._absorb())
                if not batch and not self.rewrite:
                    return
                try:
                    self._save(batch, force_full=attempt == 2)
                    return
                except SizeChanged:
                    continue  # someone wrote without the lock; read again

    def take_news(self) -> Delta:
        """Others' changes since the last call, for the caller's memory."""
        news, self.news = self.news, Delta()
        return news

    @contextlib.contextmanager
    def _locked(self) -> Iterator[bool]:
        with self.files.locked(self.lock_timeout) as got:
            if not got and self.files.lock_busy and not self._lock_warned:
                self._lock_warned = True
                self.warn(f"could not lock {self.files.lock_path} within {self.lock_timeout:g} s; going on without it.")
            yield got

    def _parse(self, data: bytes, mtime_ns: int, path: Path | None = None) -> Parsed:
        self.parses += 1
        if not data.strip():
            raise StateCorruptError("the file is empty")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StateCorruptError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        try:
            return parse_state(text, edit_stamp(mtime_ns))
        except StateVersionError as exc:
            raise StateVersionError(path or self.files.path, exc.found, exc.supported) from None

    def _adopt(self, parsed: Parsed, data: bytes, st: StatKey) -> None:
        self.base = parsed.data
        self.known, self.stat = data, st
        self.snapshot, self.row_keys, self.log_count = parsed.snapshot, parsed.row_keys, parsed.log_count
        self.rewrite = parsed.rewrite or not parsed.appendable
        self.backup_ok = not parsed.torn

    def _recover(self, reason: str, keep: StateData, use_backup: bool) -> Delta:
        """Set the damaged file aside, fold in a valid `.bak`, write a good file at once."""
        aside = self._preserve_aside()
        recovered = keep.copy()
        sources = []
        if keep.entries or keep.aliases:
            sources.append("what it held in memory" if use_backup else "everything before the cut")
        note = ""
        if use_backup:
            try:
                got = self.files.read(self.files.backup)
                if got is not None:
                    backup = self._parse(got[0], got[2], self.files.backup).data
                    for alias in backup.aliases.values():
                        recovered.add_alias(alias)
                    for entry in backup.entries.values():
                        recovered.merge_entry(entry)
                    sources.append(self.files.backup.name)
            except StateCorruptError as exc:
                note = f" ({self.files.backup.name} is unreadable too: {exc})"
        outcome = f"continues from {' and '.join(sources)}" if sources else "starts from an empty reading state"
        self.warn(f"{self.files.path}: {reason}. It was kept as {aside.name}; broadsheet {outcome}{note}.")
        self._write_full(recovered, keep_backup=False)
        return diff(keep, recovered)

    def _preserve_aside(self) -> Path:
        """Keep the damaged file as `.corrupt-*` -- once, even if writing the repair fails
        and is retried."""
        st = self.files.stat()
        if st is None or st != self._set_aside or self._aside_path is None:
            self._aside_path = self.files.preserve_aside()
            self._set_aside = self.files.stat()
        return self._aside_path

    def _absorb(self) -> Delta:
        """Fold whatever changed in the file since we last saw it into `base`."""
        st = self.files.stat()
        if st is not None and st == self.stat:
            return Delta()
        got = self.files.read()
        if got is None:
            if self.stat is not None:
                self.warn(f"{self.files.path} disappeared; writing it again from memory.")
            self.known, self.stat, self.rewrite, self.backup_ok = b"", None, True, False
            return Delta()
        data, st, mtime_ns = got
        if data == self.known:
            self.stat = st
            return Delta()
        if self.known and data.startswith(self.known):
            tail = parse_log_tail(data[len(self.known) :].decode("utf-8", "replace"), edit_stamp(mtime_ns))
            if tail is not None:
                changes, fixed = tail
                delta = Delta()
                for change in changes:
                    for key in self.base.apply(change):
                        if key in self.base.entries:
                            delta.entries.append(self.base.entries[key])
                    if isinstance(change, AliasChange):
                        delta.aliases.append(change)
                self.known, self.stat = data, st
                self.log_count += len(changes)
                self.rewrite |= fixed
                return delta
        return self._absorb_full(data, st, mtime_ns)

    def _absorb_full(self, data: bytes, st: StatKey, mtime_ns: int) -> Delta:
        try:
            parsed = self._parse(data, mtime_ns)
        except StateVersionError as exc:
            self.refused = exc
            raise
        except StateCorruptError as exc:
            return self._recover(f"it could not be read: {exc}", self.base, use_backup=True)
        same_rows = bool(parsed.snapshot) and parsed.snapshot == self.snapshot
        edits, titles = find_hand_edits(
            self.base, parsed.data, self.row_keys if same_rows else None, lambda after: edit_stamp(mtime_ns, after)
        )
        merged = parsed.data.copy()
        lacking = False
        for alias in self.base.aliases.values():
            lacking |= bool(merged.add_alias(alias))
        for entry in self.base.entries.values():
            lacking |= merged.merge_entry(entry)
        for entry in edits:
            merged.merge_entry(entry)
        for key, title in titles.items():
            merged.set_title(key, title)
        delta = diff(self.base, merged)
        delta.titles = titles
        pending_rewrite = self.rewrite
        self._adopt(parsed, data, st)
        self.base = merged
        self.rewrite |= pending_rewrite or lacking or bool(edits or titles) or parsed.torn
        if parsed.torn:
            aside = self._preserve_aside()
            self.warn(f"{self.files.path} ended in a change cut short by an interrupted write (kept as {aside.name}).")
        return delta

    def _save(self, batch: list[Change], force_full: bool = False) -> None:
        full = force_full or self.rewrite or self.stat is None or self.log_count + len(batch) > self.compact_after
        chunk = b"" if full else format_changes(batch).encode("utf-8")
        if full or len(chunk) > PAGE:
            data = self.base.copy()
            for change in batch:
                data.apply(change)
            self._write_full(data, keep_backup=self.stat is not None and self.backup_ok)
            return
        payload, st, _ = self.files.append(chunk, len(self.known))
        for change in batch:
            self.base.apply(change)
        self.known += payload
        self.stat = st
        self.log_count += len(batch)

    def _write_full(self, data: StateData, keep_backup: bool) -> None:
        snapshot = f"{self.clock.stamp()}-{os.getpid()}-{os.urandom(2).hex()}"
        text = format_state(data, snapshot).encode("utf-8")
        st, _ = self.files.write_atomic(text, keep_backup)
        self.base, self.known, self.stat = data, text, st
        self.snapshot, self.log_count, self.rewrite, self.backup_ok = snapshot, 0, False, True
        self.row_keys = frozenset(k for k, e in data.entries.items() if e.is_set)
