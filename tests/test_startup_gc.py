"""The garbage collector is paused while the command starts, and always turned back on."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.reader_fixtures import PLAIN_TITLES, settle, write_listing
from tests.test_reader import args_for

from broadsheet import startup_gc
from broadsheet.cli import main
from broadsheet.commands.reader import make_app


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Each test starts with the collector on and unpaused, and leaves it so."""
    assert gc.isenabled()
    yield
    startup_gc._paused = False  # noqa: SLF001 - a failed test must not leave it paused
    gc.enable()
    gc.unfreeze()  # what the test froze goes back to the collector


def test_pause_then_resume_freezes_and_turns_it_back_on() -> None:
    startup_gc.pause()
    assert not gc.isenabled()
    made_while_paused = [object() for _ in range(10)]
    frozen_before = gc.get_freeze_count()
    startup_gc.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen_before + 1  # at least the list made while paused
    startup_gc.resume()  # a second resume changes nothing
    assert gc.isenabled()
    del made_while_paused


def test_resume_without_pause_neither_freezes_nor_enables() -> None:
    frozen_before = gc.get_freeze_count()
    startup_gc.resume()
    assert gc.get_freeze_count() == frozen_before
    gc.disable()  # turned off by somebody else: not ours to turn on
    startup_gc.resume()
    assert not gc.isenabled()


def test_pause_leaves_a_collector_turned_off_elsewhere_off() -> None:
    gc.disable()
    startup_gc.pause()
    startup_gc.resume()
    assert not gc.isenabled()


def test_importing_the_command_imports_nothing_heavy() -> None:
    """The entry point pauses the collector before the reader's imports: they must come after
    `broadsheet.cli` is imported, or the pause would miss them."""
    code = "import sys, broadsheet.cli; print(sorted(m for m in sys.modules if m.startswith('broadsheet')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['broadsheet', 'broadsheet.cli', 'broadsheet.startup_gc']"


def test_a_subcommand_resumes_the_collector(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    startup_gc.pause()
    assert main(["state", "--path", "--state", str(tmp_path / "state.toml")]) == 0
    assert gc.isenabled()
    assert capsys.readouterr().out.strip() == str(tmp_path / "state.toml")


def test_the_entry_point_pauses_before_anything_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import broadsheet.cli

    seen: list[bool] = []
    monkeypatch.setattr(broadsheet.cli, "main", lambda: seen.append(gc.isenabled()) or 0)
    with pytest.raises(SystemExit) as leaving:
        broadsheet.cli.entry_point()
    assert leaving.value.code == 0
    assert seen == [False]


async def test_the_reader_resumes_the_collector_at_its_first_paint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.tui.app import BroadsheetApp

    collecting_at_mount: list[bool] = []
    on_mount = BroadsheetApp.on_mount

    def mounted(self: BroadsheetApp) -> None:
        collecting_at_mount.append(gc.isenabled())
        on_mount(self)

    monkeypatch.setattr(BroadsheetApp, "on_mount", mounted)
    startup_gc.pause()
    app = make_app(args_for([write_listing(tmp_path, PLAIN_TITLES)], tmp_path / "state.toml"))
    assert not gc.isenabled()  # loading the listings left it paused
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert collecting_at_mount == [False]  # still paused while the first screen is built
        assert gc.isenabled()
        assert app.query_one("PaperList").rows  # painted
