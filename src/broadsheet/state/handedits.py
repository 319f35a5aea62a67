"""Telling a hand edit from a change by another instance.

Instances always stamp a change later than the value it replaces, so a value that differs
from what we last saw *under the same time* can only have been typed by a person; it is
dated to when the file was saved, which makes it win. A row that vanished is a person
unstarring and unreading -- but only when the rows section is the same snapshot we saw
(another instance's rewrite may simply be missing what it never knew, and then the merge
restores it) and only for rows of that snapshot (an editor holding a stale copy of the file
drops appended `[[log]]` changes, which must not read as deletions).
"""

from __future__ import annotations

from collections.abc import Callable

from .records import Entry, StateData


def _edited(base_value: bool, base_at: str, disk_value: bool, disk_at: str, rows_kept: bool) -> bool | None:
    """The value a person set for one register, or None when it was not hand-edited."""
    if base_at and disk_at == base_at and disk_value != base_value:
        return disk_value
    if rows_kept and base_at and base_value and not disk_at:
        return False
    return None


def find_hand_edits(
    base: StateData,
    disk: StateData,
    deletable: frozenset[str] | None,
    stamp: Callable[[str], str],
) -> tuple[list[Entry], dict[str, str]]:
    """Changes that record hand edits (stamped by `stamp(previous_time)`), and hand-typed
    titles. `deletable` is the set of row keys of the same snapshot, or None when the rows
    were rewritten by someone else."""
    edits: list[Entry] = []
    titles: dict[str, str] = {}
    rows_kept = deletable is not None
    for key, now in disk.entries.items():
        was = base.entries.get(key)
        if was is None or was == now:
            continue
        star = _edited(was.starred, was.starred_at, now.starred, now.starred_at, rows_kept)
        read = _edited(was.read, was.read_at, now.read, now.read_at, rows_kept)
        if star is not None or read is not None:
            edits.append(
                Entry(
                    key,
                    now.title or was.title,
                    bool(star),
                    stamp(was.starred_at) if star is not None else "",
                    bool(read),
                    stamp(was.read_at) if read is not None else "",
                )
            )
        elif now.title and now.title != was.title and now.last_at == was.last_at:
            titles[key] = now.title
    for key in deletable or ():
        was = base.entries.get(key)
        if was is None or key in disk.entries or disk.canonical(key) != key:
            continue
        if was.starred or was.read:
            edits.append(
                Entry(
                    key,
                    was.title,
                    False,
                    stamp(was.starred_at) if was.starred else "",
                    False,
                    stamp(was.read_at) if was.read else "",
                )
            )
    return edits, titles
