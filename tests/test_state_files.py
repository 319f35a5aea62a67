"""The file on disk: atomic writes, .bak, recovery from damage, versions, write failures."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import subprocess
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from broadsheet.state import ReadingState, StateError, StateVersionError, StateWriteError, disk, lifecycle

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


def saved_state(open_state: Open, *keys: str, **options: object) -> ReadingState:
    state = open_state(**options)
    for key in keys:
        state.star(key, f"Title of {key}")
    state.flush()
    return state


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".probe")))


def test_a_full_rewrite_keeps_the_previous_version_as_bak(open_state: Open, tmp_path: Path) -> None:
    state = saved_state(open_state, "arxiv:1", compact_after=2)
    assert not (tmp_path / "state.toml.bak").exists()  # nothing to back up on first write
    state.star("arxiv:2")
    state.flush()  # appended
    before = state.path.read_bytes()
    assert b"\n[[log]]\n" in before
    state.star_many(["arxiv:3", "arxiv:4"])
    state.flush()  # past compact_after: rewritten in full
    assert (tmp_path / "state.toml.bak").read_bytes() == before
    text = state.path.read_text()
    assert "\n[[log]]\n" not in text and "arxiv:4 | starred" in text
    tomllib.loads(text)


def test_an_unreadable_file_is_set_aside_and_bak_is_used(open_state: Open, tmp_path: Path) -> None:
    state = saved_state(open_state, "arxiv:1", compact_after=0)
    state.star("arxiv:2")
    state.flush()  # rewritten: .bak holds arxiv:1
    state.close()
    garbage = b"schema = 1\npapers = [ 'arxiv:1 | starred 2024"
    state.path.write_bytes(garbage)
    told: list[str] = []
    recovered = ReadingState(state.path, background=False, on_warning=told.append)
    aside = list(tmp_path.glob("state.toml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    assert len(told) == 1 and aside[0].name in told[0] and "state.toml.bak" in told[0]
    assert recovered.warnings == told
    assert recovered.is_starred("arxiv:1") and not recovered.is_starred("arxiv:2")
    tomllib.loads(state.path.read_text())  # a good file is back in place
    recovered.close()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\xff\xfeschema = 1", "UTF-8"),
        (b"schema = 1\npapers = [\n  'arxiv:1 | starred 2024-05-01T10:00:00.000000Z | - | A',\n  'arx", "TOML"),
        (b"schema = 'one'\n", "schema"),
        (b"[papers]\nx = 1\n", "schema"),
    ],
)
def test_empty_truncated_or_invalid_files_start_from_bak_or_empty(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "state.toml"
    path.write_bytes(content)
    told: list[str] = []
    with ReadingState(path, background=False, on_warning=told.append) as state:
        assert state.counts() == (0, 0)
        assert reason in told[0] and "empty reading state" in told[0]
        assert [p.read_bytes() for p in tmp_path.glob("state.toml.corrupt-*")] == [content]
        tomllib.loads(path.read_text())


def test_unreadable_bak_is_reported_too(tmp_path: Path) -> None:
    (tmp_path / "state.toml").write_text("nonsense")
    (tmp_path / "state.toml.bak").write_text("more nonsense")
    told: list[str] = []
    ReadingState(tmp_path / "state.toml", background=False, on_warning=told.append).close()
    assert "state.toml.bak is unreadable too" in told[0]


def test_a_file_cut_inside_its_last_change_keeps_everything_before(open_state: Open, tmp_path: Path) -> None:
    state = saved_state(open_state, "arxiv:1")
    state.star("arxiv:2")
    state.flush()
    state.close()
    whole = state.path.read_bytes()
    state.path.write_bytes(whole + b'\n[[log]]\nkey = "arxiv:3"\nstar')
    told: list[str] = []
    with ReadingState(state.path, background=False, on_warning=told.append) as again:
        assert again.is_starred("arxiv:1") and again.is_starred("arxiv:2") and not again.is_starred("arxiv:3")
    assert "cut short" in told[0]
    assert len(list(tmp_path.glob("state.toml.corrupt-*"))) == 1
    tomllib.loads(state.path.read_text())


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_text("schema = 2\n[future]\nthing = 1\n")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(StateVersionError, match="schema 2"):
        ReadingState(path, background=False)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.toml", "state.toml.lock"]


def test_a_newer_schema_appearing_at_run_time_stops_saving(open_state: Open) -> None:
    state = saved_state(open_state, "arxiv:1")
    state.path.write_text("schema = 3\n")
    state.star("arxiv:2")
    with pytest.raises(StateVersionError):
        state.flush()
    assert state.path.read_text() == "schema = 3\n"
    assert state.is_starred("arxiv:2") and state.pending == 1
    lifecycle.unregister(state)  # it can never be saved: spare the exit-time report


def test_a_read_only_folder_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def refuse(path: object, flags: int, *args: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(StateWriteError, match="read-only"):
        ReadingState(tmp_path / "state.toml", background=False)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_read_only_folder_for_real(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(StateWriteError, match="read-only"):
            ReadingState(folder / "state.toml", background=False)
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("compact_after", [256, 0], ids=["append", "rewrite"])
def test_a_full_disk_fails_clearly_and_keeps_the_old_file(
    open_state: Open, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compact_after: int
) -> None:
    state = saved_state(open_state, "arxiv:1", compact_after=compact_after)
    before = state.path.read_bytes()
    real_write_all = disk._write_all

    def half_then_full(fd: int, data: bytes) -> None:
        real_write_all(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(disk, "_write_all", half_then_full)
    state.star("arxiv:2")
    with pytest.raises(StateWriteError, match="disk is full"):
        state.flush()
    assert state.path.read_bytes() == before
    assert leftovers(tmp_path) == []
    assert state.is_starred("arxiv:2") and state.error is not None
    monkeypatch.undo()
    state.flush()
    assert state.error is None
    assert ReadingState(state.path, readonly=True).counts() == (2, 0)


def test_a_failing_fsync_fails_clearly(open_state: Open, monkeypatch: pytest.MonkeyPatch) -> None:
    state = saved_state(open_state, "arxiv:1")
    before = state.path.read_bytes()

    def broken(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    state.star("arxiv:2")
    with pytest.raises(StateWriteError, match="Input/output error"):
        state.flush()
    monkeypatch.undo()
    assert state.path.read_bytes() == before


def test_the_writer_retries_and_tells_once(open_state: Open, monkeypatch: pytest.MonkeyPatch) -> None:
    state = saved_state(open_state, "arxiv:1")
    state.close()
    told: list[str] = []
    state = open_state(background=True, on_warning=told.append)

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(disk, "_write_all", full)
    state.star("arxiv:2")
    time.sleep(0.3)
    assert len(told) == 1 and "disk is full" in told[0]
    monkeypatch.undo()
    assert state.wait_until_saved(timeout=5)
    assert "again" in told[-1] and len(told) == 2


def test_own_writes_are_never_read_back(open_state: Open) -> None:
    state = saved_state(open_state, "arxiv:0", compact_after=5)
    parses = state._syncer.parses
    for n in range(1, 20):
        state.toggle_read(f"arxiv:{n}")
        state.flush()
    assert state._syncer.parses == parses


def test_appends_never_straddle_a_page(open_state: Open, monkeypatch: pytest.MonkeyPatch) -> None:
    state = saved_state(open_state, "arxiv:0", compact_after=10_000)
    writes: list[tuple[int, bytes]] = []
    real_append = disk.StateFiles.append

    def spy(self: disk.StateFiles, data: bytes, expect_size: int) -> tuple:
        result = real_append(self, data, expect_size)
        writes.append((expect_size, result[0]))
        return result

    monkeypatch.setattr(disk.StateFiles, "append", spy)
    for n in range(1, 61):
        state.star(f"arxiv:{n}", "A title long enough to make appends reach page boundaries " * (n % 4))
        state.flush()
    assert len(writes) == 60
    for offset, payload in writes:
        body = payload[payload.index(b"\n[[log]]") :]
        start = offset + len(payload) - len(body)
        assert start // disk.PAGE == (start + len(body) - 1) // disk.PAGE
    assert any(len(payload) != len(payload.lstrip(b" ")) for _, payload in writes)  # padding happened
    tomllib.loads(state.path.read_text())


def test_a_held_lock_delays_but_never_locks_out(open_state: Open) -> None:
    state = saved_state(open_state, "arxiv:1", lock_timeout=0.2)
    holder = os.open(state._files.lock_path, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        state.star("arxiv:2")
        started = time.monotonic()
        state.flush()
        assert 0.2 <= time.monotonic() - started < 2
    finally:
        os.close(holder)
    assert any("could not lock" in w for w in state.warnings)
    assert ReadingState(state.path, readonly=True).is_starred("arxiv:2")


def test_a_deleted_file_is_written_again(open_state: Open) -> None:
    state = saved_state(open_state, "arxiv:1")
    state.path.unlink()
    state.star("arxiv:2")
    state.flush()
    assert "disappeared" in state.warnings[0]
    assert ReadingState(state.path, readonly=True).counts() == (2, 0)


def test_only_our_files_appear(open_state: Open, tmp_path: Path) -> None:
    state = saved_state(open_state, "arxiv:1", compact_after=1)
    state.star_many(["arxiv:2", "arxiv:3"])
    state.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.toml", "state.toml.bak", "state.toml.lock"]


def test_damage_while_running_keeps_memory_and_sets_the_file_aside_once(
    open_state: Open, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = saved_state(open_state, "arxiv:1")
    state.path.write_text("papers = [ 'half a hand edit")
    state.star("arxiv:2")

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(disk, "_write_all", full)
    with pytest.raises(StateWriteError):
        state.flush()  # the repair cannot be written yet
    monkeypatch.undo()
    state.flush()
    aside = list(tmp_path.glob("state.toml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == "papers = [ 'half a hand edit"
    assert any("what it held in memory" in w for w in state.warnings)
    assert ReadingState(state.path, readonly=True).counts() == (2, 0)


def test_changes_read_from_others_reach_memory_even_when_saving_fails(
    open_state: Open, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = saved_state(open_state, "arxiv:1")
    theirs = open_state()
    theirs.star("arxiv:2")
    theirs.flush()

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(disk, "_write_all", full)
    ours.star("arxiv:3")
    with pytest.raises(StateWriteError):
        ours.flush()
    assert ours.is_starred("arxiv:2")


def test_a_failed_close_can_be_retried(open_state: Open, monkeypatch: pytest.MonkeyPatch) -> None:
    state = saved_state(open_state, "arxiv:1", background=True)

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(disk, "_write_all", full)
    state.star("arxiv:2")
    with pytest.raises(StateWriteError, match="disk is full"):
        state.close()
    monkeypatch.undo()
    state.close()
    assert ReadingState(state.path, readonly=True).counts() == (2, 0)


def test_temporary_files_of_killed_instances_are_swept(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = [f".state.toml.{gone.pid}.0badf00d.tmp", f".state.toml.bak.{gone.pid}.0badf00d.tmp"]
    alive = [f".state.toml.{os.getppid()}.0badf00d.tmp", f".other.toml.{gone.pid}.0badf00d.tmp"]
    for name in dead + alive:
        (tmp_path / name).write_text("x")
    ReadingState(tmp_path / "state.toml", background=False).close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted(alive)
