"""The plain-Python API: every operation, undo, queries, identity, merge_from."""

from __future__ import annotations

import contextlib
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from broadsheet.model import Paper
from broadsheet.state import ReadingState, StateClosedError, StateError, StateVersionError

Open = Callable[..., ReadingState]


@pytest.fixture
def open_state(tmp_path: Path) -> Iterator[Open]:
    made: list[ReadingState] = []

    def make(name: str = "state.toml", **options: object) -> ReadingState:
        options.setdefault("background", False)
        state = ReadingState(tmp_path / name, **options)
        made.append(state)
        return state

    yield make
    for state in made:
        with contextlib.suppress(StateError):
            state.close()


def reopen(state: ReadingState) -> ReadingState:
    state.flush()
    return ReadingState(state.path, background=False, readonly=True)


def test_star_unstar_toggle(open_state: Open) -> None:
    state = open_state()
    assert state.star("arxiv:1", "One") and not state.star("arxiv:1")
    assert state.is_starred("arxiv:1")
    assert state.unstar("arxiv:1") and not state.unstar("arxiv:1")
    assert state.toggle_star("arxiv:1") is True
    assert state.toggle_star("arxiv:1") is False
    assert not state.is_starred("arxiv:1") and not state.is_starred("arxiv:unknown")


def test_read_unread_toggle(open_state: Open) -> None:
    state = open_state()
    assert state.mark_read("arxiv:1", "One") and state.is_read("arxiv:1")
    assert state.mark_unread("arxiv:1") and not state.is_read("arxiv:1")
    assert state.toggle_read("arxiv:1") and not state.toggle_read("arxiv:1")
    assert not state.is_starred("arxiv:1")


def test_bulk_accepts_keys_pairs_and_papers(open_state: Open) -> None:
    state = open_state()
    paper = Paper(title="Attention Is All You Need", arxiv_id="1706.03762")
    assert state.mark_read_many(["arxiv:1", ("arxiv:2", "Two"), paper]) == 3
    assert state.mark_read_many(["arxiv:1", "arxiv:4"]) == 1
    assert state.counts() == (0, 4)
    assert state.entry(paper.key).title == "Attention Is All You Need"
    assert state.star_many([paper]) == 1 and state.unstar_many([paper, "arxiv:9"]) == 1
    assert state.mark_unread_many(["arxiv:1", "arxiv:2"]) == 2
    assert state.counts() == (0, 2)


def test_undo_single_and_bulk_as_one_step(open_state: Open) -> None:
    state = open_state()
    state.star("arxiv:1")
    state.mark_read_many(["arxiv:1", "arxiv:2", "arxiv:3"])
    state.toggle_star("arxiv:1")  # unstars
    assert state.undo() == "toggle star of arxiv:1" and state.is_starred("arxiv:1")
    assert state.undo() == "mark 3 papers read"
    assert state.counts() == (1, 0)
    assert state.undo() == "star arxiv:1" and state.counts() == (0, 0)
    assert state.undo() is None and not state.can_undo
    persisted = reopen(state)
    assert persisted.counts() == (0, 0)
    assert persisted.entry("arxiv:1").starred_at is not None  # the unstar is recorded, with its time


def test_undo_is_a_new_change_that_beats_the_undone_one(open_state: Open) -> None:
    state = open_state()
    state.star("arxiv:1")
    starred_at = state.entry("arxiv:1").starred_at
    state.undo()
    assert state.entry("arxiv:1").starred_at > starred_at
    other = open_state("state.toml")
    other.refresh()
    state.flush()
    other.refresh()
    assert not other.is_starred("arxiv:1")


def test_no_op_changes_are_not_undo_steps(open_state: Open) -> None:
    state = open_state()
    state.unstar("arxiv:1")
    state.mark_read_many([])
    assert not state.can_undo and state.pending == 0


def test_starred_lists_papers_not_loaded_newest_first(open_state: Open) -> None:
    state = open_state()
    state.star("arxiv:1", "One")
    state.star("arxiv:2", "Two")
    state.mark_read("arxiv:3", "Three")
    listed = reopen(state).starred()
    assert [(p.key, p.title) for p in listed] == [("arxiv:2", "Two"), ("arxiv:1", "One")]
    assert listed[0].starred_at.tzinfo is not None and listed[0].read_at is None
    assert [p.key for p in state.entries()] == ["arxiv:1", "arxiv:2", "arxiv:3"]


def test_titles_follow_the_latest_change_and_are_kept_when_omitted(open_state: Open) -> None:
    state = open_state()
    state.star("arxiv:1", "  Old title ")
    assert state.entry("arxiv:1").title == "Old title"
    state.mark_read("arxiv:1")
    assert state.entry("arxiv:1").title == "Old title"
    state.unstar("arxiv:1", "New title")
    assert reopen(state).entry("arxiv:1").title == "New title"


@pytest.mark.parametrize("key", ["", "a|b", " a", "a\n"])
def test_invalid_keys_raise_value_error(open_state: Open, key: str) -> None:
    state = open_state()
    with pytest.raises(ValueError):
        state.star(key)
    assert state.pending == 0


def test_unstorable_title_text_is_replaced_not_fatal(open_state: Open) -> None:
    state = open_state()
    state.star("arxiv:1", "bad \ud800 surrogate")
    assert reopen(state).entry("arxiv:1").title == "bad ? surrogate"


def test_rekey_moves_state_and_merges_per_register(open_state: Open) -> None:
    state = open_state()
    state.star("title:attention", "Attention")
    state.mark_read("arxiv:1706.03762")
    state.star("arxiv:1706.03762")
    state.unstar("arxiv:1706.03762")  # a deliberate unstar, later than the star under the title key
    state.star("title:other", "")
    assert state.rekey("title:attention", "arxiv:1706.03762")
    assert not state.is_starred("arxiv:1706.03762") and state.is_read("arxiv:1706.03762")
    assert state.is_read("title:attention")  # the old key resolves to the new one
    assert state.rekey("title:other", "arxiv:2", "Other")
    assert state.entry("arxiv:2").title == "Other"  # an empty title is filled in
    assert not state.rekey("title:attention", "arxiv:1706.03762")  # nothing left to move
    assert not state.rekey("title:never-seen", "arxiv:3")
    persisted = reopen(state)
    assert [e.key for e in persisted.entries()] == ["arxiv:1706.03762", "arxiv:2"]
    assert persisted.counts() == (1, 1)
    text = state.path.read_text()
    assert "\ntitle:attention | arxiv:1706.03762 | " in text  # the alias, as a tombstone


def test_follow_identities_moves_what_exists(open_state: Open) -> None:
    state = open_state()
    paper = Paper(title="A Paper", arxiv_id="2401.00001")
    state.star(paper.title_key, paper.title)
    assert state.follow_identities([(paper.title_key, paper.key), ("title:none", "arxiv:5")]) == 1
    assert state.is_starred(paper.key) and state.canonical_key(paper.title_key) == paper.key
    assert state.counts() == (1, 0)


def test_merge_from_folds_another_file_latest_wins(open_state: Open, tmp_path: Path) -> None:
    ours = open_state()
    theirs = open_state("other.toml")
    ours.star("arxiv:1", "One")
    theirs.star("arxiv:2", "Two")
    theirs.star("title:three", "Three")
    theirs.rekey("title:three", "arxiv:3")
    theirs.star("arxiv:1", "One")
    theirs.unstar("arxiv:1", "One")  # a deliberate unstar, later than our star
    ours.mark_read("arxiv:1")  # later than their unstar, other register
    theirs.flush()
    before = theirs.path.read_bytes()
    assert ours.merge_from(theirs.path) == 3
    assert theirs.path.read_bytes() == before  # only read
    assert not ours.is_starred("arxiv:1") and ours.is_read("arxiv:1")
    assert ours.is_starred("arxiv:2") and ours.is_starred("title:three")
    assert ours.merge_from(theirs.path) == 0  # idempotent
    assert reopen(ours).counts() == (2, 1)


def test_merge_from_refuses_newer_or_missing_files(open_state: Open, tmp_path: Path) -> None:
    state = open_state()
    newer = tmp_path / "newer.toml"
    newer.write_text("schema = 99\n")
    with pytest.raises(StateVersionError, match="newer.toml"):
        state.merge_from(newer)
    with pytest.raises(StateError, match="does not exist"):
        state.merge_from(tmp_path / "missing.toml")
    assert state.merge_from(state.path) == 0


def test_closed_and_readonly_states_refuse_changes(open_state: Open) -> None:
    state = open_state()
    state.star("arxiv:1")
    state.close()
    state.close()  # twice is fine
    with pytest.raises(StateClosedError):
        state.star("arxiv:2")
    readonly = ReadingState(state.path, readonly=True)
    assert readonly.is_starred("arxiv:1")
    with pytest.raises(StateClosedError, match="read-only"):
        readonly.undo()


def test_background_writer_makes_each_change_durable_quickly(open_state: Open) -> None:
    state = open_state(background=True)
    for n in range(5):
        start = time.monotonic()
        state.toggle_star(f"arxiv:{n}")
        assert state.wait_until_saved(timeout=1.0)
        assert time.monotonic() - start < 0.25
        assert f"arxiv:{n} | starred" in state.path.read_text() or f'key = "arxiv:{n}"' in state.path.read_text()
    assert state.pending == 0
    tomllib.loads(state.path.read_text())


def test_context_manager_closes_and_saves(tmp_path: Path) -> None:
    with ReadingState(tmp_path / "s.toml", coalesce=10.0) as state:
        state.star("arxiv:1")
    assert ReadingState(tmp_path / "s.toml", readonly=True).is_starred("arxiv:1")


def test_on_change_hears_of_other_instances(open_state: Open) -> None:
    heard: list[set[str]] = []
    ours = open_state(on_change=heard.append)
    theirs = open_state()
    theirs.star("arxiv:7")
    theirs.flush()
    ours.refresh()
    assert heard == [{"arxiv:7"}] and ours.is_starred("arxiv:7")


def test_default_path_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROADSHEET_STATE", str(tmp_path / "env" / "state.toml"))
    with ReadingState(background=False) as state:
        state.star("arxiv:1")
    assert (tmp_path / "env" / "state.toml").exists()


def test_marked_keys_agree_with_the_per_key_queries(open_state: Open) -> None:
    state = open_state()
    state.star("title:old-name")
    state.mark_read("title:old-name")
    state.star("arxiv:2401.00001")
    state.mark_read("arxiv:2401.00002")
    state.mark_read("arxiv:2401.00003")
    state.mark_unread("arxiv:2401.00003")
    state.follow_identities([("title:old-name", "arxiv:2401.00009")])  # the state moves; the old key aliases it
    starred, read = state.marked_keys()
    probes = [
        "title:old-name",
        "arxiv:2401.00009",
        "arxiv:2401.00001",
        "arxiv:2401.00002",
        "arxiv:2401.00003",
        "arxiv:2401.00004",
    ]
    assert {k for k in probes if state.is_starred(k)} == {"title:old-name", "arxiv:2401.00009", "arxiv:2401.00001"}
    for key in probes:
        assert (key in starred) == state.is_starred(key), key
        assert (key in read) == state.is_read(key), key
