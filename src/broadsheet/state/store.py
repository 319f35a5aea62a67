"""ReadingState: the public, plain-Python API over the reading state.

Mutations touch only memory and a queue (microseconds, safe on the TUI's event loop);
persistence happens in the background (see persist.py). Queries never touch the disk.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import paths
from . import lifecycle
from .clock import CLOCK, edit_stamp
from .codec import parse_state
from .disk import StateFiles
from .errors import StateClosedError, StateCorruptError, StateError, StateVersionError
from .persist import Persister
from .records import AliasChange, Change, Entry, check_key, field_change
from .sync import Delta, Syncer
from .values import Counts, Item, PaperState, TimedValue, UndoStep, clean_item, timed_change


class ReadingState:
    """Stars and read marks, shared through one crash-safe TOML file by every instance.

    `on_warning(message)` hears about recoveries and save failures (also kept in
    `warnings`); `on_change(keys)` hears about changes made by other instances or by hand.
    Both may be called from the writer thread. With `background=False` nothing is written
    until flush(). Use as a context manager, or call close(); atexit closes it otherwise.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        on_warning: Callable[[str], None] | None = None,
        on_change: Callable[[set[str]], None] | None = None,
        background: bool = True,
        readonly: bool = False,
        coalesce: float = 0.02,
        poll_interval: float = 1.0,
        compact_after: int = 256,
        lock_timeout: float = 5.0,
        undo_depth: int = 100,
    ) -> None:
        self.path = paths.state_file(path)
        self.warnings: list[str] = []
        self._warnings_lock = threading.Lock()
        self._on_warning = on_warning
        self._on_change = on_change
        self._readonly = readonly
        self._closed = False
        self._files = StateFiles(self.path)
        self._syncer = Syncer(self._files, self._warn, compact_after=compact_after, lock_timeout=lock_timeout)
        try:
            if not readonly:
                self._files.ensure_writable()
            self._syncer.load(readonly)
        except BaseException:
            self._files.close()
            raise
        self._mem = self._syncer.base.copy()
        self._undo: deque[UndoStep] = deque(maxlen=undo_depth)
        self._identities: dict[str, str] = {}
        self._persister = Persister(
            self._syncer,
            self._absorb,
            self._warn,
            background=background and not readonly,
            coalesce=coalesce,
            poll_interval=poll_interval,
        )
        self._lock = self._persister.lock
        if self._syncer.rewrite and not readonly:
            self._persister.kick()
        lifecycle.register(self)

    # -- queries -------------------------------------------------------------------------

    def is_starred(self, key: str) -> bool:
        entry = self._mem.get(key)
        return entry is not None and entry.starred

    def is_read(self, key: str) -> bool:
        entry = self._mem.get(key)
        return entry is not None and entry.read

    def marked_keys(self) -> tuple[set[str], set[str]]:
        """The keys (aliases included) that are starred, and that are read."""
        return self._mem.marked_keys()

    def entry(self, key: str) -> PaperState | None:
        """The state recorded for `key` (following aliases), or None."""
        entry = self._mem.get(key)
        return PaperState.of(entry) if entry is not None and entry.is_set else None

    def counts(self) -> Counts:
        return Counts(self._mem.starred_count, self._mem.read_count)

    def starred(self) -> list[PaperState]:
        """Every starred paper, loaded or not, most recently starred first."""
        with self._lock:
            entries = [e for e in self._mem.entries.values() if e.starred]
        entries.sort(key=lambda e: (e.starred_at, e.key), reverse=True)
        return [PaperState.of(e) for e in entries]

    def entries(self) -> list[PaperState]:
        """Every paper with any recorded state, by key."""
        with self._lock:
            entries = sorted(e for e in self._mem.entries.values() if e.is_set)
        return [PaperState.of(e) for e in entries]

    def canonical_key(self, key: str) -> str:
        """The key that holds `key`'s state (differs after a rekey)."""
        return self._mem.canonical(key)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def error(self) -> StateError | None:
        """The last save failure, until a save succeeds again."""
        return self._persister.error

    @property
    def pending(self) -> int:
        """Changes made but not yet known to be on disk."""
        return self._persister.pending

    # -- changes -------------------------------------------------------------------------

    def star(self, key: str, title: str = "") -> bool:
        """Star a paper; True if that changed anything."""
        return self._set([(key, title)], "starred", True, f"star {key}") > 0

    def unstar(self, key: str, title: str = "") -> bool:
        return self._set([(key, title)], "starred", False, f"unstar {key}") > 0

    def toggle_star(self, key: str, title: str = "") -> bool:
        """Flip the star; returns the new value."""
        self._set([(key, title)], "starred", None, f"toggle star of {key}")
        return self.is_starred(key)

    def mark_read(self, key: str, title: str = "") -> bool:
        return self._set([(key, title)], "read", True, f"mark {key} read") > 0

    def mark_unread(self, key: str, title: str = "") -> bool:
        return self._set([(key, title)], "read", False, f"mark {key} unread") > 0

    def toggle_read(self, key: str, title: str = "") -> bool:
        self._set([(key, title)], "read", None, f"toggle read of {key}")
        return self.is_read(key)

    def star_many(self, items: Iterable[Item]) -> int:
        """Star every paper in `items`, as one undo step; returns how many changed."""
        return self._set(items, "starred", True, "star {n} papers")

    def unstar_many(self, items: Iterable[Item]) -> int:
        return self._set(items, "starred", False, "unstar {n} papers")

    def mark_read_many(self, items: Iterable[Item]) -> int:
        return self._set(items, "read", True, "mark {n} papers read")

    def mark_unread_many(self, items: Iterable[Item]) -> int:
        return self._set(items, "read", False, "mark {n} papers unread")

    def undo(self) -> str | None:
        """Revert the last star/read operation (a bulk one as a whole) with a new change,
        so the revert also wins over copies elsewhere. Returns its label, or None."""
        self._check_open()
        with self._lock:
            if not self._undo:
                return None
            step = self._undo.pop()
            changes = [
                change
                for key, field, value in reversed(step.items)
                if (change := self._change_locked(self._mem.canonical(key), "", field, value)) is not None
            ]
            self._persister.submit_locked(changes)
        self._persister.kick()
        return step.label

    def rekey(self, old_key: str, new_key: str, title: str = "") -> bool:
        """Move the state of `old_key` to `new_key` (merging per register if both exist)
        and record the alias, so that other instances move it too and the old key never
        comes back. True if there was state to move."""
        self._check_open()
        check_key(old_key)
        check_key(new_key)
        title = clean_item((new_key, title))[1]
        with self._lock:
            source, target = self._mem.canonical(old_key), self._mem.canonical(new_key)
            if source == target or source not in self._mem.entries:
                return False
            alias = AliasChange(source, target, CLOCK.stamp())
            changes: list[Change] = [alias]
            self._mem.add_alias(alias)
            moved = self._mem.entries.get(target)
            if title and moved is not None and not moved.title:
                named = moved._replace(title=title)  # same times, so the title wins
                self._mem.merge_entry(named)
                changes.append(named)
            self._persister.submit_locked(changes)
        self._persister.kick()
        return True

    def follow_identities(self, pairs: Iterable[tuple[str, str]]) -> int:
        """For loaded papers that now have an arXiv id: (title_key, arxiv_key) pairs. Moves
        any state from the title key, now and whenever another instance brings some later.
        Returns how many moved."""
        moved = 0
        for title_key, arxiv_key in pairs:
            if title_key != arxiv_key:
                self._identities[title_key] = arxiv_key
                moved += self.rekey(title_key, arxiv_key)
        return moved

    def merge_from(self, path: str | os.PathLike[str]) -> int:
        """Fold another state file (say, another machine's) into ours, latest change wins per
        register. The other file is only read. Returns how many papers changed here."""
        self._check_open()
        other_path = Path(path)
        if other_path.resolve() == self.path.resolve():
            return 0
        got = StateFiles(other_path).read()
        if got is None:
            raise StateError(f"{other_path} does not exist")
        try:
            other = parse_state(got[0].decode("utf-8"), edit_stamp(got[2])).data
        except UnicodeDecodeError:
            raise StateCorruptError(f"{other_path} is not UTF-8 text") from None
        except StateVersionError as exc:
            raise StateVersionError(other_path, exc.found, exc.supported) from None
        except StateCorruptError as exc:
            raise StateCorruptError(f"{other_path} cannot be read: {exc}") from None
        changed: set[str] = set()
        with self._lock:
            aliases = []
            for alias in other.aliases.values():
                before = self._mem.aliases.get(alias.old)
                self._mem.add_alias(alias)
                if self._mem.aliases.get(alias.old) != before:
                    aliases.append(alias)
            self._persister.submit_locked(aliases)
        entries = list(other.entries.values())
        for start in range(0, len(entries), 256):  # never hold the lock for long
            with self._lock:
                batch = [e for e in entries[start : start + 256] if self._mem.merge_entry(e)]
                changed.update(self._mem.canonical(e.key) for e in batch)
                self._persister.submit_locked(batch)
        self._persister.kick()
        return len(changed)

    def merge_values(self, items: Iterable[TimedValue]) -> int:
        """Fold in values stamped elsewhere -- (key, title, field, value, at) items, say from a
        `--with-state` export -- by merge_from's rule: per register the later time wins (True
        on a tie). A value without a time is older than any recorded change, so it only fills a
        register never set. Items are all checked first (ValueError); not undoable, like
        merge_from. Returns how many papers changed here."""
        self._check_open()
        changes = [change for item in items if (change := timed_change(item)) is not None]
        changed: set[str] = set()
        for start in range(0, len(changes), 256):  # never hold the lock for long
            with self._lock:
                batch = []
                for change in changes[start : start + 256]:
                    current = self._mem.get(change.key)
                    if not change.title and current is not None:  # a missing title must not win
                        change = change._replace(title=current.title)
                    if self._mem.merge_entry(change):
                        batch.append(change)
                changed.update(self._mem.canonical(c.key) for c in batch)
                self._persister.submit_locked(batch)
        self._persister.kick()
        return len(changed)

    # -- persistence ---------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> None:
        """Return once every change made so far is durable; raises StateWriteError (or
        StateVersionError) when it cannot be saved. The changes stay queued either way."""
        if not self._readonly:
            self._persister.flush(timeout)

    def wait_until_saved(self, timeout: float | None = None) -> bool:
        """Wait for the background writer (without hurrying it) to save what exists now."""
        return self._readonly or self._persister.wait_saved(timeout)

    def refresh(self) -> None:
        """Pick up changes made by other instances or by hand now, instead of at the next
        poll (and save ours)."""
        if not self._readonly and not self._closed:
            self._persister.refresh()

    def close(self) -> None:
        """Stop the writer and save everything. If that final save fails it raises
        StateWriteError and stays open, so that close() (or flush()) can be tried again."""
        if self._closed:
            return
        if not self._readonly:
            self._persister.close()
        self._closed = True
        lifecycle.unregister(self)
        self._files.close()

    def take_warnings(self) -> list[str]:
        """The warnings so far, forgetting them (for a caller that shows each once)."""
        with self._warnings_lock:
            taken, self.warnings[:] = list(self.warnings), []
        return taken

    def __enter__(self) -> ReadingState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed or self._readonly:
            raise StateClosedError(f"the reading state {self.path} is {'closed' if self._closed else 'read-only'}")

    def _set(self, items: Iterable[Item], field: str, value: bool | None, label: str) -> int:
        self._check_open()
        pairs = [clean_item(item) for item in items]
        with self._lock:
            undo: list[tuple[str, str, bool]] = []
            changes: list[Change] = []
            for key, title in pairs:
                canonical = self._mem.canonical(key)
                before = _value(self._mem.entries.get(canonical), field)
                change = self._change_locked(canonical, title, field, (not before) if value is None else value)
                if change is not None:
                    changes.append(change)
                    undo.append((canonical, field, before))
            if changes:
                self._persister.submit_locked(changes)
                self._undo.append(UndoStep(label.replace("{n}", str(len(changes))), tuple(undo)))
        if changes:
            self._persister.kick()
        return len(changes)

    def _change_locked(self, key: str, title: str, field: str, value: bool) -> Entry | None:
        """Set one register (caller holds the lock); None when it already has that value."""
        entry = self._mem.entries.get(key)
        if _value(entry, field) == value:
            return None
        change = field_change(
            key, title or (entry.title if entry else ""), field, value, CLOCK.stamp(entry.last_at if entry else "")
        )
        self._mem.merge_entry(change)
        return change

    def _absorb(self, delta: Delta) -> None:
        """Fold others' changes into memory, in small locked slices."""
        with self._lock:
            for alias in delta.aliases:
                self._mem.add_alias(alias)
        for start in range(0, len(delta.entries), 256):
            with self._lock:
                for entry in delta.entries[start : start + 256]:
                    self._mem.merge_entry(entry)
        with self._lock:
            for key, title in delta.titles.items():
                self._mem.set_title(key, title)
        keys = delta.keys()
        for key in keys & self._identities.keys():
            if not self._closed:
                self.rekey(key, self._identities[key])
        if self._on_change is not None and keys:
            self._on_change(keys)

    def _warn(self, message: str) -> None:
        with self._warnings_lock:
            self.warnings.append(message)
        if self._on_warning is not None:
            with contextlib.suppress(Exception):  # a broken callback must not break saving
                self._on_warning(message)

    def _flush_for_signal(self, timeout: float) -> bool:
        return self._closed or self._readonly or self._persister.try_flush(timeout)


def _value(entry: Entry | None, field: str) -> bool:
    if entry is None:
        return False
    return entry.starred if field == "starred" else entry.read
