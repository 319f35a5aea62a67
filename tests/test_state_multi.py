"""Several instances on one file, and a person editing it while they run."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from broadsheet.state import ReadingState, StateError
from broadsheet.state.clock import parse_us

CHILD = Path(__file__).with_name("state_child.py")
Open = Callable[..., ReadingState]


@pytest.fixture
def open_state(tmp_path: Path) -> Iterator[Open]:
    made: list[ReadingState] = []

    def make(**options: object) -> ReadingState:
        options.setdefault("background", False)
        state = ReadingState(tmp_path / "state.toml", **options)
        made.append(state)
        return state

    yield make
    for state in made:
        with contextlib.suppress(StateError):
            state.close()


def settle(*states: ReadingState) -> None:
    """Everyone saves, then everyone reads everyone else's changes."""
    for state in states:
        state.flush()
    for state in states:
        state.refresh()


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, count))


def test_changes_from_both_instances_survive_per_register(open_state: Open) -> None:
    a, b = open_state(), open_state()
    a.star("arxiv:1", "One")
    b.mark_read("arxiv:1", "One")
    b.star("arxiv:2")
    a.mark_read("arxiv:3")
    settle(a, b)
    for state in (a, b):
        assert state.is_starred("arxiv:1") and state.is_read("arxiv:1")
        assert state.is_starred("arxiv:2") and state.is_read("arxiv:3")
        assert state.counts() == (2, 2)


def test_a_deliberate_unstar_beats_an_older_pending_star(open_state: Open) -> None:
    a, b = open_state(), open_state()
    a.star("arxiv:1")
    a.flush()
    b.refresh()
    a.unstar("arxiv:1")
    a.star("arxiv:1")  # a now holds an unsaved star...
    b.unstar("arxiv:1")  # ...and b a later unstar
    b.flush()
    a.flush()  # a's older star reaches the file after b's unstar
    settle(a, b)
    assert not a.is_starred("arxiv:1") and not b.is_starred("arxiv:1")
    assert not ReadingState(a.path, readonly=True).is_starred("arxiv:1")


def test_stale_instances_never_resurrect_an_unstar(open_state: Open) -> None:
    a, b = open_state(compact_after=0), open_state(compact_after=0)
    a.star("arxiv:1")
    settle(a, b)
    a.unstar("arxiv:1")
    a.flush()
    b.mark_read("arxiv:9")  # b still believes arxiv:1 is starred and rewrites the whole file
    b.flush()
    assert "unstarred" in a.path.read_text()
    settle(a, b)
    assert not b.is_starred("arxiv:1")


def compacted(state: ReadingState) -> str:
    state.flush()
    state._syncer.rewrite = True
    state.flush()
    return state.path.read_text()


def row(text: str, key: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"{key} |"))


def test_a_hand_flipped_value_wins_even_with_its_old_time(open_state: Open) -> None:
    a, b = open_state(), open_state()
    a.star("arxiv:1", "One")
    a.mark_read("arxiv:2", "Two")
    text = compacted(a)
    b.refresh()
    star_row = row(text, "arxiv:1")
    edit(a.path, star_row, star_row.replace("| starred ", "| unstarred "))
    edit(a.path, "| read ", "| unread ")
    a.refresh()
    assert not a.is_starred("arxiv:1") and not a.is_read("arxiv:2")
    new_text = a.path.read_text()
    assert "unstarred" in row(new_text, "arxiv:1")
    settle(a, b)
    assert not b.is_starred("arxiv:1") and not b.is_read("arxiv:2")  # b too, after a rewrote it


def test_a_hand_edit_without_time_counts_as_made_when_saved(open_state: Open) -> None:
    a = open_state()
    a.star("arxiv:1", "One")
    text = compacted(a)
    original = row(text, "arxiv:1")
    edit(a.path, original, re.sub(r"\| starred \S+ \|", "| unstarred |", original))
    saved_at = a.path.stat().st_mtime_ns // 1000
    a.refresh()
    entry = a._mem.get("arxiv:1")
    assert not entry.starred and parse_us(entry.starred_at) >= saved_at - 1
    assert re.search(r"arxiv:1 \| unstarred \d{4}-", a.path.read_text())  # normalised at once


def test_a_hand_deleted_row_unstars_and_unreads(open_state: Open) -> None:
    a = open_state()
    a.star("arxiv:1", "One")
    a.mark_read("arxiv:1")
    a.star("arxiv:2", "Two")
    text = compacted(a)
    edit(a.path, row(text, "arxiv:1") + "\n", "")
    a.refresh()
    assert not a.is_starred("arxiv:1") and not a.is_read("arxiv:1") and a.is_starred("arxiv:2")


def test_hand_added_rows_and_titles_are_taken(open_state: Open) -> None:
    a = open_state()
    a.star("arxiv:1", "One")
    text = compacted(a)
    edit(a.path, row(text, "arxiv:1"), row(text, "arxiv:1").replace("| One", "| One, corrected"))
    edit(a.path, "papers = [\n'''\n", "papers = [\n'''\narxiv:5 | starred | - | Added by hand\n")
    a.refresh()
    assert a.entry("arxiv:1").title == "One, corrected"
    assert a.is_starred("arxiv:5") and a.entry("arxiv:5").title == "Added by hand"
    tomllib.loads(a.path.read_text())
    assert "arxiv:5 | starred 20" in a.path.read_text()


def test_an_editor_saving_a_stale_copy_does_not_delete_appended_changes(open_state: Open) -> None:
    a = open_state()
    a.star("arxiv:1", "One")
    stale = compacted(a)  # the person opens the file now...
    a.star("arxiv:2", "Two")  # ...broadsheet appends a change meanwhile...
    a.flush()
    a.path.write_text(stale.replace("| One\n", "| Uno\n"))  # ...and the editor saves its old copy
    a.refresh()
    assert a.is_starred("arxiv:2") and a.entry("arxiv:1").title == "Uno"
    assert "arxiv:2" in a.path.read_text()


def test_rekey_follows_to_other_instances_and_the_old_key_never_returns(open_state: Open) -> None:
    a, b = open_state(), open_state(compact_after=0)
    a.star("title:a paper", "A Paper")
    settle(a, b)
    assert a.rekey("title:a paper", "arxiv:2401.00001")
    a.flush()
    b.mark_read("title:a paper")  # b has not heard: writes under the old key (a full rewrite)
    b.flush()
    settle(a, b)
    for state in (a, b):
        assert [e.key for e in state.entries()] == ["arxiv:2401.00001"]
        assert state.is_starred("arxiv:2401.00001") and state.is_read("title:a paper")
    text = compacted(b)
    assert "\ntitle:a paper |" not in text.split("aliases = ")[0]
    assert "\ntitle:a paper | arxiv:2401.00001 | " in text


def test_identities_are_followed_when_state_arrives_later(open_state: Open) -> None:
    a, b = open_state(), open_state()
    assert a.follow_identities([("title:late", "arxiv:7")]) == 0
    b.star("title:late", "Late")
    settle(b, a)
    assert a.is_starred("arxiv:7") and a.canonical_key("title:late") == "arxiv:7"
    settle(a, b)
    assert b.canonical_key("title:late") == "arxiv:7" and b.is_starred("arxiv:7")


def test_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    children = [
        subprocess.Popen(
            [sys.executable, str(CHILD), "writer", str(path), str(seed), "60"], stdout=subprocess.PIPE, text=True
        )
        for seed in range(3)
    ]
    done = [json.loads(child.communicate(timeout=30)[0]) for child in children]
    assert all(child.returncode == 0 for child in children)
    latest: dict[tuple[str, str], tuple[str, bool]] = {}
    for change in (c for changes in done for c in changes):
        slot = (change["key"], change["field"])
        latest[slot] = max(latest.get(slot, ("", False)), (change["at"], change["value"]))
    state = ReadingState(path, readonly=True)
    for (key, field), (at, value) in latest.items():
        entry = state._mem.get(key)
        assert (getattr(entry, field), getattr(entry, f"{field}_at")) == (value, at)
    assert sum(len(changes) for changes in done) > 150
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_change_appended_under_an_old_key_reaches_the_new_one(open_state: Open) -> None:
    a, b = open_state(), open_state()
    a.star("title:a paper", "A Paper")
    settle(a, b)
    parses = a._syncer.parses
    a.rekey("title:a paper", "arxiv:2401.00001")
    b.mark_read("title:a paper")  # b appends under the old key before hearing of the alias
    b.flush()
    a.flush()
    a.refresh()
    assert a.is_read("arxiv:2401.00001")
    assert a._syncer.parses == parses  # taken from the appended tail alone
